using System.Globalization;
using System.Net;
using Dvr.DvrFlows.Topology;
using Dvr.OpenFlow;
using Dvr.OvsTestbed;
using Dvr.OvsTestbed.Capture;
using NUnit.Framework;

namespace Dvr.Integration.Tests.EndToEnd;

/// <summary>
/// The mission proven with packets: samples/demo-3host.yaml on the namespace testbed (cn1, cn2 dvr; nn dvr_snat;
/// distributed router r1 on red and green with SNAT on nn; legacy router r-legacy on blue), every bridge
/// programmed by the Dvr controller over OpenFlow 1.3. The cloud is <see cref="EndToEndCloud"/>'s, shared with
/// <see cref="DvrDynamicsTests"/>.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
[NonParallelizable]
public class DvrEndToEndTests
{
    private const string Prefix = EndToEndCloud.Prefix;

    private static DvrCloud Cloud => EndToEndCloud.Cloud;

    private static RunningTestbed Testbed => Cloud.Testbed;

    /// <summary>The sample topology: fixtures that change it (DvrDynamicsTests) put it back when they are done.</summary>
    private static Topology Topology => EndToEndCloud.SampleTopology;

    private Port PortNamed(string name) => Topology.Ports.Single(p => p.Name == name);

    private static IPAddress Ip(Port port) => port.FixedIps[0].Ip;

    /// <summary>VMs behind the distributed router r1 (red and green).</summary>
    private IEnumerable<Port> RoutedVms() =>
        Topology.Ports.Where(p => p.DeviceOwner == DeviceOwner.Compute && p.Network is "red" or "green");

    private MacAddress[] GatewayMacs() =>
        [.. Topology.Ports.Where(p => p.DeviceOwner is DeviceOwner.RouterInterfaceDistributed).Select(p => p.Mac)];

    [Test]
    public async Task PingMatrix_EveryVmPairAcrossHostsAndSubnets_PingsBothWays()
    {
        var failures = new List<string>();
        foreach (var from in RoutedVms())
        {
            foreach (var to in RoutedVms().Where(p => p != from))
            {
                var ping = await Testbed.PingAsync(from.Name, Ip(to).ToString(), count: 2, timeout: TimeSpan.FromSeconds(2));
                if (!ping.Success)
                {
                    failures.Add($"{from.Name} ({from.Host}) -> {to.Name} {Ip(to)} ({to.Host}): {ping.Output}");
                }
            }
        }

        Assert.That(failures, Is.Empty);
    }

    [Test]
    public async Task Tcp_FourMegabytesAcrossHostsAndSubnets_ArriveWhole()
    {
        const int bytes = 4_000_000;
        var receiver = PortNamed("vm2");
        string receiverNs = Testbed.PortNamespace("vm2");
        var listen = Testbed.ExecAsync(receiverNs, "sh", "-c", "timeout 20 nc -l -N 5001 | wc -c");
        await Task.Delay(500);

        var send = await Testbed.ExecAsync(
            Testbed.PortNamespace("vm1"),
            "sh",
            "-c",
            $"head -c {bytes} /dev/urandom | timeout 20 nc -N {Ip(receiver)} 5001");
        var received = await listen;

        Assert.That(send.ExitCode, Is.Zero, send.Stderr);
        Assert.That(received.Stdout.Trim(), Is.EqualTo(bytes.ToString(CultureInfo.InvariantCulture)), received.Stderr);
    }

