using System.Globalization;
using Dvr.DvrFlows.Diagnostics;
using Dvr.DvrFlows.Trace;
using Dvr.Integration.Tests.Diagnostics;
using Dvr.OvsTestbed;
using Dvr.TestSupport;
using NUnit.Framework;

namespace Dvr.Integration.Tests.EndToEnd;

/// <summary>
/// The live trace on the running cloud (samples/demo-3host.yaml, flows installed by the controller, each host
/// its own ovs-vswitchd): vm1 (cn1, red) routed to vm2 (cn2, green). The trace starts at cn1's br-tun, where
/// NORMAL in br-int hands over the frame cn1's router sent out of its green leg, crosses the VXLAN tunnel into
/// cn2's br-tun and br-int, and must agree per host with <c>ovs-appctl ofproto/trace</c>: the same tables and
/// priorities, and the same actions at the last table of every bridge.
/// </summary>
[Category("Ovs")]
[NonParallelizable]
public sealed class DvrLiveTraceTests
{
    [Test]
    public async Task LiveTrace_RoutedVm1ToVm2_CrossesTheTunnelAndAgreesWithOfprotoTraceOnEachHost()
    {
        var cloud = EndToEndCloud.Cloud;
        await cloud.WaitConvergedAsync(TimeSpan.FromSeconds(60));
        var cn1 = cloud.Testbed.Host("cn1");
        var cn2 = cloud.Testbed.Host("cn2");
        // green's local VLAN on cn1 is allocated, not pinned: read it from vm3's (green, cn1) br-int port.
        string greenVlan = (await cn1.VsctlAsync("get", "port", "qvovm3", "tag")).EnsureSuccess().Stdout.Trim();
        string routedOnCn1 = $"in_port=patch-int,icmp,dl_vlan={greenVlan},dl_src=fa:16:3e:00:02:01,dl_dst=fa:16:3e:00:02:20,nw_src=10.0.1.10,nw_dst=10.0.2.20";
        // What arrives at cn2 from cn1 (192.0.2.1): green's VNI 1002, cn1's DVR MAC as source.
        const string arrivedOnCn2 = "in_port=vxlan-c0000201,tun_id=0x3ea,icmp,dl_src=fa:16:3f:00:00:01,dl_dst=fa:16:3e:00:02:20,nw_src=10.0.1.10,nw_dst=10.0.2.20";
        var snapshots = new List<LiveBridgeSnapshot>
        {
            await Read(cn1, "br-tun"), await Read(cn1, "br-int"), await Read(cn2, "br-tun"), await Read(cn2, "br-int"),
        };

        var result = LiveTrace.Trace(snapshots, routedOnCn1, cloud.Topology);

        string cn1Oracle = (await cn1.AppctlAsync("ofproto/trace", "br-tun", routedOnCn1)).EnsureSuccess().Stdout;
        string cn2Oracle = (await cn2.AppctlAsync("ofproto/trace", "br-tun", arrivedOnCn2)).EnsureSuccess().Stdout;
        // ofproto/trace also walks the testbed's underlay bridge (br-phy, holding the tunnel IP: NORMAL), which
        // carries the encapsulated packet and is not a Dvr bridge; our trace crosses the tunnel instead.
        var theirs = OfprotoTraceReport.Parse(cn1Oracle).Select(h => ("cn1", h)).Concat(OfprotoTraceReport.Parse(cn2Oracle).Select(h => ("cn2", h)))
            .Where(t => t.h.Bridge != "br-phy").ToList();
        string all = cn1Oracle + "\n" + cn2Oracle + "\nours:\n" + result.Text;
        Assert.That(
            result.Hops.Select(h => $"{h.Host} {h.Bridge} {h.TableId} {(h.Flow is null ? "miss" : h.Flow.Priority.ToString(CultureInfo.InvariantCulture))}"),
            Is.EqualTo(theirs.Select(t => $"{t.Item1} {t.h.Key}")),
            all);
        var ports = snapshots.ToDictionary(s => s.Host + " " + s.BridgeName, s => s.PortNumbers);
        Assert.That(
            TraceComparison.FinalActions(result.Hops.Select(h => (h.Host + " " + h.Bridge, TraceComparison.Numbered(h.Actions, ports[h.Host + " " + h.Bridge])))),
            Is.EqualTo(TraceComparison.FinalActions(theirs.Select(t => (t.Item1 + " " + t.h.Bridge, t.h.Actions)))),
            all);
        var exit = result.Outputs.Single();
        Assert.That((exit.Outcome, exit.Host, exit.Bridge, exit.PortName), Is.EqualTo((TraceOutcome.Output, "cn2", "br-int", "qvovm2")), result.Text);
        Assert.That(result.Text, Does.Contain("fa:16:3e:00:02:01").And.Contain("fa:16:3f:00:00:01"), "the gateway MAC and cn1's DVR MAC appear on the path");
        Assert.That(result.Hops.Select(h => h.Flow?.Owner), Has.All.Not.Null.And.All.Not.EqualTo("-"), "every hop matched a Dvr flow with an owner");
    }

    private static async Task<LiveBridgeSnapshot> Read(TestbedHost host, string bridge)
    {
        await using var live = await LiveSwitch.ConnectAsync("unix:" + host.ManagementSocket(bridge));
        return await LiveTrace.ReadAsync(live) with { Host = host.Name };
    }
}
