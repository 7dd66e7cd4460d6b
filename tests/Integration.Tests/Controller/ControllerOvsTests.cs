using System.Diagnostics;
using Dvr.DvrFlows.Apply;
using Dvr.DvrFlows.Controller;
using Dvr.DvrFlows.Reconcile;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Connection;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Match;
using NUnit.Framework;

namespace Dvr.Integration.Tests.Controller;

/// <summary>
/// The controller runtime against a real ovs-vswitchd (userspace datapath). The tests run in order on one
/// testbed, each starting from the state the previous one left, as a switch's life goes: first sync, idle
/// re-sync, a port added, a foreign flow, a hand-deleted flow, an ofport change, controller restart,
/// vswitchd restart. Truth is <c>ovs-ofctl diff-flows</c> against independently written flow text.
/// </summary>
[TestFixture]
[Category("Ovs")]
[NonParallelizable]
public class ControllerOvsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly Dictionary<string, int> _vms = new(StringComparer.Ordinal) { ["vm1"] = 11, ["vm2"] = 12 };
    private readonly Dictionary<string, int> _tunnels = new(StringComparer.Ordinal) { ["vx1"] = 101 };
    private readonly List<string> _foreign = [];
    private readonly PortFlowSource _source = new();
    private OvsTestbed _ovs = null!;
    private CapturingLoggerProvider _log = null!;
#pragma warning disable NUnit1032 // Replaced by the restart test and disposed in StopOvs (DisposeAsync).
    private ControllerHost _host = null!;
