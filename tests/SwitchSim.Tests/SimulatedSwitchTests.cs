using System.Collections.Immutable;
using Dvr.DvrFlows.Apply;
using Dvr.DvrFlows.Reconcile;
using Dvr.OpenFlow;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Connection;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Match;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Messages.Switch;
using NUnit.Framework;

namespace Dvr.SwitchSim.Tests;

/// <summary>The simulator as the controller's own switch session (<see cref="OpenFlowSwitch"/>) sees it.</summary>
public class SimulatedSwitchTests
{
    private const ulong Cookie = 0x4456520000000000;

    [Test]
    public async Task Handshake_ReportsDatapathAndPortNames()
    {
        // Arrange
        var options = new SimulatedSwitchOptions { DatapathId = 0x111, BridgeName = "br-int", Ports = [new("patch-tun", 1), new("tap-vm1", 5)] };
        var (controller, simulated) = await TestController.ConnectSimulatedAsync(options);
        await using (controller)
        await using (simulated)
        {
            // Act
            var session = await OpenFlowSwitch.HandshakeAsync(controller.Channel);

            // Assert
            Assert.Multiple(() =>
            {
                Assert.That(session.DatapathId, Is.EqualTo(0x111UL));
                Assert.That(session.Ports, Is.EquivalentTo(new Dictionary<string, uint> { ["patch-tun"] = 1, ["tap-vm1"] = 5, ["br-int"] = OfpPort.Local }));
            });
        }
    }

    [Test]
    public async Task AddPort_ReachesTheControllerAsPortStatus()
    {
        // Arrange
        var (controller, simulated) = await TestController.ConnectSimulatedAsync(new SimulatedSwitchOptions { DatapathId = 7 });
        await using (controller)
        await using (simulated)
        {
            var session = await OpenFlowSwitch.HandshakeAsync(controller.Channel);
            var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            session.PortsChanged += (_, _) => changed.TrySetResult();

            // Act
            await simulated.AddPortAsync("qr-red", 9);
            await changed.Task.WaitAsync(TimeSpan.FromSeconds(10));

            // Assert
            Assert.That(session.Ports["qr-red"], Is.EqualTo(9u));
        }
    }

    [Test]
    public async Task ApplyAsync_BundleLandsAndDumpReadsItBackByCookie()
    {
        // Arrange: 2,000 flows (the dump needs several REPLY_MORE parts), one foreign flow under another cookie.
        var (controller, simulated) = await TestController.ConnectSimulatedAsync(new SimulatedSwitchOptions { DatapathId = 1 });
        await using (controller)
        await using (simulated)
        {
            var session = await OpenFlowSwitch.HandshakeAsync(controller.Channel);
            var desired = Enumerable.Range(0, 2000).Select(i => Flow(i, Cookie)).ToImmutableArray();
            await session.ApplyAsync(new FlowDiff([], [], [Flow(5000, 0x1234)]), CancellationToken.None);

            // Act
            await session.ApplyAsync(new FlowDiff([], [], desired), CancellationToken.None);
            var installed = await session.DumpFlowsAsync(Cookie, CancellationToken.None);
            var again = Reconciler.Compare(installed, desired);

            // Assert
            Assert.Multiple(() =>
            {
                Assert.That(simulated.FlowCount, Is.EqualTo(2001));
                Assert.That(installed, Has.Count.EqualTo(2000), "only our cookie");
                Assert.That(again.IsEmpty, Is.True, "a second reconcile sends nothing");
                Assert.That(simulated.BundlesCommitted, Is.EqualTo(2));
            });
        }
    }

    [Test]
    public async Task ApplyAsync_ChangeSetLargerThanOneEncodeSlab_LandsWholeInOneBundle()
    {
        // Arrange: 350,000 bundled flows of 112 bytes (39 MB) are more than one 32 MiB encode slab, so the bundle is
        // written in two slabs.
        var (controller, simulated) = await TestController.ConnectSimulatedAsync(new SimulatedSwitchOptions { DatapathId = 1 });
        await using (controller)
        await using (simulated)
        {
            var session = await OpenFlowSwitch.HandshakeAsync(controller.Channel);
            var desired = Enumerable.Range(0, 350_000).Select(i => Flow(i, Cookie)).ToImmutableArray();

            // Act
            await session.ApplyAsync(new FlowDiff([], [], desired), CancellationToken.None);

            // Assert
            Assert.Multiple(() =>
            {
                Assert.That(simulated.FlowCount, Is.EqualTo(350_000));
                Assert.That(simulated.BundlesCommitted, Is.EqualTo(1));
            });
        }
    }

