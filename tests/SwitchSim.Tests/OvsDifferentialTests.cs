using System.Net;
using Dvr.DvrFlows.Tests.Ovs;
using Dvr.OpenFlow;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Match;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Messages.Bundle;
using Dvr.OpenFlow.Messages.Flow;
using Dvr.OpenFlow.Messages.Multipart;
using NUnit.Framework;
using OfMatch = Dvr.OpenFlow.Match.Match;

namespace Dvr.SwitchSim.Tests;

/// <summary>
/// The simulator against the oracle: the same FLOW_MOD and bundle sequence goes to a real Open vSwitch 3.1
/// bridge (netdev, private namespace) and to a <see cref="SimulatedSwitch"/>; both must answer the same
/// errors for the same xids and end with the same flow table (dumped through OFPMP_FLOW by each).
/// </summary>
[NonParallelizable]
public class OvsDifferentialTests
{
    private const ulong CookieA = 0x4456520000000001;
    private const ulong CookieB = 0x4456520000000002;
    private static readonly MacAddress MacA = new(0xfa163e000001);
    private static readonly MacAddress MacB = new(0xfa163e000002);
    private static readonly MacAddress MacZ = new(0xfa163e0000ff);

    private static OvsSandbox _ovs = null!;

    [OneTimeSetUp]
    public void StartOvs()
    {
        _ovs = OvsSandbox.Start();
        _ovs.AddBridge("br0");
    }

    [OneTimeTearDown]
    public void StopOvs() => _ovs?.Dispose();

    [SetUp]
    public void EmptyBridge() => _ovs.Ofctl("del-flows", "br0");

