using System.Globalization;
using System.Text;
using Dvr.DvrFlows.Compiler;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Tests.Golden;
using Dvr.DvrFlows.Tests.Ovs;
using Dvr.DvrFlows.Topology;
using Dvr.DvrFlows.Trace;
using Dvr.TestSupport;
using NUnit.Framework;

namespace Dvr.DvrFlows.Tests.Trace;

/// <summary>
/// The offline tracer against the oracle: the same compiled flows loaded into a real OVS 3.1 (netdev), the
/// same packet traced with <c>ovs-appctl ofproto/trace</c>; the bridges, tables and priorities visited must be
/// the same, in the same order. Packets are chosen so neither side reaches NORMAL (which only OVS simulates).
/// </summary>
[NonParallelizable]
public class TraceAgreementTests
{
    private static OvsSandbox _ovs = null!;
    private static TraceNetwork _network = null!;

    [OneTimeSetUp]
    public void LoadCn1IntoOvs()
    {
        _ovs = OvsSandbox.Start();
        var topology = TopologyLoader.Load(RepoPaths.Sample("worked-example.yaml"));
        var plan = HostPlan.Create(topology, "cn1");
        var ports = SyntheticPortMap.For(plan);
        var compiled = DvrFlowCompiler.Compile(plan, ports);
        foreach (var set in compiled.InPipelineOrder())
        {
            _ovs.AddBridge(set.BridgeName);
        }

        var add = new StringBuilder();
        foreach (var implied in ports.Interfaces)
        {
            ports.TryGetOfPort(implied.BridgeName, implied.Name, out uint number);
            string type = implied.Kind switch
            {
                InterfaceKind.Patch => $"type=patch options:peer={implied.Peer}",
                InterfaceKind.Tunnel => $"type={implied.TunnelType} options:remote_ip={implied.RemoteIp} options:key=flow",
                _ => "type=internal",
            };
            add.Append(CultureInfo.InvariantCulture, $" -- add-port {implied.BridgeName} {implied.Name} -- set interface {implied.Name} {type} ofport_request={number}");
        }

        _ovs.Vsctl(add.ToString());
        foreach (var set in compiled.InPipelineOrder())
        {
            var names = ports.NamesOf(set.BridgeName);
            string file = Path.Combine(_ovs.Directory, set.BridgeName + ".flows");
            File.WriteAllLines(file, set.Flows.Select(f => DesiredFlowText.Format(f, names)));
            _ovs.Ofctl("add-flows", set.BridgeName, file);
        }

        _network = TraceNetwork.Build(topology);
    }

    [OneTimeTearDown]
    public void StopOvs() => _ovs?.Dispose();

    public static IEnumerable<TestCaseData> Packets()
    {
        // Routed by cn1's router out of qr-green towards vm2: LMAC rewrite, l2pop unicast to the tunnel.
        yield return Case("br-tun", "in_port=patch-int,icmp,dl_vlan=2,dl_src=fa:16:3e:00:02:01,dl_dst=fa:16:3e:00:02:20,nw_src=10.0.1.10,nw_dst=10.0.2.20", "routed to vm2");
        // vm1's ARP for its gateway reaching br-tun: dropped in FLOOD_TO_TUN.
        yield return Case("br-tun", "in_port=patch-int,arp,dl_vlan=1,dl_src=fa:16:3e:00:01:10,dl_dst=ff:ff:ff:ff:ff:ff,arp_op=1,arp_spa=10.0.1.10,arp_tpa=10.0.1.1", "gateway ARP");
        // A frame to the gateway MAC reaching br-tun: dropped in DVR_PROCESS.
        yield return Case("br-tun", "in_port=patch-int,icmp,dl_vlan=1,dl_src=fa:16:3e:00:01:10,dl_dst=fa:16:3e:00:01:01,nw_src=10.0.1.10,nw_dst=10.0.2.20", "to gateway MAC");
        // ARP for the DHCP port answered by the ARP responder (move, set_field, IN_PORT).
        yield return Case("br-tun", "in_port=patch-int,arp,dl_vlan=1,dl_src=fa:16:3e:00:01:10,dl_dst=ff:ff:ff:ff:ff:ff,arp_op=1,arp_spa=10.0.1.10,arp_tpa=10.0.1.2,arp_sha=fa:16:3e:00:01:10", "ARP responder");
        // Routed by cn2 towards vm1, arriving from the tunnel: DVR_NOT_LEARN, DVR_TO_SRC_MAC, direct delivery.
        yield return Case("br-tun", "in_port=vxlan-c000020c,tun_id=0x3e9,icmp,dl_src=fa:16:3f:22:22:22,dl_dst=fa:16:3e:00:01:10,nw_src=10.0.2.20,nw_dst=10.0.1.10", "routed from cn2 to vm1");
        // An unknown VNI from the tunnel: dropped in VXLAN_TUN_TO_LV.
        yield return Case("br-tun", "in_port=vxlan-c000020c,tun_id=0x999,icmp,dl_src=fa:16:3f:22:22:22,dl_dst=fa:16:3e:00:01:10", "unknown VNI");
        // A frame with a peer DVR MAC from the physical bridge side of br-int.
        yield return Case("br-int", "in_port=int-br-ex,dl_vlan=1,icmp,dl_src=fa:16:3f:22:22:22,dl_dst=fa:16:3e:00:01:10", "provider DVR MAC");
    }

    private static TestCaseData Case(string bridge, string flow, string name) => new TestCaseData(bridge, flow).SetName($"{{m}}({name})");

    [TestCaseSource(nameof(Packets))]
    public void Trace_VisitsTheSameTablesAsOfprotoTrace(string bridge, string flow)
    {
        var ours = _network.Trace("cn1", bridge, flow).Hops
            .Select(h => $"{h.Bridge} {h.TableId} {(h.Flow is null ? "miss" : h.Flow.Priority.ToString(CultureInfo.InvariantCulture))}")
            .ToList();

        string oracle = OvsSandbox.Run("ovs-appctl", $"-t {_ovs.Directory}/ovs-vswitchd.ctl ofproto/trace {bridge} {flow}");
        var theirs = OfprotoTraceReport.HopKeys(oracle);

        Assert.That(ours, Is.EqualTo(theirs), oracle);
    }
}
