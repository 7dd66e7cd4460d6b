using System.Text;

namespace Dvr.OpenFlow.Text;

/// <summary>The one place message text calls the match formatter (<see cref="MatchText"/>, from the match codec).</summary>
internal static class MatchTextBridge
{
    /// <summary>
    /// OVS match_format: "priority=N," when N is not the default, then the fields; nothing for an empty match
    /// at the default priority.
    /// </summary>
    public static void Append(StringBuilder output, Dvr.OpenFlow.Match.Match match, PortNames names, int priority) =>
        MatchText.Format(output, match, names, priority);
}
