using System.Collections.Immutable;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Pipeline;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Match;
using NUnit.Framework;

namespace Dvr.DvrFlows.Tests.Compiler;

/// <summary>
/// <see cref="DesiredFlowSet.FromSorted"/> trusts nothing: it checks the order, the bridge and unique keys of
/// what the compiler hands it, in one pass, reporting an order error before a foreign flow before a duplicate.
/// </summary>
public class DesiredFlowSetFromSortedTests
{
    private static readonly FlowFactory Tun = new(BridgeKind.Tunnel, "br-tun", 7);

    private static DesiredFlow Unicast(ulong mac, string owner, uint output = 1) =>
        Tun.Flow(BrTunTables.UcastToTun, BrTunPriority.UnicastEntry,
            MatchBuilder.Of(OxmEntry.Exact(OxmFields.EthDst, mac), OxmEntry.Exact(OxmFields.VlanVid, 0x1001)),
            Instr.Apply(new OutputAction(output)), FlowOwner.Port(owner), $"unicast {owner}");

    [Test]
    public void FromSorted_AcceptsSortedFlowsWithUniqueKeys()
    {
        ImmutableArray<DesiredFlow> flows = [Unicast(1, "a"), Unicast(2, "b"), Unicast(3, "c")];

        var set = DesiredFlowSet.FromSorted(BridgeKind.Tunnel, "br-tun", flows);

        Assert.That(set.Flows, Is.EqualTo(flows));
    }

    [Test]
    public void FromSorted_RejectsFlowsOutOfOrder_NamingTheIndex()
    {
        ImmutableArray<DesiredFlow> flows = [Unicast(1, "a"), Unicast(3, "c"), Unicast(2, "b")];

        var error = Assert.Throws<ArgumentException>(() => DesiredFlowSet.FromSorted(BridgeKind.Tunnel, "br-tun", flows));

        Assert.That(error!.Message, Does.Contain("not in canonical order at index 2 (unicast c before unicast b)"));
    }

    [Test]
    public void FromSorted_RejectsEqualKeysWithOwnersOutOfOrder()
    {
        ImmutableArray<DesiredFlow> flows = [Unicast(1, "b"), Unicast(1, "a")];

        var error = Assert.Throws<ArgumentException>(() => DesiredFlowSet.FromSorted(BridgeKind.Tunnel, "br-tun", flows));

        Assert.That(error!.Message, Does.Contain("not in canonical order at index 1"));
    }

    [Test]
    public void FromSorted_RejectsTwoFlowsWithOneKey_NamingBoth()
    {
        ImmutableArray<DesiredFlow> flows = [Unicast(1, "a"), Unicast(2, "b"), Unicast(2, "c", output: 9), Unicast(4, "d")];

        var error = Assert.Throws<InvalidOperationException>(() => DesiredFlowSet.FromSorted(BridgeKind.Tunnel, "br-tun", flows));

        Assert.That(error!.Message, Is.EqualTo($"br-tun table 20 priority {BrTunPriority.UnicastEntry}: two flows with the same match (port:b 'unicast b' and port:c 'unicast c')"));
    }

    [Test]
    public void FromSorted_RejectsAFlowOfAnotherBridge_BeforeADuplicate()
    {
        var other = new FlowFactory(BridgeKind.Tunnel, "br-tun2", 7);
        var foreign = other.Flow(BrTunTables.UcastToTun, BrTunPriority.UnicastEntry,
            MatchBuilder.Of(OxmEntry.Exact(OxmFields.EthDst, 5), OxmEntry.Exact(OxmFields.VlanVid, 0x1001)), Instr.Drop, FlowOwner.Port("x"), "foreign");
        ImmutableArray<DesiredFlow> flows = [Unicast(1, "a"), Unicast(1, "b"), foreign];

        var error = Assert.Throws<ArgumentException>(() => DesiredFlowSet.FromSorted(BridgeKind.Tunnel, "br-tun", flows));

        Assert.That(error!.Message, Does.Contain("flow for br-tun2 (foreign) placed in the set of br-tun"));
    }

    [Test]
    public void FromSorted_RejectsAnOrderErrorBeforeAnEarlierDuplicate()
    {
        ImmutableArray<DesiredFlow> flows = [Unicast(1, "a"), Unicast(1, "b"), Unicast(3, "c"), Unicast(2, "d")];

        Assert.Throws<ArgumentException>(() => DesiredFlowSet.FromSorted(BridgeKind.Tunnel, "br-tun", flows));
    }
}