    [Test]
    public async Task ApplyAsync_RejectedFlowDiscardsTheWholeBundle()
    {
        // Arrange: one ADD in the change set has a backwards goto_table, which the switch refuses.
        var (controller, simulated) = await TestController.ConnectSimulatedAsync(new SimulatedSwitchOptions { DatapathId = 1 });
        await using (controller)
        await using (simulated)
        {
            var session = await OpenFlowSwitch.HandshakeAsync(controller.Channel);
            var bad = new FlowEntry(3, 10, Match.Any, Cookie, new InstructionList(new GotoTableInstruction(1)));
            var diff = new FlowDiff([], [], [Flow(1, Cookie), bad, Flow(2, Cookie)]);

            // Act
            var error = Assert.ThrowsAsync<FlowApplyException>(() => session.ApplyAsync(diff, CancellationToken.None));

            // Assert
            Assert.Multiple(() =>
            {
                Assert.That(error!.Error, Is.EqualTo(OfpError.BadInstructionTableId));
                Assert.That(error.Flow, Is.EqualTo(bad));
                Assert.That(simulated.FlowCount, Is.Zero, "nothing of the bundle applied");
            });
        }
    }

    [Test]
    public async Task RoleRequest_StaleGenerationIsRefused()
    {
        // Arrange
        var (controller, simulated) = await TestController.ConnectSimulatedAsync(new SimulatedSwitchOptions { DatapathId = 1 });
        await using (controller)
        await using (simulated)
        {
            var session = await OpenFlowSwitch.HandshakeAsync(controller.Channel);

            // Act
            var granted = await session.RequestRoleAsync(ControllerRole.Primary, 10);
            var stale = Assert.ThrowsAsync<OpenFlowErrorReplyException>(() => session.RequestRoleAsync(ControllerRole.Primary, 9));
            var current = await session.RequestRoleAsync(ControllerRole.NoChange, 0);

            // Assert
            Assert.Multiple(() =>
            {
                Assert.That(granted.Role, Is.EqualTo(ControllerRole.Primary));
                Assert.That(stale!.Error, Is.EqualTo(OfpError.RoleStale));
                Assert.That(current.Role, Is.EqualTo(ControllerRole.Primary));
                Assert.That(current.GenerationId, Is.EqualTo(10UL));
            });
        }
    }

    [Test]
    public async Task UnsupportedMessage_GetsBadTypeEchoingTheRequest()
    {
        // Arrange
        var (controller, simulated) = await TestController.ConnectSimulatedAsync(new SimulatedSwitchOptions { DatapathId = 1 });
        await using (controller)
        await using (simulated)
        {
            // Act: GET_CONFIG_REQUEST is valid OpenFlow that the simulator does not model.
            var reply = Assert.ThrowsAsync<OpenFlowErrorReplyException>(() => controller.Channel.RequestAsync(new Dvr.OpenFlow.Messages.Switch.GetConfigRequest()));

            // Assert
            Assert.That(reply!.Error, Is.EqualTo(OfpError.BadType));
        }
    }

    [Test]
    public void Covers_LooseMatchSelectsOnlyMoreSpecificFlows()
    {
        // Arrange
        var slash8 = new MatchBuilder().EthType(0x0800).Masked(OxmFields.Ipv4Src, 0x0a000000, 0xff000000).Build();
        var slash16 = new MatchBuilder().EthType(0x0800).Masked(OxmFields.Ipv4Src, 0x0a010000, 0xffff0000).Build();
        var host = new MatchBuilder().EthType(0x0800).Exact(OxmFields.Ipv4Src, 0x0a010203).Build();

        // Act + Assert
        Assert.Multiple(() =>
        {
            Assert.That(SimulatedFlowTable.Covers(slash16, host), Is.True);
            Assert.That(SimulatedFlowTable.Covers(slash16, slash8), Is.False);
            Assert.That(SimulatedFlowTable.Covers(Match.Any, slash8), Is.True);
            Assert.That(SimulatedFlowTable.Covers(host, slash16), Is.False);
        });
    }

    private static FlowEntry Flow(int i, ulong cookie) =>
        new(0, 100, new MatchBuilder().EthDst(new MacAddress(0x020000000000UL + (ulong)i)).Build(), cookie, new InstructionList(new ApplyActionsInstruction(new ActionList(new OutputAction(2)))));
}
