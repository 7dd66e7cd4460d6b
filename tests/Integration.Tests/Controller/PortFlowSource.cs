using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using Dvr.DvrFlows.Controller;
using Dvr.DvrFlows.Reconcile;
using Dvr.DvrFlows.Topology;
using Dvr.OpenFlow;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Match;

namespace Dvr.Integration.Tests.Controller;

/// <summary>
/// A hand-written desired-flow source for the runtime tests (independent of the DVR compiler): br-int gets
/// two table-miss drops, and for every live port named vmN an in_port flow (table 0) and a dl_dst flow
/// (table 1); br-tun gets a drop and an in_port flow per vxN port. <see cref="ExpectedText"/> renders the
/// same flows in ovs-ofctl syntax, written independently of our encoder, for <c>ovs-ofctl diff-flows</c>.
/// </summary>
public sealed class PortFlowSource : IDesiredFlowSource
{
    public const ulong Cookie = GlobalSettings.DefaultCookie;
    public const string Host = "h1";
    public const string BrInt = "br-int";
    public const string BrTun = "br-tun";
    public const ulong BrIntDpid = 0x1a1;
    public const ulong BrTunDpid = 0x2a1;

    public static Topology Topology { get; } = new(
        GlobalSettings.Default,
        [new Host(Host, AgentMode.Dvr, IPAddress.Parse("192.0.2.1"), MacAddress.Parse("fa:16:3f:00:00:01"), new BridgeRef(BrInt, BrIntDpid), new BridgeRef(BrTun, BrTunDpid), ImmutableSortedDictionary<string, BridgeRef>.Empty)],
        [],
        [],
        [],
        []);

    private static InstructionList Output(uint port) => new(new ApplyActionsInstruction(new ActionList(new OutputAction(port))));

    private static InstructionList Goto(byte table) => new(new GotoTableInstruction(table));

    /// <summary>Extra br-int flows a test adds to the desired set (e.g. one the switch rejects).</summary>
    public IReadOnlyList<FlowEntry> ExtraBrInt { get; set; } = [];

    public static string MacOf(string vm) => $"fa:16:3e:00:00:{int.Parse(vm.AsSpan(2), CultureInfo.InvariantCulture):x2}";

    public IReadOnlyDictionary<string, IReadOnlyList<FlowEntry>> Compute(Topology topology, Host host, HostPortMap ports)
    {
        var brInt = new List<FlowEntry>
        {
            new(0, 0, Match.Any, Cookie, InstructionList.Drop),
            new(1, 0, Match.Any, Cookie, InstructionList.Drop),
        };
        foreach (var (name, ofport) in ports.PortsOf(BrInt).Where(p => p.Key.StartsWith("vm", StringComparison.Ordinal)).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            brInt.Add(new(0, 100, new MatchBuilder().InPort(ofport).Build(), Cookie, Goto(1)));
            brInt.Add(new(1, 100, new MatchBuilder().EthDst(MacAddress.Parse(MacOf(name))).Build(), Cookie, Output(ofport)));
        }

        brInt.AddRange(ExtraBrInt);
        var brTun = new List<FlowEntry> { new(0, 0, Match.Any, Cookie, InstructionList.Drop) };
        foreach (var (_, ofport) in ports.PortsOf(BrTun).Where(p => p.Key.StartsWith("vx", StringComparison.Ordinal)))
        {
            brTun.Add(new(0, 10, new MatchBuilder().InPort(ofport).Build(), Cookie, Goto(4)));
        }

        return new Dictionary<string, IReadOnlyList<FlowEntry>> { [BrInt] = brInt, [BrTun] = brTun };
    }

    /// <summary>The expected br-int flows in ovs-ofctl syntax for the given vm ports (name → ofport).</summary>
    public static List<string> ExpectedBrInt(IReadOnlyDictionary<string, int> vms)
    {
        var lines = new List<string>
        {
            "cookie=0x4456520000000000,table=0,priority=0,actions=drop",
            "cookie=0x4456520000000000,table=1,priority=0,actions=drop",
        };
        foreach (var (name, ofport) in vms)
        {
            lines.Add($"cookie=0x4456520000000000,table=0,priority=100,in_port={ofport},actions=goto_table:1");
            lines.Add($"cookie=0x4456520000000000,table=1,priority=100,dl_dst={MacOf(name)},actions=output:{ofport}");
        }

        return lines;
    }

    public static List<string> ExpectedBrTun(IReadOnlyDictionary<string, int> tunnels)
    {
        var lines = new List<string> { "cookie=0x4456520000000000,table=0,priority=0,actions=drop" };
        lines.AddRange(tunnels.Values.Select(p => $"cookie=0x4456520000000000,table=0,priority=10,in_port={p},actions=goto_table:4"));
        return lines;
    }
}
