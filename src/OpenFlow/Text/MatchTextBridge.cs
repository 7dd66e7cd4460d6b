using System.Text;
using Dvr.OpenFlow.Match;

namespace Dvr.OpenFlow.Text;

/// <summary>The one place message text calls the match formatter (MatchText, from the match codec).</summary>
internal static class MatchTextBridge
{
    /// <summary>
    /// OVS match_format: "priority=N," when N is not the default, then the fields; nothing for an empty match
    /// at the default priority.
    /// </summary>
    public static void Append(StringBuilder output, Dvr.OpenFlow.Match.Match match, PortNames names, int priority)
    {
        int start = output.Length;
        if (priority != 0x8000)
        {
            output.Append("priority=").Append(priority).Append(',');
        }

        foreach (var entry in match.Entries)
        {
            output.Append(entry.Field.Name).Append('=');
            FieldFormat.AppendValue(output, entry.Field, entry.Value, names);
            if (entry.HasMask)
            {
                output.Append('/');
                FieldFormat.AppendValue(output, entry.Field, entry.Mask, names);
            }

            output.Append(',');
        }

        if (output.Length > start && output[^1] == ',')
        {
            output.Length--;
        }
    }
}
