using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Text;

namespace Dvr.DvrFlows.Desired;

/// <summary>
/// Desired flows as <c>ovs-ofctl -O OpenFlow13 dump-flows --no-stats --names</c> prints them (OVS 3.1
/// ofputil_flow_stats_format, checked on a netdev bridge): a leading space, <c>cookie=0x…, </c> when non-zero,
/// <c>table=N, </c> when N is not 0, then the match with its priority (lib/match.c match_format, via
/// <see cref="MatchText"/>), a space and <c>actions=…</c>. So compiler output and a switch dump compare line by line.
/// Desired flows never carry timeouts or flags, so those fields of the layout are absent.
/// </summary>
public static class DesiredFlowText
{
    public static string Format(DesiredFlow flow, PortNames names)
    {
        var line = new StringBuilder(" ");
        if (flow.Cookie != 0)
        {
            line.Append("cookie=0x").Append(flow.Cookie.ToString("x", CultureInfo.InvariantCulture)).Append(", ");
        }

        if (flow.TableId != 0)
        {
            line.Append("table=").Append(flow.TableId).Append(", ");
        }

        MatchText.Format(line, flow.Match, names, flow.Priority);
        if (line[^1] != ' ')
        {
            line.Append(' ');
        }

        line.Append("actions=");
        flow.Instructions.Format(line, names);
        return line.ToString();
    }

    /// <summary>The line followed by <c>  # owner role</c>, as <c>dvrctl compile --owners</c> prints it.</summary>
    public static string FormatWithOwner(DesiredFlow flow, PortNames names) => $"{Format(flow, names)}  # {flow.Owner} {flow.Role}";
}
