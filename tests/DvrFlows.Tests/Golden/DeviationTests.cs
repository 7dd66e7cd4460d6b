using Dvr.DvrFlows.Compiler;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Topology;
using NUnit.Framework;
using static Dvr.DvrFlows.Tests.Compiler.TestTopologies;

namespace Dvr.DvrFlows.Tests.Golden;

/// <summary>
/// Each deviation from Neutron 21.0 listed in docs/neutron-parity.md, asserted on the flows (the "mixed" test
/// topology has VLAN, flat and tunnel networks, allowed address pairs and a legacy-mode host).
/// </summary>
public class DeviationTests
{
    private static global::Dvr.DvrFlows.Topology.Topology _mixed = null!;
    private static CompiledHost _cn1 = null!;
    private static SyntheticPortMap _ports = null!;

    [OneTimeSetUp]
    public void CompileMixed()
    {
        _mixed = Mixed();
        _ports = SyntheticPortMap.For(_mixed, "cn1");
        _cn1 = DvrFlowCompiler.Compile(_mixed, "cn1", _ports);
    }

    private static List<string> Lines(CompiledHost host, SyntheticPortMap ports, string bridge) =>
        WorkedExampleGoldenTests.Stripped(host, ports, bridge);

    private static int Lv(string network) => LocalVlanAllocator.LocalVlans(_mixed, "cn1")[network];

    [Test]
    public void ArpDvrMacToDstMac_FlowGoesAwayWithTheRouterInterface()
    {
        // Neutron deletes it from table 1 (delete_dvr_dst_mac_for_arp) and the table-3 flow leaks (§8).
        var withoutQrRed = _mixed with { Ports = [.. _mixed.Ports.Where(p => p.Name != "qr-red")] };

        var before = _cn1["br-int"].Flows.Where(f => f.TableId == 3).ToList();
        var after = DvrFlowCompiler.Compile(withoutQrRed, "cn1", _ports)["br-int"].Flows.Where(f => f.TableId == 3).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(before.Select(f => f.Owner), Is.EqualTo(new[] { FlowOwner.RouterInterface("qr-red") }));
            Assert.That(after, Is.Empty);
        });
    }

    [Test]
    public void BrPhys_GatewayArpDrop_IsInReachableTable1()
    {
        var lines = Lines(_cn1, _ports, "br-physnet1");

        Assert.Multiple(() =>
        {
            Assert.That(lines, Does.Contain($"table=1, priority=3,arp,dl_vlan={Lv("blue")},arp_tpa=10.0.3.1 actions=drop"));
            Assert.That(lines, Does.Contain($"table=1, priority=3,arp,dl_vlan={Lv("flat")},arp_tpa=10.0.4.1 actions=drop"));
            Assert.That(_cn1["br-physnet1"].Flows.Where(f => f.TableId == 22), Is.Empty);
        });
    }

    [Test]
    public void BrInt_VlanArpReplyToDvrMac_TranslatesTheProviderVlan()
    {
        var lines = Lines(_cn1, _ports, "br-int");

        Assert.Multiple(() =>
        {
            Assert.That(lines, Does.Contain(
                $"priority=99,arp,in_port=\"int-br-physnet1\",dl_vlan=101,dl_dst=fa:16:3f:11:11:11,arp_op=2,arp_tha=fa:16:3e:00:03:01 " +
                $"actions=set_field:{4096 + Lv("blue")}->vlan_vid,set_field:fa:16:3e:00:03:01->eth_dst,goto_table:59"));
            Assert.That(lines, Does.Contain(
                $"priority=99,arp,in_port=\"int-br-physnet1\",vlan_tci=0x0000/0x1fff,dl_dst=fa:16:3f:11:11:11,arp_op=2,arp_tha=fa:16:3e:00:04:01 " +
                $"actions=push_vlan:0x8100,set_field:{4096 + Lv("flat")}->vlan_vid,set_field:fa:16:3e:00:04:01->eth_dst,goto_table:59"));
        });
    }

    [Test]
    public void BrInt_ArpDvrMacToDstMacPhysical_MatchesTheProviderVlan()
    {
        var lines = Lines(_cn1, _ports, "br-int");

        Assert.Multiple(() =>
        {
            Assert.That(lines, Does.Contain("table=4, priority=5,dl_vlan=101,dl_dst=fa:16:3f:11:11:11 actions=set_field:fa:16:3e:00:03:01->eth_dst,pop_vlan,output:\"qr-blue\""));
            Assert.That(lines, Does.Contain("table=4, priority=5,vlan_tci=0x0000/0x1fff,dl_dst=fa:16:3f:11:11:11 actions=set_field:fa:16:3e:00:04:01->eth_dst,output:\"qr-flat\""));
        });
    }

    [Test]
    public void BrInt_AllowedAddressPairMac_GetsDvrDelivery()
    {
        var lines = Lines(_cn1, _ports, "br-int");
        int lv = Lv("red");

        Assert.Multiple(() =>
        {
            Assert.That(lines, Does.Contain($"table=1, priority=20,dl_vlan={lv},dl_dst=fa:16:3e:00:01:aa actions=set_field:fa:16:3e:00:01:01->eth_src,goto_table:59"));
            Assert.That(lines, Does.Contain($"table=60, priority=20,dl_vlan={lv},dl_dst=fa:16:3e:00:01:aa actions=pop_vlan,output:qvovm1"));
        });
    }

    [Test]
    public void BrTun_PatchIntGoesStraightToDvrProcess()
    {
        var fromPatch = Lines(_cn1, _ports, "br-tun").Where(l => l.Contains("in_port=\"patch-int\"", StringComparison.Ordinal)).ToList();

        Assert.That(fromPatch, Is.EqualTo(new[] { "priority=1,in_port=\"patch-int\" actions=goto_table:1" }));
    }

    [Test]
    public void LegacyHost_GetsPlainL2WithoutDvrTables()
    {
        var ports = SyntheticPortMap.For(_mixed, "old");
        var old = DvrFlowCompiler.Compile(_mixed, "old", ports);
        var tun = Lines(old, ports, "br-tun");

        Assert.Multiple(() =>
        {
            Assert.That(old["br-int"].Flows.Where(f => f.TableId is >= 1 and <= 4), Is.Empty);
            Assert.That(old["br-tun"].Flows.Where(f => f.TableId is 1 or 9), Is.Empty);
            Assert.That(tun, Does.Contain("priority=1,in_port=\"patch-int\" actions=goto_table:2"));
            Assert.That(tun.Where(l => l.StartsWith("table=4, priority=1,", StringComparison.Ordinal)).All(l => l.EndsWith("goto_table:10", StringComparison.Ordinal)), Is.True);
        });
    }

    [Test]
    public void AdminDownPort_OnlyGetsItsDropFlow()
    {
        var vm5 = _cn1["br-int"].OwnedBy(FlowOwner.Port("vm5"));

        Assert.That(vm5.Select(f => DesiredFlowText.Format(f, _ports.NamesOf("br-int"))[" cookie=0x4456520000000000, ".Length..]),
            Is.EqualTo(new[] { "priority=2,in_port=qvovm5 actions=drop" }));
    }
}
