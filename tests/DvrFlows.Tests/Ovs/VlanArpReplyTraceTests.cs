using Dvr.DvrFlows.Compiler;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Topology;
using NUnit.Framework;
using static Dvr.DvrFlows.Tests.Compiler.TestTopologies;

namespace Dvr.DvrFlows.Tests.Ovs;

/// <summary>
/// The return path of the router's own ARP on a VLAN network (docs/neutron-parity.md, deviation 3), traced with
/// <c>ofproto/trace</c> on a real OVS loaded with cn1's flows of the mixed topology: the reply arrives from
/// int-br-physnet1 with the provider VLAN 101 and this host's DVR MAC as destination, and must reach qr-blue on
/// the local VLAN with the gateway MAC restored (Neutron's 0/99 leaves it on VLAN 101, §8).
/// </summary>
[NonParallelizable]
public class VlanArpReplyTraceTests
{
    private const string DvrMac = "fa:16:3f:11:11:11";
    private const string BlueGateway = "fa:16:3e:00:03:01";

    private static OvsSandbox _ovs = null!;
    private static int _blueLv;
    private static SyntheticPortMap _ports = null!;

    [OneTimeSetUp]
    public void LoadCn1()
    {
        var topology = Mixed();
        _blueLv = LocalVlanAllocator.LocalVlans(topology, "cn1")["blue"];
        _ports = SyntheticPortMap.For(topology, "cn1");
        var compiled = DvrFlowCompiler.Compile(topology, "cn1", _ports);
        _ovs = OvsSandbox.Start();
        var bridges = compiled.InPipelineOrder().Select(b => b.BridgeName).ToList();
        _ovs.CreateBridges(bridges, _ports);
        foreach (string bridge in bridges)
        {
            string file = Path.Combine(_ovs.Directory, bridge + ".flows");
            File.WriteAllLines(file, compiled[bridge].Flows.Select(f => DesiredFlowText.Format(f, _ports.NamesOf(bridge))));
            _ovs.Ofctl("add-flows", bridge, file);
        }
    }

    [OneTimeTearDown]
    public void Stop() => _ovs?.Dispose();

    private static string Trace(string flow) => _ovs.Appctl($"ofproto/trace br-int {flow}");

    private static string FinalFlow(string trace) =>
        trace.Split('\n').Single(l => l.StartsWith("Final flow:", StringComparison.Ordinal));

    [Test]
    public void ArpReplyToDvrMac_OnProviderVlan_ReachesRouterInterfaceOnLocalVlan()
    {
        _ports.TryGetOfPort("br-int", "int-br-physnet1", out uint intBr);

        string trace = Trace($"in_port={intBr},dl_vlan=101,arp,dl_src=fa:16:3e:77:77:77,dl_dst={DvrMac},arp_op=2,arp_spa=10.0.3.77,arp_tpa=10.0.3.1,arp_sha=fa:16:3e:77:77:77,arp_tha={BlueGateway}");

        Assert.Multiple(() =>
        {
            Assert.That(trace, Does.Contain(" 0. arp,in_port="), "hits the 0/99 flow");
            Assert.That(trace, Does.Contain("priority 99"));
            Assert.That(FinalFlow(trace), Does.Contain($"dl_vlan={_blueLv},"));
            Assert.That(FinalFlow(trace), Does.Contain($"dl_dst={BlueGateway}"));
            Assert.That(trace, Does.Contain("60. priority 3"), "switched NORMAL in TRANSIENT");
        });
    }

    [Test]
    public void FrameToDvrMac_OnProviderVlan_IsDeliveredToRouterInterfaceUntagged()
    {
        _ports.TryGetOfPort("br-int", "int-br-physnet1", out uint intBr);
        _ports.TryGetOfPort("br-int", "qr-blue", out uint qrBlue);

        string trace = Trace($"in_port={intBr},dl_vlan=101,ip,dl_src=fa:16:3e:77:77:77,dl_dst={DvrMac},nw_src=10.0.3.77,nw_dst=10.0.3.1");

        Assert.Multiple(() =>
        {
            Assert.That(trace, Does.Contain(" 4. dl_vlan=101,dl_dst=" + DvrMac), "reaches ARP_DVR_MAC_TO_DST_MAC_PHYSICAL");
            Assert.That(trace, Does.Contain($"output:{qrBlue}"));
            Assert.That(FinalFlow(trace), Does.Contain($"dl_dst={BlueGateway}"));
            Assert.That(FinalFlow(trace), Does.Not.Contain("dl_vlan="));
        });
    }
}
