using System.Text;
using Dvr.OpenFlow.Messages.Multipart;
using Dvr.OpenFlow.Text;

namespace Dvr.DvrFlows.Desired;

/// <summary>
/// Desired flows as <c>ovs-ofctl -O OpenFlow13 dump-flows --no-stats --names</c> prints them (checked on a
/// netdev bridge of OVS 3.1): a leading space, <c>cookie=0x…, </c> when non-zero, <c>table=N, </c> when N is
/// not 0, then <c>priority=P,match actions=…</c>. So compiler output and a switch dump compare line by line.
/// </summary>
public static class DesiredFlowText
{
    public static string Format(DesiredFlow flow, PortNames names)
    {
        var line = new StringBuilder(" ");
        var entry = new FlowStatsEntry
        {
            TableId = flow.TableId,
            Priority = flow.Priority,
            Cookie = flow.Cookie,
            Match = flow.Match,
            Instructions = flow.Instructions,
        };
        FlowStatsText.Format(line, entry, names, FlowStatsText.Options.NoStats);
        return line.ToString();
    }

    /// <summary>The line followed by <c>  # owner role</c>, as <c>dvrctl compile --owners</c> prints it.</summary>
    public static string FormatWithOwner(DesiredFlow flow, PortNames names) => $"{Format(flow, names)}  # {flow.Owner} {flow.Role}";
}
