using Dvr.DvrFlows.Topology;

namespace Dvr.DvrFlows.Diagnostics;

/// <summary>Loading the topology file a diagnostics command compares or traces against.</summary>
public static class DiagnosticsTopology
{
    /// <summary>Loads and validates <paramref name="path"/>.</summary>
    /// <exception cref="DiagnosticsException">Unreadable or invalid (every error on the one line, '; '-separated).</exception>
    public static Topology.Topology Load(string path)
    {
        try
        {
            return TopologyLoader.Load(path);
        }
        catch (TopologyValidationException ex)
        {
            throw new DiagnosticsException($"topology {path} is invalid: {string.Join("; ", ex.Errors.Select(e => e.ToString()))}", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DiagnosticsException($"cannot read topology '{path}': {(ex is FileNotFoundException or DirectoryNotFoundException ? "no such file" : ex.Message)}", ex);
        }
    }
}