    [Test]
    public async Task FlowModSequence_LeavesTheSameTableAndErrorsAsOvs()
    {
        // Arrange
        var script = new List<OpenFlowMessage>();
        uint xid = 100;
        void Add(FlowMod mod) => script.Add(mod with { Xid = xid++ });
        Add(Mod(FlowModCommand.Add, 0, 100, Dst(MacA), CookieA, Output(1)));
        Add(Mod(FlowModCommand.Add, 0, 100, Dst(MacB), CookieA, Output(2)));
        Add(Mod(FlowModCommand.Add, 0, 200, Dst(MacA), CookieB, Output(3)));     // same match, other priority: another flow
        Add(Mod(FlowModCommand.Add, 1, 100, Dst(MacA), CookieA, Output(4)));     // same match and priority, other table
        Add(Mod(FlowModCommand.Add, 0, 100, Dst(MacB), CookieB, Output(5)));     // replaces, cookie included
        Add(Mod(FlowModCommand.ModifyStrict, 0, 100, Dst(MacA), CookieB, Output(6)) with { CookieMask = ulong.MaxValue });  // cookie differs: untouched
        Add(Mod(FlowModCommand.ModifyStrict, 0, 100, Dst(MacA), CookieA, Output(6)) with { CookieMask = ulong.MaxValue });  // changes actions, keeps cookie
        Add(Mod(FlowModCommand.ModifyStrict, 0, 100, Dst(MacZ), CookieA, Output(6)) with { CookieMask = ulong.MaxValue });  // absent: adds nothing
        Add(Mod(FlowModCommand.ModifyStrict, 0, 100, Dst(MacB), 0x99, Output(8)));                                           // new cookie, mask 0: cookie kept
        Add(Mod(FlowModCommand.DeleteStrict, 1, 100, Dst(MacA), CookieB, Output(1)) with { CookieMask = ulong.MaxValue });   // cookie differs: stays
        Add(Mod(FlowModCommand.DeleteStrict, 0, 200, Dst(MacA), CookieB, Output(1)) with { CookieMask = ulong.MaxValue });   // deleted
        Add(Mod(FlowModCommand.DeleteStrict, 0, 300, Dst(MacA), CookieA, Output(1)));                                        // absent: no error
        Add(Mod(FlowModCommand.Add, FlowMod.AllTables, 100, Dst(MacZ), CookieA, Output(1)));                                 // ADD to OFPTT_ALL: error
        Add(Mod(FlowModCommand.Add, 3, 100, Dst(MacZ), CookieA, new InstructionList(new GotoTableInstruction(2))));         // goto backwards: error
        Add(Mod(FlowModCommand.Add, 3, 100, Dst(MacZ), CookieA, new InstructionList(new GotoTableInstruction(3))));         // goto itself: error
        Add(Mod(FlowModCommand.Add, 2, 10, Ip(0x0a000000, 0xff000000), CookieA, Output(1)));
        Add(Mod(FlowModCommand.Add, 2, 50, Ip(0x0a010203, uint.MaxValue), CookieA, Output(2)));
        Add(Mod(FlowModCommand.Add, 2, 60, Ip(0x0a010000, 0xffff0000), CookieB, Output(2)));
        Add(Mod(FlowModCommand.Delete, 2, 0, Ip(0x0a010000, 0xffff0000), CookieA, Output(1)) with { CookieMask = ulong.MaxValue }); // loose: only the /32 of cookie A
        Add(Mod(FlowModCommand.Modify, FlowMod.AllTables, 0, Dst(MacB), 0, Output(7)));                                    // loose, all tables
        Add(Mod(FlowModCommand.Delete, FlowMod.AllTables, 0, OfMatch.Any, 0, InstructionList.Drop) with { OutPort = 4 });  // out_port filter
        Add(Mod(FlowModCommand.Add, 4, 1, OfMatch.Any, CookieA, new InstructionList(new GotoTableInstruction(9))));

        // Act
        var (ovsErrors, ovsFlows) = await RunOnOvsAsync(script);
        var (simErrors, simFlows) = await RunOnSimulatorAsync(script);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(ovsFlows, Has.Count.GreaterThan(3), "the script must leave flows to compare");
            Assert.That(ovsErrors, Has.Count.GreaterThanOrEqualTo(2), "the script must provoke errors to compare");
            Assert.That(simFlows, Is.EqualTo(ovsFlows), "flow table after the sequence");
            Assert.That(Describe(simErrors), Is.EqualTo(Describe(ovsErrors)), "errors by xid");
        });
    }

    [Test]
    public async Task Bundles_CommitDiscardAndBadIdsAsOvs()
    {
        // Arrange
        const BundleFlags atomic = BundleFlags.Atomic | BundleFlags.Ordered;
        var script = new List<OpenFlowMessage>();
        uint xid = 500;
        void Control(uint id, BundleControlType type, BundleFlags flags = atomic) =>
            script.Add(new BundleControl { Xid = xid++, BundleId = id, ControlType = type, Flags = flags });
        void AddTo(uint id, FlowMod mod, BundleFlags flags = atomic)
        {
            uint x = xid++;
            script.Add(new BundleAddMessage { Xid = x, BundleId = id, Flags = flags, Message = mod with { Xid = x } });
        }

        script.Add(Mod(FlowModCommand.Add, 0, 100, Dst(MacZ), CookieB, Output(9)) with { Xid = xid++ });
        Control(1, BundleControlType.OpenRequest);
        AddTo(1, Mod(FlowModCommand.Add, 0, 100, Dst(MacA), CookieA, Output(1)));
        AddTo(1, Mod(FlowModCommand.Add, 5, 100, Dst(MacA), CookieA, new InstructionList(new GotoTableInstruction(1))));  // refused at add time
        AddTo(1, Mod(FlowModCommand.Add, 0, 100, Dst(MacB), CookieA, Output(2)));
        AddTo(1, Mod(FlowModCommand.DeleteStrict, 0, 100, Dst(MacZ), CookieB, InstructionList.Drop) with { CookieMask = ulong.MaxValue });
        Control(1, BundleControlType.CommitRequest);
        Control(2, BundleControlType.OpenRequest);
        AddTo(2, Mod(FlowModCommand.Add, 0, 100, Dst(MacZ), CookieA, Output(3)));
        Control(2, BundleControlType.DiscardRequest);                             // nothing of bundle 2 lands
        Control(3, BundleControlType.CommitRequest);                              // never opened
        Control(4, BundleControlType.DiscardRequest);                             // never opened
        Control(5, BundleControlType.OpenRequest);
        Control(5, BundleControlType.OpenRequest);                                // already open
        Control(6, BundleControlType.OpenRequest);
        Control(6, BundleControlType.CommitRequest, BundleFlags.Atomic);          // other flags
        AddTo(7, Mod(FlowModCommand.Add, 0, 90, Dst(MacZ), CookieA, Output(4)));  // implicit open
        Control(7, BundleControlType.CommitRequest);
        Control(8, BundleControlType.OpenRequest);
        Control(8, BundleControlType.CloseRequest);
        AddTo(8, Mod(FlowModCommand.Add, 0, 80, Dst(MacZ), CookieA, Output(5)));  // closed
        Control(8, BundleControlType.CommitRequest);

        // Act
        var (ovsErrors, ovsFlows) = await RunOnOvsAsync(script);
        var (simErrors, simFlows) = await RunOnSimulatorAsync(script);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(ovsFlows, Has.Count.GreaterThanOrEqualTo(2), "the script must leave flows to compare");
            Assert.That(simFlows, Is.EqualTo(ovsFlows), "flow table after the bundles");
            Assert.That(Describe(simErrors), Is.EqualTo(Describe(ovsErrors)), "errors by xid");
        });
    }

    [Test]
    public async Task FlowStats_SplitsIntoTheSamePartsAsOvs()
    {
        // Arrange: 3,000 flows of two sizes, so the parts fill unevenly.
        var script = Enumerable.Range(0, 3000).Select(i => (OpenFlowMessage)(Mod(
            FlowModCommand.Add,
            (byte)(i % 3),
            (ushort)(100 + (i % 7)),
            i % 2 == 0 ? Dst(new MacAddress(0x020000000000UL + (ulong)i)) : new MatchBuilder().InPort(1).EthDst(new MacAddress(0x020000000000UL + (ulong)i)).Build(),
            CookieA,
            Output((uint)(1 + (i % 5)))) with { Xid = (uint)(1000 + i) })).ToList();
        var request = new FlowStatsRequest { TableId = 1, Cookie = CookieA, CookieMask = ulong.MaxValue };

        // Act
        List<(int Length, bool More)> ovsParts;
        await using (var ovs = await TestController.ConnectUnixAsync(Path.Combine(_ovs.Directory, "br0.mgmt")))
        {
            await ovs.SendAsync(script);
            await ovs.BarrierAsync();
            ovsParts = [.. (await ovs.FlowStatsPartsAsync(request)).Select(p => (p.Bytes.Length, p.IsMultipartReplyMore))];
        }

        var (controller, simulated) = await TestController.ConnectSimulatedAsync(new SimulatedSwitchOptions { DatapathId = 1 });
        List<(int Length, bool More)> simParts;
        await using (controller)
        await using (simulated)
        {
            await controller.SendAsync(script);
            await controller.BarrierAsync();
            simParts = [.. (await controller.FlowStatsPartsAsync(request)).Select(p => (p.Bytes.Length, p.IsMultipartReplyMore))];
        }

        // Assert: OVS's part boundaries depend on its classifier's order of equal-priority flows, so the byte
        // length of each part may differ by an entry; the count, the flags, the 64 KiB bound and the total must not.
        Assert.Multiple(() =>
        {
            Assert.That(ovsParts, Has.Count.GreaterThan(1), "1,000 flows must need more than one part");
            Assert.That(simParts.Select(p => p.More), Is.EqualTo(ovsParts.Select(p => p.More)), "REPLY_MORE flags, part by part");
            Assert.That(simParts.Sum(p => p.Length - 16), Is.EqualTo(ovsParts.Sum(p => p.Length - 16)), "entry bytes over all parts");
            Assert.That(simParts.Max(p => p.Length), Is.LessThanOrEqualTo(ushort.MaxValue).And.GreaterThan(ushort.MaxValue - 200), "a full part is just under 64 KiB, as OVS's");
        });
    }

    private static async Task<(Dictionary<uint, OfpError> Errors, List<string> Flows)> RunOnOvsAsync(List<OpenFlowMessage> script)
    {
        await using var ovs = await TestController.ConnectUnixAsync(Path.Combine(_ovs.Directory, "br0.mgmt"));
        await ovs.SendAsync(script);
        await ovs.BarrierAsync();
        return (new Dictionary<uint, OfpError>(ovs.Errors), await ovs.DumpAsync());
    }

    private static async Task<(Dictionary<uint, OfpError> Errors, List<string> Flows)> RunOnSimulatorAsync(List<OpenFlowMessage> script)
    {
        var (controller, simulated) = await TestController.ConnectSimulatedAsync(new SimulatedSwitchOptions { DatapathId = 1 });
        await using (controller)
        await using (simulated)
        {
            await controller.SendAsync(script);
            await controller.BarrierAsync();
            return (new Dictionary<uint, OfpError>(controller.Errors), await controller.DumpAsync());
        }
    }

    private static List<string> Describe(Dictionary<uint, OfpError> errors) =>
        [.. errors.OrderBy(e => e.Key).Select(e => $"xid {e.Key}: {ErrorNames.Format(e.Value)}")];

    private static FlowMod Mod(FlowModCommand command, byte table, ushort priority, OfMatch match, ulong cookie, InstructionList instructions) => new()
    {
        Command = command,
        TableId = table,
        Priority = priority,
        Match = match,
        Cookie = cookie,
        Instructions = instructions,
    };

    private static OfMatch Dst(MacAddress mac) => new MatchBuilder().EthDst(mac).Build();

    private static OfMatch Ip(uint source, uint mask) =>
        new MatchBuilder().EthType(0x0800).Masked(OxmFields.Ipv4Src, source, mask).Build();

    private static InstructionList Output(uint port) => new(new ApplyActionsInstruction(new ActionList(new OutputAction(port))));
}