    [Test]
    public async Task Underlay_RoutedTrafficNeverCarriesAGatewayMac_AndCarriesTheSendersDvrMac()
    {
        await using var capture = await UnderlayCapture.StartAsync(Testbed, "underlay");
        IReadOnlyList<VxlanFrame> frames;
        try
        {
            // Fresh neighbour caches: the VMs ARP for their gateway again while we watch.
            foreach (var vm in RoutedVms())
            {
                await Testbed.ExecAsync(Testbed.PortNamespace(vm.Name), "ip", "neigh", "flush", "all");
            }

            foreach (var (from, to) in new[] { ("vm1", "vm2"), ("vm2", "vm1"), ("vm3", "vm4"), ("vm4", "vm3") })
            {
                Assert.That((await Testbed.PingAsync(from, Ip(PortNamed(to)).ToString(), count: 2)).Success, $"{from} -> {to}");
            }
        }
        finally
        {
            frames = await capture.StopAsync();
        }

        var gateways = GatewayMacs();
        var gatewayIps = Topology.Subnets.Where(s => s.GatewayIp is not null).Select(s => s.GatewayIp!).ToList();
        var dvrMacByTunnelIp = Topology.Hosts.ToDictionary(h => h.TunnelIp, h => h.DvrMac);
        var routed = frames.Where(f => f.Inner.IpSource is { } src && f.Inner.IpDestination is { } dst && !f.Inner.IsArp
            && SubnetOf(src) != SubnetOf(dst)).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(routed, Is.Not.Empty, "routed frames crossed the underlay");
            Assert.That(frames.Where(f => gateways.Contains(f.Inner.Source) || gateways.Contains(f.Inner.Destination)), Is.Empty, "no frame carries a gateway MAC");
            Assert.That(routed.Where(f => f.Inner.Source != dvrMacByTunnelIp[f.OuterSource]), Is.Empty, "routed frames carry the sending host's DVR MAC");
            Assert.That(frames.Where(f => f.Inner.IsArp && gatewayIps.Contains(f.Inner.ArpTarget!)), Is.Empty, "ARP for a gateway never leaves its host");
        });
    }

    [Test]
    public async Task Vm_ReceivesRoutedFramesWithItsGatewayMacAsSource()
    {
        var receiver = PortNamed("vm2");
        var gateway = Topology.Ports.Single(p => p.DeviceOwner == DeviceOwner.RouterInterfaceDistributed && p.Network == receiver.Network).Mac;
        string file = Path.Combine(Path.GetTempPath(), $"{Prefix}vm2-{Environment.ProcessId}.pcap");
        var capture = await PacketCaptureSession.StartAsync(Testbed.PortNamespace("vm2"), "eth0", file, "icmp");
        try
        {
            Assert.That((await Testbed.PingAsync("vm1", Ip(receiver).ToString(), count: 2)).Success);
        }
        finally
        {
            await capture.StopAsync();
        }

        var requests = PcapReader.ReadFrames(file).Where(f => f.IsIcmp && Equals(f.IpSource, Ip(PortNamed("vm1")))).ToList();
        File.Delete(file);
        Assert.That(requests, Is.Not.Empty);
        Assert.That(requests.Select(f => f.Source).Distinct(), Is.EqualTo(new[] { gateway }), "the routed frame's source is vm2's own gateway MAC");
    }

    [Test]
    public async Task GatewayArp_IsAnsweredByTheVmsOwnHostRouter()
    {
        string ns = Testbed.PortNamespace("vm1");
        await Testbed.ExecAsync(ns, "ip", "neigh", "flush", "all");
        var gateway = Topology.Ports.Single(p => p.DeviceOwner == DeviceOwner.RouterInterfaceDistributed && p.Network == "red");

        Assert.That((await Testbed.PingAsync("vm1", Ip(gateway).ToString(), count: 1)).Success);
        var neighbours = await Testbed.ExecAsync(ns, "ip", "neigh", "show", Ip(gateway).ToString());
        Assert.That(neighbours.Stdout, Does.Contain(gateway.Mac.ToString()));
    }

    [Test]
    public async Task Snat_VmOnAComputeNodeReachesTheInternetThroughTheNetworkNode()
    {
        await using var capture = await UnderlayCapture.StartAsync(Testbed, "snat");
        PingResult ping;
        IReadOnlyList<VxlanFrame> frames;
        try
        {
            ping = await Testbed.PingAsync("vm1", Testbed.Options.InternetAddress.ToString(), count: 2, timeout: TimeSpan.FromSeconds(3));
        }
        finally
        {
            frames = await capture.StopAsync();
        }

        var cn1 = Topology.Hosts.Single(h => h.Name == "cn1").TunnelIp;
        var nn = Topology.Hosts.Single(h => h.Name == "nn").TunnelIp;
        Assert.That(ping.Success, ping.Output);
        Assert.That(frames.Any(f => f.OuterSource.Equals(cn1) && f.OuterDestination.Equals(nn) && Equals(f.Inner.IpDestination, Testbed.Options.InternetAddress)), "north-south goes from cn1 to the SNAT port on nn");
    }

    [Test]
    public async Task Legacy_BlueTrafficToItsRouterCrossesTheNetworkNode()
    {
        var gateway = Topology.Subnets.Single(s => s.Network == "blue").GatewayIp!;
        var ping = await Testbed.PingAsync("vm5", gateway.ToString(), count: 2);
        var sameSubnet = await Testbed.PingAsync("vm5", Ip(PortNamed("vm6")).ToString(), count: 2);

        Assert.That(ping.Success, ping.Output);
        Assert.That(sameSubnet.Success, sameSubnet.Output);
    }

    [Test]
    public async Task ControllerRestart_DuringA10msPing_LosesNoPacketAndSendsNoFlowMod()
    {
        // 400 echo requests at 10 ms: about 4 s, across hosts and subnets.
        var ping = Testbed.ExecAsync(Testbed.PortNamespace("vm1"), "ping", "-q", "-i", "0.01", "-c", "400", "-W", "1", Ip(PortNamed("vm2")).ToString());
        await Task.Delay(800);
        await Cloud.StopControllerAsync();
        await Task.Delay(1000);
        Cloud.StartController();
        await Cloud.WaitConvergedAsync(TimeSpan.FromSeconds(30));
        var result = await ping;

        Assert.That(result.Stdout, Does.Contain("400 received"), result.Stdout);
        Assert.That(Cloud.Controller!.Sessions.Sum(s => s.Stats.FlowModsSent), Is.Zero, "reconnecting with nothing changed sends no flow modification");
    }

    private IPAddress? SubnetOf(IPAddress address) =>
        Topology.Subnets.FirstOrDefault(s => s.Cidr.Contains(address)) is { } subnet ? subnet.Cidr.Address : null;
}