#pragma warning restore NUnit1032

    private DvrController Controller => _host.Controller;

    [OneTimeSetUp]
    public void StartOvs()
    {
        _ovs = OvsTestbed.Start();
        _log = new CapturingLoggerProvider();
        _host = StartController();
        _ovs.AddBridge(PortFlowSource.BrInt, PortFlowSource.BrIntDpid);
        _ovs.AddBridge(PortFlowSource.BrTun, PortFlowSource.BrTunDpid);
        foreach (var (name, ofport) in _vms)
        {
            _ovs.AddInternalPort(PortFlowSource.BrInt, name, ofport);
        }

        _ovs.AddInternalPort(PortFlowSource.BrTun, "vx1", 101);
        _ovs.SetController(PortFlowSource.BrInt);
        _ovs.SetController(PortFlowSource.BrTun);
    }

    [OneTimeTearDown]
    public async Task StopOvs()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        _ovs?.Dispose();
        _log?.Dispose();
    }

    [Test]
    [Order(1)]
    public async Task Connect_ConvergesToExactlyTheDesiredFlows()
    {
        await WaitConvergedAsync();

        var brInt = Controller.FindSession(PortFlowSource.Host, PortFlowSource.BrInt)!;
        Assert.Multiple(() =>
        {
            Assert.That(_ovs.DiffFlows(PortFlowSource.BrInt, PortFlowSource.ExpectedBrInt(_vms)), Is.Empty);
            Assert.That(_ovs.DiffFlows(PortFlowSource.BrTun, PortFlowSource.ExpectedBrTun(_tunnels)), Is.Empty);
            Assert.That(brInt.Stats.BundlesCommitted, Is.EqualTo(1), "the first sync is one bundle");
            Assert.That(brInt.Stats.FlowModsSent, Is.EqualTo(6));
        });
    }

    [Test]
    [Order(2)]
    public async Task ReconcileAgain_WhenInSync_SendsNothing()
    {
        var session = Controller.FindSession(PortFlowSource.Host, PortFlowSource.BrInt)!;
        long before = session.Stats.FlowModsSent;

        session.RequestReconcile(rereadInstalled: true);
        await session.WhenIdleAsync().WaitAsync(Patience);

        Assert.Multiple(() =>
        {
            Assert.That(session.Stats.FlowModsSent, Is.EqualTo(before));
            Assert.That(session.Stats.LastDiff.IsEmpty, Is.True, session.Stats.LastDiff.ToString());
        });
    }

    [Test]
    [Order(3)]
    public async Task PortAdded_SendsOnlyThatPortsFlows()
    {
        var session = Controller.FindSession(PortFlowSource.Host, PortFlowSource.BrInt)!;
        long before = session.Stats.FlowModsSent;

        _ovs.AddInternalPort(PortFlowSource.BrInt, "vm3", 13);
        _vms["vm3"] = 13;
        await WaitConvergedAsync();

        Assert.Multiple(() =>
        {
            Assert.That(session.Stats.FlowModsSent - before, Is.EqualTo(2), "one in_port flow and one dl_dst flow");
            Assert.That(session.Stats.BundlesFailed, Is.Zero);
        });
    }

    [Test]
    [Order(4)]
    public async Task ForeignFlowUnderAnotherCookie_Survives()
    {
        const string foreign = "cookie=0x99,table=5,priority=7,actions=drop";
        _ovs.Ofctl("add-flow", PortFlowSource.BrInt, foreign);
        _foreign.Add(foreign);
        var session = Controller.FindSession(PortFlowSource.Host, PortFlowSource.BrInt)!;
        long before = session.Stats.FlowModsSent;

        session.RequestReconcile(rereadInstalled: true);
        await session.WhenIdleAsync().WaitAsync(Patience);

        Assert.Multiple(() =>
        {
            Assert.That(_ovs.DiffFlows(PortFlowSource.BrInt, [.. PortFlowSource.ExpectedBrInt(_vms), .. _foreign]), Is.Empty);
            Assert.That(session.Stats.FlowModsSent, Is.EqualTo(before));
        });
    }

    [Test]
    [Order(5)]
    public async Task OurFlowDeletedByHand_IsPutBack()
    {
        var session = Controller.FindSession(PortFlowSource.Host, PortFlowSource.BrInt)!;
        long before = session.Stats.FlowModsSent;

        _ovs.Ofctl("del-flows", PortFlowSource.BrInt, "--strict", $"table=1,priority=100,dl_dst={PortFlowSource.MacOf("vm2")}");
        await WaitUntilAsync(() => session.Stats.FlowModsSent > before);
        await WaitConvergedAsync();

        Assert.That(session.Stats.FlowModsSent - before, Is.EqualTo(1));
    }

    [Test]
    [Order(6)]
    public async Task OfportChanged_FlowsFollow()
    {
        _ovs.DeletePort(PortFlowSource.BrInt, "vm2");
        _ovs.AddInternalPort(PortFlowSource.BrInt, "vm2", 22);
        _vms["vm2"] = 22;

        await WaitConvergedAsync();

        Assert.That(_ovs.DumpFlows(PortFlowSource.BrInt), Has.Some.Contains("in_port=22"));
    }

    [Test]
    [Order(7)]
    public async Task ControllerRestart_WithNothingChanged_SendsNoFlowMods()
    {
        await _host.DisposeAsync();
        _host = StartController();

        await WaitConvergedAsync();

        Assert.Multiple(() =>
        {
            foreach (var session in Controller.Sessions)
            {
                Assert.That(session.Stats.FlowModsSent, Is.Zero, $"{session.Bridge} after controller restart");
            }

            Assert.That(Controller.Sessions, Has.Count.EqualTo(2));
        });
    }

    [Test]
    [Order(8)]
    public async Task VswitchdRestart_RestoresEveryFlow()
    {
        _ovs.RestartVswitchd();
        _foreign.Clear(); // ovs-vswitchd keeps no flows across a restart; only ours come back.

        await WaitUntilAsync(() => Controller.Sessions.Count == 2 && Controller.Sessions.All(s => s.Stats.FlowModsSent > 0));
        await WaitConvergedAsync();

        Assert.Multiple(() =>
        {
            Assert.That(_ovs.DiffFlows(PortFlowSource.BrInt, PortFlowSource.ExpectedBrInt(_vms)), Is.Empty);
            Assert.That(_ovs.DiffFlows(PortFlowSource.BrTun, PortFlowSource.ExpectedBrTun(_tunnels)), Is.Empty);
        });
    }

    [Test]
    [Order(9)]
    public async Task RejectedFlow_DiscardsTheWholeBundle_ReportsTheFlow_AndRecoversWhenFixed()
    {
        var session = Controller.FindSession(PortFlowSource.Host, PortFlowSource.BrInt)!;
        long failuresBefore = session.Stats.BundlesFailed;
        var good = new FlowEntry(2, 50, new MatchBuilder().InPort(11).Build(), PortFlowSource.Cookie, new InstructionList(new ApplyActionsInstruction(new ActionList(new OutputAction(12)))));
        // goto_table must point forward (OpenFlow 1.3.5 §5.1); OVS rejects it with OFPBIC_BAD_TABLE_ID.
        var bad = new FlowEntry(3, 50, new MatchBuilder().InPort(12).Build(), PortFlowSource.Cookie, new InstructionList(new GotoTableInstruction(1)));

        _source.ExtraBrInt = [good, bad];
        Controller.UpdateTopology(PortFlowSource.Topology); // recompile: the source's flows changed
        await WaitUntilAsync(() => session.Stats.BundlesFailed > failuresBefore);
        var flowsWhileRejected = _ovs.DumpFlows(PortFlowSource.BrInt);
        var stateWhileRejected = session.State;
        _source.ExtraBrInt = [good];
        Controller.UpdateTopology(PortFlowSource.Topology); // recompile: the source's flows changed
        await WaitUntilAsync(() => session.State == BridgeState.InSync && _ovs.DumpFlows(PortFlowSource.BrInt).Any(f => f.Contains("table=2", StringComparison.Ordinal)));

        Assert.Multiple(() =>
        {
            Assert.That(flowsWhileRejected, Has.None.Contains("table=2"), "atomic: the good flow of the rejected bundle was not applied either");
            Assert.That(flowsWhileRejected, Has.None.Contains("table=3"));
            Assert.That(stateWhileRejected, Is.EqualTo(BridgeState.OutOfSync));
            Assert.That(_log.Lines, Has.Some.Contains("OFPBIC_BAD_TABLE_ID").And.Contains("goto_table:1"), "the error names the offending flow in ovs-ofctl text");
        });
        _source.ExtraBrInt = [];
        Controller.UpdateTopology(PortFlowSource.Topology); // recompile: the source's flows changed
        await WaitConvergedAsync();
    }

    private ControllerHost StartController()
    {
        var controller = new DvrController(
            PortFlowSource.Topology,
            _source,
            new BridgeSessionOptions { AuditInterval = TimeSpan.FromMilliseconds(500), RetryDelay = TimeSpan.FromMilliseconds(200) },
            loggerFactory: _log);
        var host = new ControllerHost(controller, loggerFactory: _log);
        host.Listen(OpenFlowEndpoint.Parse($"unix:{_ovs.ControllerSocket}"));
        return host;
    }

    private async Task WaitConvergedAsync()
    {
        await WaitUntilAsync(() =>
            Controller.Sessions.Count == 2
            && Controller.Sessions.All(s => s.State == BridgeState.InSync)
            && _ovs.DiffFlows(PortFlowSource.BrInt, [.. PortFlowSource.ExpectedBrInt(_vms), .. _foreign]).Length == 0
            && _ovs.DiffFlows(PortFlowSource.BrTun, PortFlowSource.ExpectedBrTun(_tunnels)).Length == 0);
        foreach (var session in Controller.Sessions)
        {
            await session.WhenIdleAsync().WaitAsync(Patience);
        }
    }

    private async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Patience)
            {
                Assert.Fail($"not reached within {Patience.TotalSeconds} s. br-int flows:\n{string.Join('\n', SafeDump())}\nlog:\n{string.Join('\n', _log.Lines.TakeLast(40))}");
            }

            await Task.Delay(100);
        }
    }

    private IEnumerable<string> SafeDump()
    {
        try
        {
            return _ovs.DumpFlows(PortFlowSource.BrInt);
        }
        catch (InvalidOperationException ex)
        {
            return [ex.Message];
        }
    }
}
