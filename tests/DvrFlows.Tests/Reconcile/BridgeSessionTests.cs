using Dvr.DvrFlows.Apply;
using Dvr.DvrFlows.Reconcile;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Match;
using NUnit.Framework;

namespace Dvr.DvrFlows.Tests.Reconcile;

[TestFixture]
[CancelAfter(20_000)]
public class BridgeSessionTests
{
    private const ulong Cookie = 0x4456_5200_0000_0000UL;

    private static FlowEntry Flow(ushort vlan, uint port, ulong cookie = Cookie) => new(
        0, 10, new MatchBuilder().VlanVid(vlan).Build(), cookie, new InstructionList(new ApplyActionsInstruction(new ActionList(new OutputAction(port)))));

    private static readonly BridgeSessionOptions FastRetry = new() { RetryDelay = TimeSpan.FromMilliseconds(20), AuditInterval = TimeSpan.FromHours(1) };

    [Test]
    public async Task Run_FirstConnect_InstallsDesiredAndSecondPassSendsNothing()
    {
        var fake = new FakeSwitchConnection(1, [Flow(9, 9)]);
        IReadOnlyList<FlowEntry> desired = [Flow(1, 1), Flow(2, 2)];
        var session = new BridgeSession("h", "br-int", Cookie, fake, () => desired, FastRetry);
        var run = session.RunAsync(CancellationToken.None);
        await WaitForInSync(session);

        session.RequestReconcile();
        await session.WhenIdleAsync();
        fake.Close();
        await run;

        Assert.Multiple(() =>
        {
            Assert.That(fake.Table.Snapshot(), Is.EquivalentTo(desired));
            Assert.That(fake.Applies, Is.EqualTo(1));
            Assert.That(session.Stats.LastDiff.IsEmpty, Is.True);
            Assert.That(session.State, Is.EqualTo(BridgeState.Disconnected));
        });
    }

    [Test]
    public async Task RequestReconcile_WhileApplyInFlight_CoalescesToLatestDesired()
    {
        var fake = new FakeSwitchConnection(1) { Gate = new TaskCompletionSource() };
        IReadOnlyList<FlowEntry> desired = [Flow(1, 1)];
        var session = new BridgeSession("h", "br-int", Cookie, fake, () => Volatile.Read(ref desired), FastRetry);
        var run = session.RunAsync(CancellationToken.None);
        while (fake.Applies == 0)
        {
            await Task.Delay(5);
        }

        for (ushort i = 2; i < 7; i++)
        {
            Volatile.Write(ref desired, [Flow(1, 1), Flow(i, i)]);
            session.RequestReconcile();
        }

        fake.Gate.SetResult();
        await WaitForInSync(session);
        await session.WhenIdleAsync();
        fake.Close();
        await run;

        Assert.Multiple(() =>
        {
            Assert.That(fake.Applies, Is.EqualTo(2), "one apply in flight plus one coalesced follow-up");
            Assert.That(fake.Table.Snapshot(), Is.EquivalentTo(desired));
        });
    }

    [Test]
    public async Task Apply_Rejected_MarksOutOfSyncRereadsAndRetries()
    {
        var fake = new FakeSwitchConnection(1) { RejectNext = 1 };
        IReadOnlyList<FlowEntry> desired = [Flow(1, 1)];
        var session = new BridgeSession("h", "br-int", Cookie, fake, () => desired, FastRetry);
        var run = session.RunAsync(CancellationToken.None);

        await WaitForInSync(session);
        fake.Close();
        await run;

        Assert.Multiple(() =>
        {
            Assert.That(session.Stats.BundlesFailed, Is.EqualTo(1));
            Assert.That(session.Stats.BundlesCommitted, Is.EqualTo(1));
            Assert.That(fake.Dumps, Is.EqualTo(2), "installed flows are read again after a rejection");
            Assert.That(fake.Table.Snapshot(), Is.EquivalentTo(desired));
        });
    }

    [Test]
    public async Task Audit_FlowDeletedByHand_IsPutBack()
    {
        var fake = new FakeSwitchConnection(1);
        IReadOnlyList<FlowEntry> desired = [Flow(1, 1), Flow(2, 2)];
        var session = new BridgeSession("h", "br-int", Cookie, fake, () => desired, FastRetry with { AuditInterval = TimeSpan.FromMilliseconds(100) });
        var run = session.RunAsync(CancellationToken.None);
        await WaitForInSync(session);

        lock (fake.Table)
        {
            fake.Table.Apply(desired[0].ToFlowMod(OpenFlow.Messages.Flow.FlowModCommand.DeleteStrict));
        }

        while (fake.Applies < 2)
        {
            await Task.Delay(20);
        }

        await session.WhenIdleAsync();
        fake.Close();
        await run;

        Assert.Multiple(() =>
        {
            Assert.That(fake.Table.Snapshot(), Is.EquivalentTo(desired));
            Assert.That(fake.AppliedDiffs[1].Adds, Is.EqualTo(new[] { desired[0] }));
        });
    }

    private static async Task WaitForInSync(BridgeSession session)
    {
        while (session.State != BridgeState.InSync)
        {
            await Task.Delay(5);
        }
    }
}
