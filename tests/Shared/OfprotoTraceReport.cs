using System.Text.RegularExpressions;

namespace Dvr.TestSupport;

/// <summary>One table visit of an <c>ovs-appctl ofproto/trace</c> report: the bridge, the table, the priority of the flow that matched (null: no match) and the action lines printed under it.</summary>
public sealed record OfprotoTraceHop(string Bridge, int Table, int? Priority, IReadOnlyList<string> Actions)
{
    /// <summary>"br-tun 20 2" or "br-tun 4 miss": the form the agreement tests compare.</summary>
    public string Key => $"{Bridge} {Table} {(Priority is { } p ? p.ToString(System.Globalization.CultureInfo.InvariantCulture) : "miss")}";
}

/// <summary>
/// Reads the report of <c>ovs-appctl ofproto/trace</c> (OVS 3.1 ofproto/ofproto-dpif-trace.c): a
/// <c>bridge("NAME")</c> line opens each bridge, each table visit is <c>  N. MATCH, priority P, cookie C</c>
/// (or <c>N. No match.</c>), and the actions it ran follow, indented, one per line; lines starting with
/// <c>-></c> or <c>>></c> are OVS's own remarks (where an output went, why it stopped), not actions. Shared by
/// the offline (DvrFlows.Tests) and live (Integration.Tests) trace agreement tests.
/// </summary>
public static partial class OfprotoTraceReport
{
    public static IReadOnlyList<OfprotoTraceHop> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hops = new List<OfprotoTraceHop>();
        string bridge = "?";
        List<string>? actions = null;
        foreach (string line in text.Split('\n'))
        {
            if (BridgeLine().Match(line) is { Success: true } b)
            {
                bridge = b.Groups[1].Value;
                actions = null;
            }
            else if (MissLine().Match(line) is { Success: true } miss)
            {
                actions = [];
                hops.Add(new OfprotoTraceHop(bridge, int.Parse(miss.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), null, actions));
            }
            else if (HopLine().Match(line) is { Success: true } hop)
            {
                actions = [];
                hops.Add(new OfprotoTraceHop(
                    bridge,
                    int.Parse(hop.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
                    int.Parse(hop.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture),
                    actions));
            }
            else if (actions is not null && line.Trim() is { Length: > 0 } action && !action.StartsWith("->", StringComparison.Ordinal)
                && !action.StartsWith(">>", StringComparison.Ordinal) && !action.StartsWith("Final flow:", StringComparison.Ordinal))
            {
                actions.Add(action);
            }
            else if (line.StartsWith("Final flow:", StringComparison.Ordinal))
            {
                actions = null;
            }
        }

        return hops;
    }

    /// <summary>The (bridge, table, priority|miss) sequence of a report.</summary>
    public static List<string> HopKeys(string text) => [.. Parse(text).Select(h => h.Key)];

    [GeneratedRegex("""^bridge\("([^"]+)"\)""")]
    private static partial Regex BridgeLine();

    [GeneratedRegex(@"^\s*(\d+)\. No match\.")]
    private static partial Regex MissLine();

    [GeneratedRegex(@"^\s*(\d+)\. .*?priority (\d+)")]
    private static partial Regex HopLine();
}
