using System.Globalization;
using Dvr.DvrFlows.Trace;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Messages.Multipart;
using Dvr.OpenFlow.Text;

namespace Dvr.DvrFlows.Diagnostics;

/// <summary>
/// The flow filter of <c>ovs-ofctl dump-flows SWITCH [FLOWS]</c> and <c>dump-aggregate</c> (OVS
/// lib/ofp-flow.c parse_ofp_flow_stats_request_str): <c>table=N</c>, <c>cookie=VALUE[/MASK]</c>,
/// <c>out_port=PORT</c>, <c>out_group=N</c> and any match fields (<c>in_port=1,dl_vlan=5</c>), which become
/// the selection fields of OFPMP_FLOW / OFPMP_AGGREGATE (OpenFlow 1.3.5 §7.3.5.2). The cookie mask
/// <c>-1</c> means all ones, as in ovs-ofctl.
/// </summary>
public static class FlowFilter
{
    /// <summary>Parses <paramref name="text"/> (null or empty: every flow).</summary>
    /// <exception cref="DiagnosticsException">A keyword or value ovs-ofctl would reject, named.</exception>
    public static FlowStatsRequest Parse(string? text, PortNames names)
    {
        var request = new FlowStatsRequest();
        if (string.IsNullOrWhiteSpace(text))
        {
            return request;
        }

        try
        {
            var matchPairs = new List<KeyValuePair<string, string?>>();
            foreach (var pair in FlowTextPairs.Split(text))
            {
                switch (pair.Key)
                {
                    case "table":
                        request = request with { TableId = ParseTable(Required(pair)) };
                        break;
                    case "cookie":
                        var (cookie, mask) = ParseCookie(Required(pair));
                        request = request with { Cookie = cookie, CookieMask = mask };
                        break;
                    case "out_port":
                        request = request with { OutPort = ActionText.ParsePort(Required(pair), names) };
                        break;
                    case "out_group":
                        request = request with { OutGroup = ParseNumber(Required(pair), "out_group") };
                        break;
                    default:
                        if (!MatchText.IsMatchKey(pair.Key))
                        {
                            throw new TextParseException($"unknown keyword {pair.Key}");
                        }

                        matchPairs.Add(pair);
                        break;
                }
            }

            return request with { Match = MatchText.Parse(matchPairs, names) };
        }
        catch (TextParseException ex)
        {
            throw new DiagnosticsException($"flow filter '{text}': {ex.Message}", ex);
        }
    }

    private static string Required(KeyValuePair<string, string?> pair) =>
        pair.Value ?? throw new TextParseException($"{pair.Key}: missing value");

    /// <summary>
    /// A table number 0–255, 255 (OFPTT_ALL) meaning every table, as OVS ofputil_table_from_string reads it;
    /// like ovs-ofctl 3.1, the word "all" is not accepted.
    /// </summary>
    private static byte ParseTable(string text) =>
        byte.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out byte table)
            ? table
            : throw new TextParseException($"unknown table \"{text}\" (a number from 0 to 255, 255 meaning every table)");

    private static (ulong Cookie, ulong Mask) ParseCookie(string text)
    {
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            // A dump selects by cookie only under a mask (OpenFlow 1.3.5 §7.3.5.2); ovs-ofctl says the same.
            throw new TextParseException($"cannot set cookie (to match on a cookie, specify a mask, e.g. cookie={text}/-1)");
        }

        ulong cookie = ParseUInt64(text[..slash], "cookie");
        string maskText = text[(slash + 1)..];
        ulong mask = maskText == "-1" ? ulong.MaxValue : ParseUInt64(maskText, "cookie mask");
        return (cookie, mask);
    }

    private static ulong ParseUInt64(string text, string what)
    {
        bool hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        return ulong.TryParse(hex ? text[2..] : text, hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None, CultureInfo.InvariantCulture, out ulong value)
            ? value
            : throw new TextParseException($"{what} '{text}' is not a number");
    }

    private static uint ParseNumber(string text, string what)
    {
        ulong value = ParseUInt64(text, what);
        return value <= uint.MaxValue ? (uint)value : throw new TextParseException($"{what} '{text}' is out of range");
    }
}
