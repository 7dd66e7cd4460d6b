using NUnit.Framework;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Pipeline;
using Dvr.OpenFlow.Match;

namespace Dvr.DvrFlows.Tests.Pipeline;

public class PipelineSpecTests
{
    [Test]
    public void BrIntTables_HaveNeutronIds()
    {
        var ids = BrIntTables.Pipeline.Tables.ToDictionary(t => t.Name, t => (int)t.Id);

        Assert.That(ids, Is.EquivalentTo(new Dictionary<string, int>
        {
            ["LOCAL_SWITCHING"] = 0, ["DVR_TO_SRC_MAC"] = 1, ["DVR_TO_SRC_MAC_PHYSICAL"] = 2, ["ARP_DVR_MAC_TO_DST_MAC"] = 3,
            ["ARP_DVR_MAC_TO_DST_MAC_PHYSICAL"] = 4, ["CANARY"] = 23, ["ARP_SPOOF"] = 24, ["MAC_SPOOF"] = 25, ["LOCAL_EGRESS"] = 30,
            ["LOCAL_IP"] = 31, ["PACKET_RATE_LIMIT"] = 59, ["TRANSIENT"] = 60, ["TRANSIENT_EGRESS"] = 62,
        }));
    }

    [Test]
    public void BrTunTables_HaveNeutronIds()
    {
        var ids = BrTunTables.Pipeline.Tables.Select(t => (t.Id, t.Name)).ToList();

        Assert.That(ids, Is.EqualTo(new[]
        {
            ((byte)0, "LOCAL_SWITCHING"), ((byte)1, "DVR_PROCESS"), ((byte)2, "PATCH_LV_TO_TUN"), ((byte)3, "GRE_TUN_TO_LV"), ((byte)4, "VXLAN_TUN_TO_LV"),
            ((byte)6, "GENEVE_TUN_TO_LV"), ((byte)9, "DVR_NOT_LEARN"), ((byte)10, "LEARN_FROM_TUN"), ((byte)20, "UCAST_TO_TUN"),
            ((byte)21, "ARP_RESPONDER"), ((byte)22, "FLOOD_TO_TUN"),
        }));
    }

    [Test]
    public void BrPhysTables_HaveNeutronIds()
    {
        var ids = BrPhysTables.Pipeline.Tables.Select(t => (t.Id, t.Name)).ToList();

        Assert.That(ids, Is.EqualTo(new[]
        {
            ((byte)0, "LOCAL_SWITCHING"), ((byte)1, "DVR_PROCESS_PHYSICAL"), ((byte)2, "LOCAL_VLAN_TRANSLATION"), ((byte)3, "DVR_NOT_LEARN_PHYSICAL"),
        }));
    }

    [TestCase(BridgeKind.Integration)]
    [TestCase(BridgeKind.Tunnel)]
    [TestCase(BridgeKind.Physical)]
    public void EveryNextTable_IsADeclaredLaterTable(BridgeKind bridge)
    {
        var pipeline = PipelineSpec.For(bridge);

        var bad = pipeline.Tables.SelectMany(t => t.Next.Where(n => n <= t.Id || !pipeline.Contains(n)).Select(n => $"{t} -> {n}")).ToList();

        Assert.That(bad, Is.Empty);
    }

    [Test]
    public void PipelineSpec_RejectsGotoToAnEarlierTable()
    {
        var first = TableSpec.Create(0, "A", "a", 1);
        var second = TableSpec.Create(1, "B", "b", 0);

        var error = Assert.Throws<ArgumentException>(() => _ = new PipelineSpec(BridgeKind.Tunnel, first, second));

        Assert.That(error!.Message, Does.Contain("1 B may goto 0"));
    }

    [Test]
    public void FlowFactory_RejectsUndeclaredGoto()
    {
        var factory = new FlowFactory(BridgeKind.Integration, "br-int", 1);

        var error = Assert.Throws<InvalidOperationException>(() =>
            factory.Flow(BrIntTables.Transient, 3, Match.Any, Instr.Goto(BrIntTables.TransientEgress), FlowOwner.Bridge("br-int"), "test"));

        Assert.That(error!.Message, Does.Contain("goto_table:62 is not a declared next table"));
    }

    [Test]
    public void FlowFactory_RejectsTableOfAnotherBridge()
    {
        var factory = new FlowFactory(BridgeKind.Physical, "br-ex", 1);

        var error = Assert.Throws<InvalidOperationException>(() =>
            factory.Flow(BrTunTables.FloodToTun, 0, Match.Any, Instr.Drop, FlowOwner.Bridge("br-ex"), "test"));

        Assert.That(error!.Message, Does.Contain("not part of the Physical pipeline"));
    }

    [Test]
    public void FlowFactory_AcceptsDeclaredGoto()
    {
        var factory = new FlowFactory(BridgeKind.Integration, "br-int", 7);

        var flow = factory.Flow(BrIntTables.PacketRateLimit, 0, Match.Any, Instr.Goto(BrIntTables.Transient), FlowOwner.Bridge("br-int"), "test");

        Assert.That((flow.TableId, flow.Cookie), Is.EqualTo(((byte)59, 7UL)));
    }
}
