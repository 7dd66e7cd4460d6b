using System.Text;
using Dvr.DvrFlows.Diagnostics;
using Dvr.OpenFlow.Messages.Flow;
using Dvr.OpenFlow.Messages.Multipart;
using Dvr.OpenFlow.Text;
using NUnit.Framework;

namespace Dvr.Integration.Tests.Diagnostics;

/// <summary>
/// <see cref="FlowDumpText"/> (the streamed dump's allocation-free formatter) writes every flow exactly as
/// <see cref="FlowStatsText"/> does, across the fields it formats itself: cookies, durations in every form OVS
/// prints, counters, timeouts, tables, flags (delegated), empty matches, with and without statistics.
/// </summary>
public sealed class FlowDumpTextTests
{
    public static IEnumerable<TestCaseData> Flows()
    {
        var names = new PortNames(new Dictionary<uint, string> { [3] = "qvovm1" });
        var routed = FlowModText.ParseFlow("table=60,priority=20,dl_vlan=1,dl_dst=fa:16:3e:00:01:10 actions=pop_vlan,output:3", names);
        FlowStatsEntry Entry(FlowMod mod) => new() { TableId = mod.TableId, Priority = mod.Priority, Match = mod.Match, Instructions = mod.Instructions };
        var basic = Entry(routed);
        yield return Case(basic with { Cookie = 0x4456520000000000, DurationSeconds = 12, DurationNanoseconds = 345_000_000, PacketCount = 7, ByteCount = 686 }, "whole milliseconds");
        yield return Case(basic with { DurationSeconds = 0, DurationNanoseconds = 1_230_000, PacketCount = ulong.MaxValue, ByteCount = 1 }, "leading zero milliseconds");
        yield return Case(basic with { DurationSeconds = 3, DurationNanoseconds = 123_456_780 }, "nanoseconds trimmed");
        yield return Case(basic with { DurationSeconds = uint.MaxValue, DurationNanoseconds = 1 }, "one nanosecond");
        yield return Case(basic with { DurationNanoseconds = uint.MaxValue }, "nanoseconds past one second");
        yield return Case(basic with { DurationNanoseconds = 4_000_000_000 }, "milliseconds past one second");
        yield return Case(basic with { TableId = 0, Cookie = 0, IdleTimeout = 10, HardTimeout = 300 }, "timeouts, table 0, no cookie");
        yield return Case(basic with { Flags = FlowModFlags.SendFlowRemoved | FlowModFlags.ResetCounts }, "flags");
        yield return Case(new FlowStatsEntry(), "empty match at the default priority");
        yield return Case(new FlowStatsEntry { TableId = 3, Priority = 0 }, "empty match at priority 0");
    }

    private static TestCaseData Case(FlowStatsEntry flow, string name) => new TestCaseData(flow).SetName($"{{m}}({name})");

    [TestCaseSource(nameof(Flows))]
    public void Append_WritesWhatFlowStatsTextWrites(FlowStatsEntry flow)
    {
        var names = new PortNames(new Dictionary<uint, string> { [3] = "qvovm1" });
        foreach (bool stats in new[] { true, false })
        {
            var expected = new StringBuilder(" ");
            FlowStatsText.Format(expected, flow, names, stats ? FlowStatsText.Options.WithStats : FlowStatsText.Options.NoStats);
            var actual = new StringBuilder(" ");

            FlowDumpText.Append(actual, flow, names, stats);

            Assert.That(actual.ToString(), Is.EqualTo(expected.ToString()), stats ? "with stats" : "--no-stats");
        }
    }
}
