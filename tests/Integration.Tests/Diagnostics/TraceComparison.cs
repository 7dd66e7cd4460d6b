using System.Globalization;

namespace Dvr.Integration.Tests.Diagnostics;

/// <summary>Puts our live trace and ovs-appctl ofproto/trace's into one comparable form.</summary>
internal static class TraceComparison
{
    /// <summary>"output:NAME" (quoted or not) as "output:N", N the live port number.</summary>
    public static IReadOnlyList<string> Numbered(IReadOnlyList<string> actions, IReadOnlyDictionary<string, uint> ports) =>
        [.. actions.Select(a => a.StartsWith("output:", StringComparison.Ordinal) && ports.TryGetValue(a["output:".Length..].Trim('"'), out uint port)
            ? "output:" + port.ToString(CultureInfo.InvariantCulture)
            : a)];

    /// <summary>For each bridge visit (consecutive hops in one bridge), the actions of its last table.</summary>
    public static List<string> FinalActions(IEnumerable<(string Bridge, IReadOnlyList<string> Actions)> hops)
    {
        var finals = new List<string>();
        string? current = null;
        foreach (var (bridge, actions) in hops)
        {
            string line = $"{bridge}: {string.Join(", ", actions)}";
            if (bridge == current)
            {
                finals[^1] = line;
            }
            else
            {
                finals.Add(line);
                current = bridge;
            }
        }

        return finals;
    }
}
