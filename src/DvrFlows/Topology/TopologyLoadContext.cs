using YamlDotNet.RepresentationModel;

namespace Dvr.DvrFlows.Topology;

/// <summary>
/// What the loader knows while it works: the file name, the errors so far, and where every field it read was
/// written (field path → position), so later checks can point at the exact value they reject.
/// </summary>
internal sealed class TopologyLoadContext(string? file)
{
    private readonly List<TopologyError> _errors = [];
    private readonly Dictionary<string, SourceLocation> _locations = new(StringComparer.Ordinal);

    public string? File { get; } = file;

    public IReadOnlyList<TopologyError> Errors => _errors;

    public SourceLocation LocationOf(YamlNode node, string path) => new(File, (int)node.Start.Line, (int)node.Start.Column, path);

    public void Remember(YamlNode node, string path) => _locations[path] = LocationOf(node, path);

    /// <summary>
    /// Where <paramref name="path"/> was written. A field that was left out is located at the nearest enclosing
    /// thing that was written (e.g. the host's mapping), but the error still names the full path.
    /// </summary>
    public SourceLocation Locate(string path)
    {
        for (string p = path; p.Length > 0; p = Parent(p))
        {
            if (_locations.TryGetValue(p, out var found))
            {
                return found with { Path = path };
            }
        }

        return new SourceLocation(File, 0, 0, path);
    }

    public void Error(SourceLocation location, string message) => _errors.Add(new TopologyError(location, message));

    public void Error(YamlNode node, string path, string message) => Error(LocationOf(node, path), message);

    public void Error(string path, string message) => Error(Locate(path), message);

    public static string Child(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    public static string Item(string path, int index) => $"{path}[{index}]";

    private static string Parent(string path)
    {
        int cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut < 0 ? string.Empty : path[..cut];
    }
}
