using Dvr.DvrFlows.Tests.Golden;
using Dvr.DvrFlows.Topology;
using Dvr.DvrFlows.Trace;
using Dvr.OpenFlow;
using Dvr.OpenFlow.Match;
using NUnit.Framework;

namespace Dvr.DvrFlows.Tests.Trace;

/// <summary>
/// The DVR path of neutron-dvr-flows.md §5 ("Ping vm1 → vm2, hop by hop") traced offline through the compiled
/// flows of the worked example: cn1 = host 1 (DVR MAC fa:16:3f:11:11:11), cn2 = host 2.
/// </summary>
public class TraceTests
{
    private static readonly MacAddress Cn1DvrMac = MacAddress.Parse("fa:16:3f:11:11:11");
    private static readonly MacAddress GreenGateway = MacAddress.Parse("fa:16:3e:00:02:01");
    private static readonly MacAddress RedGateway = MacAddress.Parse("fa:16:3e:00:01:01");
    private static readonly MacAddress Vm2 = MacAddress.Parse("fa:16:3e:00:02:20");

    private static TraceNetwork WorkedExample() => TraceNetwork.Build(TopologyLoader.Load(RepoPaths.Sample("worked-example.yaml")));

    // Step 3-6: the packet cn1's router sent out of qr-green (green is local VLAN 2 on cn1).
    private const string RoutedVm1ToVm2 =
        "in_port=patch-int,icmp,dl_vlan=2,dl_src=fa:16:3e:00:02:01,dl_dst=fa:16:3e:00:02:20,nw_src=10.0.1.10,nw_dst=10.0.2.20";

    [Test]
    public void Trace_RoutedVm1ToVm2_RewritesSourceToCn1DvrMacOnCn1BrTun()
    {
        var result = WorkedExample().Trace("cn1", "br-tun", RoutedVm1ToVm2, followToHost: "cn2");

        var dvrProcess = result.Hops.Single(h => h.Host == "cn1" && h.Bridge == "br-tun" && h.TableId == 1);
        Assert.That(dvrProcess.Actions, Does.Contain($"set_field:{Cn1DvrMac}->eth_src"));
        Assert.That(dvrProcess.Flow!.Owner, Is.EqualTo("router-interface:qr-green"));
    }

    [Test]
    public void Trace_RoutedVm1ToVm2_IsNotLearnedOnCn2BrTun()
    {
        var result = WorkedExample().Trace("cn1", "br-tun", RoutedVm1ToVm2, followToHost: "cn2");

        var cn2Tun = result.Hops.Where(h => h.Host == "cn2" && h.Bridge == "br-tun").Select(h => h.TableId).ToList();
        Assert.That(cn2Tun, Is.EqualTo(new byte[] { 0, 4, 9 }), "DVR_NOT_LEARN (9) outputs to patch-int; LEARN_FROM_TUN (10) is never reached");
        Assert.That(result.Hops.Single(h => h.Host == "cn2" && h.TableId == 9).Actions, Is.EqualTo(new[] { "output:\"patch-int\"" }));
    }

    [Test]
    public void Trace_RoutedVm1ToVm2_RestoresGatewayMacAndDeliversDirectlyToVm2()
    {
        var result = WorkedExample().Trace("cn1", "br-tun", RoutedVm1ToVm2, followToHost: "cn2");

        var exit = result.Outputs.Single();
        Assert.Multiple(() =>
        {
            Assert.That(exit.Outcome, Is.EqualTo(TraceOutcome.Output));
            Assert.That((exit.Host, exit.Bridge, exit.PortName), Is.EqualTo(("cn2", "br-int", (string?)"qvovm2")));
            Assert.That(exit.Packet[OxmFields.EthSrc], Is.EqualTo((UInt128)GreenGateway.Value), "the gateway MAC is restored as source");
            Assert.That(exit.Packet[OxmFields.EthDst], Is.EqualTo((UInt128)Vm2.Value));
            Assert.That(exit.Packet[OxmFields.VlanVid], Is.EqualTo((UInt128)0), "delivered untagged");
            var cn2Int = result.Hops.Where(h => h.Host == "cn2" && h.Bridge == "br-int").Select(h => h.TableId);
            Assert.That(cn2Int, Is.EqualTo(new byte[] { 0, 1, 59, 60 }), "direct delivery bypasses NORMAL");
        });
    }

    [Test]
    public void Trace_WithoutToHost_StopsAtTheTunnelWithTheDvrMacAsSource()
    {
        var result = WorkedExample().Trace("cn1", "br-tun", RoutedVm1ToVm2);

        var exit = result.Outputs.Single();
        Assert.That(exit.Outcome, Is.EqualTo(TraceOutcome.Tunnel));
        Assert.That(exit.Packet[OxmFields.EthSrc], Is.EqualTo((UInt128)Cn1DvrMac.Value), "no frame leaves with the gateway MAC as source");
        Assert.That(exit.Packet[OxmFields.TunnelId], Is.EqualTo((UInt128)1002));
    }

    [Test]
    public void Trace_ArpForTheGatewayFromBrInt_NeverReachesATunnel()
    {
        var result = WorkedExample().Trace(
            "cn1",
            "br-tun",
            "in_port=patch-int,arp,dl_vlan=1,dl_src=fa:16:3e:00:01:10,dl_dst=ff:ff:ff:ff:ff:ff,arp_op=1,arp_spa=10.0.1.10,arp_tpa=10.0.1.1");

        Assert.That(result.Outputs, Is.Empty);
        var last = result.Hops[^1];
        Assert.That((last.TableId, last.Flow!.Priority), Is.EqualTo(((byte)22, (ushort)3)), "FLOOD_TO_TUN drops ARP for the gateway IP");
    }

    [Test]
    public void Trace_FrameToTheGatewayMacFromBrInt_IsDroppedInDvrProcess()
    {
        var result = WorkedExample().Trace(
            "cn1",
            "br-tun",
            $"in_port=patch-int,icmp,dl_vlan=1,dl_src=fa:16:3e:00:01:10,dl_dst={RedGateway},nw_src=10.0.1.10,nw_dst=10.0.2.20");

        Assert.That(result.Outputs, Is.Empty);
        Assert.That(result.Hops[^1].TableId, Is.EqualTo(1));
        Assert.That(result.Hops[^1].Flow!.Priority, Is.EqualTo(2));
    }

    [Test]
    public void Trace_UnknownBridge_NamesTheBridgesThatExist()
    {
        var error = Assert.Throws<ArgumentException>(() => WorkedExample().Trace("cn1", "br-nope", RoutedVm1ToVm2));
        Assert.That(error!.Message, Does.Contain("br-tun").And.Contain("br-int"));
    }
}
