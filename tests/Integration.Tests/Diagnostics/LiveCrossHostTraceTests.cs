using System.Globalization;
using Dvr.DvrFlows.Diagnostics;
using Dvr.DvrFlows.Topology;
using Dvr.DvrFlows.Trace;
using Dvr.TestSupport;
using NUnit.Framework;

namespace Dvr.Integration.Tests.Diagnostics;

/// <summary>
/// The live trace across hosts on real OVS 3.1: cn1 and cn2 of samples/worked-example.yaml each in their own
/// sandboxed ovs-vswitchd (their own br-int, br-tun, br-ex), loaded with the flows compiled for their live port
/// numbers. The DVR path of a packet from vm1 (cn1, RED) routed to vm2 (cn2, GREEN) is traced from cn1's br-tun
/// (where NORMAL in cn1's br-int hands the routed frame over) through the tunnel into cn2's br-tun and br-int,
/// and compared, per host, with <c>ovs-appctl ofproto/trace</c> of that host's vswitchd: the same tables and
/// priorities, and the same actions at the last table of each bridge.
/// </summary>
[Category("Ovs")]
[NonParallelizable]
public sealed class LiveCrossHostTraceTests
{
    /// <summary>vm1's packet after cn1's router: out of qr-green (GREEN's gateway MAC) to vm2, on cn1's GREEN VLAN 2.</summary>
    private const string RoutedOnCn1 = "in_port=patch-int,icmp,dl_vlan=2,dl_src=fa:16:3e:00:02:01,dl_dst=fa:16:3e:00:02:20,nw_src=10.0.1.10,nw_dst=10.0.2.20";

    /// <summary>The same packet as it arrives at cn2 over the tunnel from cn1 (192.0.2.11): GREEN's VNI, cn1's DVR MAC as source.</summary>
    private const string ArrivedOnCn2 = "in_port=vxlan-c000020b,tun_id=0x3ea,icmp,dl_src=fa:16:3f:11:11:11,dl_dst=fa:16:3e:00:02:20,nw_src=10.0.1.10,nw_dst=10.0.2.20";

    private Controller.OvsTestbed _cn1 = null!;
    private Controller.OvsTestbed _cn2 = null!;

    [OneTimeSetUp]
    public void LoadCn1AndCn2()
    {
        var topology = TopologyLoader.Load(LiveHost.WorkedExample);
        _cn1 = Controller.OvsTestbed.Start();
        _cn2 = Controller.OvsTestbed.Start();
        LiveHost.Load(_cn1, topology, "cn1", portOffset: 20, firstDatapathId: 0x111);
        LiveHost.Load(_cn2, topology, "cn2", portOffset: 40, firstDatapathId: 0x112);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _cn1?.Dispose();
        _cn2?.Dispose();
    }

    [Test]
    public async Task LiveTrace_FollowsTheRoutedPacketThroughTheTunnel_AsOfprotoTraceDoesOnEachHost()
    {
        var snapshots = new List<LiveBridgeSnapshot>
        {
            await Read(_cn1, "cn1", "br-tun"),
            await Read(_cn1, "cn1", "br-int"),
            await Read(_cn2, "cn2", "br-tun"),
            await Read(_cn2, "cn2", "br-int"),
        };

        var result = LiveTrace.Trace(snapshots, RoutedOnCn1, TopologyLoader.Load(LiveHost.WorkedExample));

        string cn1Oracle = OfprotoTrace(_cn1, "br-tun", RoutedOnCn1);
        string cn2Oracle = OfprotoTrace(_cn2, "br-tun", ArrivedOnCn2);
        var theirs = OfprotoTraceReport.Parse(cn1Oracle).Select(h => ("cn1", h)).Concat(OfprotoTraceReport.Parse(cn2Oracle).Select(h => ("cn2", h))).ToList();
        string oracles = cn1Oracle + "\n" + cn2Oracle + "\nours:\n" + result.Text;
        Assert.That(
            result.Hops.Select(h => $"{h.Host} {h.Bridge} {h.TableId} {(h.Flow is null ? "miss" : h.Flow.Priority.ToString(CultureInfo.InvariantCulture))}"),
            Is.EqualTo(theirs.Select(t => $"{t.Item1} {t.h.Key}")),
            oracles);
        Assert.That(result.Hops.Select(h => (h.Host, h.Bridge)).Distinct(), Is.EqualTo(new[] { ("cn1", "br-tun"), ("cn2", "br-tun"), ("cn2", "br-int") }), "the path crosses the tunnel and the patch");
        // ofproto/trace prints output ports by number; ours are named after the live switch's ports.
        var ports = snapshots.ToDictionary(s => s.Host + " " + s.BridgeName, s => s.PortNumbers);
        Assert.That(TraceComparison.FinalActions(result.Hops.Select(h => (h.Host + " " + h.Bridge, TraceComparison.Numbered(h.Actions, ports[h.Host + " " + h.Bridge])))), Is.EqualTo(TraceComparison.FinalActions(theirs.Select(t => (t.Item1 + " " + t.h.Bridge, t.h.Actions)))), oracles);
        var exit = result.Outputs.Single();
        Assert.That((exit.Outcome, exit.Host, exit.Bridge, exit.PortName), Is.EqualTo((TraceOutcome.Output, "cn2", "br-int", "qvovm2")), result.Text);
        Assert.That(result.Hops.Select(h => h.Flow?.Owner), Has.All.Not.Null.And.All.Not.EqualTo("-"), "every hop matched a desired Dvr flow with an owner");
        Assert.That(result.Text.Split('\n').Count(l => l.TrimStart().StartsWith('[') && l.Contains(" | owner ", StringComparison.Ordinal)), Is.EqualTo(result.Hops.Count), "an owner line under every hop");
    }

    [Test]
    public async Task LiveTrace_WithoutThePeerHost_StopsAtTheTunnel()
    {
        var snapshots = new List<LiveBridgeSnapshot> { await Read(_cn1, "cn1", "br-tun"), await Read(_cn1, "cn1", "br-int") };

        var result = LiveTrace.Trace(snapshots, RoutedOnCn1, TopologyLoader.Load(LiveHost.WorkedExample));

        var exit = result.Outputs.Single();
        Assert.That((exit.Outcome, exit.Host, exit.Bridge, exit.Detail), Is.EqualTo((TraceOutcome.Tunnel, "cn1", "br-tun", "tunnel to 192.0.2.12")), result.Text);
    }

    private static async Task<LiveBridgeSnapshot> Read(Controller.OvsTestbed ovs, string host, string bridge)
    {
        await using var live = await LiveSwitch.ConnectAsync(ovs.Mgmt(bridge));
        return await LiveTrace.ReadAsync(live) with { Host = host };
    }

    private static string OfprotoTrace(Controller.OvsTestbed ovs, string bridge, string flow) =>
        Controller.OvsTestbed.Run("ovs-appctl", ["-t", $"{ovs.Directory}/ovs-vswitchd.ctl", "ofproto/trace", bridge, flow]);
}
