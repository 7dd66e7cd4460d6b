using System.Globalization;
using System.Text.RegularExpressions;
using Dvr.DvrFlows.Topology;
using Dvr.OvsTestbed;
using NUnit.Framework;

namespace Dvr.Integration.Tests.EndToEnd;

/// <summary>
/// Runtime dynamics on the shared end-to-end cloud (<see cref="EndToEndCloud"/>): the topology file is edited while
/// everything runs and applied to testbed and controller together (<see cref="DvrCloud.ApplyTopologyFileAsync"/>);
/// VMs come and go, a router is unscheduled from a host and comes back, a router switches from centralized to
/// distributed under a 10 ms ping, and one host's ovs-vswitchd crashes. Every test puts the sample topology back.
/// Measured times go to the test output.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
[NonParallelizable]
public partial class DvrDynamicsTests
{
    /// <summary>The controller's cookie in samples/demo-3host.yaml; learned flows carry it with bit 0 flipped.</summary>
    private const ulong DvrCookie = 0x4456520000000000;

    private string _topologyFile = null!;

    private static DvrCloud Cloud => EndToEndCloud.Cloud;

    private static RunningTestbed Testbed => Cloud.Testbed;

    [OneTimeSetUp]
    public void CreateTopologyFile() =>
        _topologyFile = Path.Combine(Path.GetTempPath(), $"{EndToEndCloud.Prefix}dynamics-{Environment.ProcessId}.yaml");

    [OneTimeTearDown]
    public void DeleteTopologyFile() => File.Delete(_topologyFile);

    /// <summary>Every test leaves the sample topology behind, also when it fails half-way.</summary>
    [TearDown]
    public async Task RestoreSampleTopology()
    {
        if (!Cloud.Topology.Equals(EndToEndCloud.SampleTopology) || Cloud.Controller is null)
        {
            if (Cloud.Controller is null)
            {
                Cloud.StartController();
            }

            await Cloud.ApplyTopologyAsync(EndToEndCloud.SampleTopology);
        }
    }

    [Test]
    public async Task AddedVm_IsReachableWithinOneSecond_SameSubnetAndRoutedAcrossHosts()
    {
        // vm9 joins red on cn2; vm1 (red) and vm3 (green) are on cn1.
        string yaml = TopologyYaml.AddTo(EndToEndCloud.SampleYaml, "ports", TopologyYaml.Vm("vm9", "red", "red-v4", "10.0.1.90", "fa:16:3e:00:01:90", "cn2"));

        var applied = await ApplyAsync(yaml);
        var sameSubnet = FirstReplyAsync("vm9", "10.0.1.10", applied.ControllerUpdatedUtc);
        var routed = FirstReplyAsync("vm9", "10.0.2.30", applied.ControllerUpdatedUtc);
        var (sameSubnetAfter, routedAfter) = (await sameSubnet, await routed);
        var back = await Testbed.PingAsync("vm1", "10.0.1.90", count: 2);
        var backRouted = await Testbed.PingAsync("vm3", "10.0.1.90", count: 2);

        Report($"vm9 added: {applied}");
        Report($"first reply after the controller got the topology: vm9 -> vm1 (same subnet, cn2 -> cn1) {Ms(sameSubnetAfter)}, vm9 -> vm3 (routed, cn2 -> cn1) {Ms(routedAfter)}; " +
               $"after the apply started (namespace and port creation included): {Ms(sameSubnetAfter + applied.Added)}, {Ms(routedAfter + applied.Added)}");
        Assert.Multiple(() =>
        {
            Assert.That(applied.Transition.CreatedNamespaces, Is.EqualTo(new[] { Testbed.PortNamespace("vm9") }));
            Assert.That(sameSubnetAfter, Is.Not.Null.And.LessThanOrEqualTo(TimeSpan.FromSeconds(1)), "same subnet across hosts within 1 s");
            Assert.That(routedAfter, Is.Not.Null.And.LessThanOrEqualTo(TimeSpan.FromSeconds(1)), "routed across hosts within 1 s");
            Assert.That(back.AllReceived, back.Output);
            Assert.That(backRouted.AllReceived, "vm3's router on cn1 learned vm9's permanent neighbour entry: " + backRouted.Output);
        });
    }

    [Test]
    public async Task RemovedVm_IsUnreachable_AndNoFlowOnAnyHostNamesIt()
    {
        // vm4: red on cn2, reachable before from vm1 (same subnet, cn1) and vm3 (routed, cn1).
        var vm4 = EndToEndCloud.SampleTopology.GetPort("vm4");
        var cn2 = Testbed.Host("cn2");
        int ofport = await cn2.OfPortAsync(vm4.Interface);
        Assert.That((await Testbed.PingAsync("vm1", "10.0.1.40", count: 1)).Success, "vm4 is reachable before");

        var applied = await ApplyAsync(TopologyYaml.WithoutPorts(EndToEndCloud.SampleYaml, "vm4"));
        Report($"vm4 removed: {applied}");

        var sameSubnet = await Testbed.PingAsync("vm1", "10.0.1.40", count: 3, timeout: TimeSpan.FromSeconds(1));
        var routed = await Testbed.PingAsync("vm3", "10.0.1.40", count: 3, timeout: TimeSpan.FromSeconds(1));
        var ports = (await cn2.VsctlAsync("list-ports", cn2.IntegrationBridge)).Stdout;
        var (owned, learned) = await FlowsNamingAsync(vm4.Mac.ToString(), "10.0.1.40", ("cn2", ofport));

        Assert.Multiple(() =>
        {
            Assert.That(sameSubnet.Received, Is.Zero, sameSubnet.Output);
            Assert.That(routed.Received, Is.Zero, routed.Output);
            Assert.That(LiveNamespaces(), Does.Not.Contain(TestbedNames.PortNamespace(EndToEndCloud.Prefix, "vm4")));
            Assert.That(ports, Does.Not.Contain(vm4.Interface));
            Assert.That(owned, Is.Empty, "no controller flow on any host names vm4's MAC, IP or old port");
            // Flows LEARN_FROM_TUN made from vm4's frames are Neutron's and expire on their own (hard_timeout 300).
            Assert.That(learned.Where(f => !f.Contains("hard_timeout=300", StringComparison.Ordinal)), Is.Empty, "learned flows naming vm4 expire");
        });
    }

    [Test]
    public async Task LastVmsOfARouterLeavingAHost_UnscheduleItsDvrFlowsThere_AndAReturningVmBringsThemBack()
    {
        // cn1 holds vm1 (red) and vm3 (green), r1's only VMs there; vm5 (blue, legacy router) stays.
        var gatewayMacs = EndToEndCloud.SampleTopology.RouterInterfaces("r1").Select(p => p.Mac.ToString()).ToList();
        string routerNamespace = TestbedNames.RouterNamespace(EndToEndCloud.Prefix, "r1", "cn1");
        Assert.That(await DvrFlowLinesAsync("cn1", gatewayMacs), Is.Not.Empty, "r1's DVR flows are on cn1 before");

        var gone = await ApplyAsync(TopologyYaml.WithoutPorts(EndToEndCloud.SampleYaml, "vm1", "vm3"));
        var onCn1 = await DvrFlowLinesAsync("cn1", gatewayMacs);
        var onCn2 = await DvrFlowLinesAsync("cn2", gatewayMacs);
        var namespacesAfterLeave = LiveNamespaces();
        var blue = await Testbed.PingAsync("vm5", "10.0.3.60", count: 2);
        Report($"vm1, vm3 removed: {gone}");

        var back = await ApplyAsync(TopologyYaml.WithoutPorts(EndToEndCloud.SampleYaml, "vm3"));
        var routedAfter = await FirstReplyAsync("vm1", "10.0.2.20", back.ControllerUpdatedUtc);
        var onCn1Again = await DvrFlowLinesAsync("cn1", gatewayMacs);
        Report($"vm1 back: {back}; first routed reply vm1 -> vm2 (cn1 -> cn2) {Ms(routedAfter)} after the controller got the topology, {Ms(routedAfter + back.Added)} after the apply started");

        Assert.Multiple(() =>
        {
            Assert.That(namespacesAfterLeave, Does.Not.Contain(routerNamespace), "r1's namespace left cn1");
            Assert.That(onCn1, Is.Empty, "no flow on cn1 names r1's gateway MACs once r1 left it");
            Assert.That(onCn2, Is.Not.Empty, "cn2 keeps r1's DVR flows");
            Assert.That(blue.AllReceived, "cn1's other traffic is untouched: " + blue.Output);
            Assert.That(LiveNamespaces(), Does.Contain(routerNamespace), "r1's namespace is back on cn1");
            Assert.That(onCn1Again, Is.Not.Empty, "r1's DVR flows are back on cn1");
            Assert.That(routedAfter, Is.Not.Null.And.LessThanOrEqualTo(TimeSpan.FromSeconds(1)), "vm1 routes across hosts within 1 s");
        });
    }

    [Test]
    public async Task RouterCentralizedToDistributed_KeepsA10msPingAcrossHostsAndSubnetsGoing()
    {
        // r2 joins yellow (vm7 on cn1) and purple (vm8 on cn2); centralized, its legs live on nn.
        string centralized = WithRouterR2(distributed: false);
        await ApplyAsync(centralized);
        Assert.That((await Testbed.PingAsync("vm7", "10.0.5.80", count: 3)).Success, "vm7 -> vm8 through r2 on nn before the switch");
        string legacyNamespace = TestbedNames.RouterNamespace(EndToEndCloud.Prefix, "r2", "nn");
        Assert.That(LiveNamespaces(), Does.Contain(legacyNamespace));

        // 10 ms ping for 5 s; the switch happens about 1 s in.
        const int count = 500;
        var ping = Testbed.ExecAsync(Testbed.PortNamespace("vm7"), "ping", "-n", "-i", "0.01", "-c", count.ToString(CultureInfo.InvariantCulture), "-W", "1", "10.0.5.80");
        await Task.Delay(1000);
        var switched = await ApplyAsync(WithRouterR2(distributed: true));
        var result = await ping;

        var replies = PingReply().Matches(result.Stdout).Select(m => int.Parse(m.Groups["seq"].Value, CultureInfo.InvariantCulture)).ToHashSet();
        int lost = count - replies.Count;
        int longestGap = LongestGap(replies, count);
        var gatewayMacs = new[] { "fa:16:3e:00:04:01", "fa:16:3e:00:05:01" };
        var namespaces = LiveNamespaces();
        Report($"r2 centralized -> distributed: {switched}");
        Report($"10 ms ping vm7 (cn1, yellow) -> vm8 (cn2, purple) during the switch: {count} sent, {replies.Count} replies, {lost} lost, longest outage {longestGap} consecutive ({longestGap * 10} ms)");

        Assert.Multiple(async () =>
        {
            Assert.That(namespaces, Does.Not.Contain(legacyNamespace), "r2 no longer lives on nn");
            Assert.That(namespaces, Does.Contain(TestbedNames.RouterNamespace(EndToEndCloud.Prefix, "r2", "cn1")));
            Assert.That(namespaces, Does.Contain(TestbedNames.RouterNamespace(EndToEndCloud.Prefix, "r2", "cn2")));
            Assert.That(await DvrFlowLinesAsync("cn1", gatewayMacs), Is.Not.Empty, "r2's DVR flows on cn1");
            Assert.That(await DvrFlowLinesAsync("nn", gatewayMacs), Is.Empty, "r2 has no flows left on nn");
            Assert.That(lost, Is.LessThanOrEqualTo(MaxLossDuringSwitch), "loss during the switch stays within the bound docs/testbed.md explains");
            Assert.That(replies.Max(), Is.GreaterThan(count - 10), "the ping runs on after the switch");
        });
    }

    [Test]
    public async Task VswitchdKilledAndRestarted_RecoversConnectivityWithinTwoSecondsOfTheControllerReconnecting()
    {
        var cn2 = Testbed.Host("cn2");
        int bridges = 2 + EndToEndCloud.SampleTopology.GetHost("cn2").PhysicalBridges.Count;

        // vm1 (cn1, red) -> vm2 (cn2, green): routed across hosts, 10 ms apart, timestamps on every reply.
        var ping = Testbed.ExecAsync(Testbed.PortNamespace("vm1"), "ping", "-n", "-D", "-i", "0.01", "-w", "9", "-W", "1", "10.0.2.20");
        await Task.Delay(700);
        var killedAt = DateTime.UtcNow;
        int pid = await cn2.KillVswitchdAsync();
        await WaitUntilAsync(() => SessionsOf("cn2") == 0, TimeSpan.FromSeconds(5), "the controller noticed cn2's bridges are gone");
        var restartAt = DateTime.UtcNow;
        await cn2.RestartVswitchdAsync();
        await WaitUntilAsync(() => SessionsOf("cn2") > 0, TimeSpan.FromSeconds(10), "a bridge of cn2 reconnected");
        var reconnectedAt = DateTime.UtcNow;
        await WaitUntilAsync(() => SessionsOf("cn2") == bridges, TimeSpan.FromSeconds(10), "every bridge of cn2 reconnected");
        var allReconnectedAt = DateTime.UtcNow;
        await Cloud.WaitConvergedAsync(TimeSpan.FromSeconds(10));
        var convergedAt = DateTime.UtcNow;
        var result = await ping;

        var replyTimes = PingReply().Matches(result.Stdout)
            .Select(m => DateTime.UnixEpoch.AddSeconds(double.Parse(m.Groups["ts"].Value, CultureInfo.InvariantCulture)))
            .ToList();
        DateTime? firstAfter = replyTimes.Where(t => t > restartAt).Order().Cast<DateTime?>().FirstOrDefault();
        DateTime? lastBefore = replyTimes.Where(t => t <= killedAt).Order().Cast<DateTime?>().LastOrDefault();

        // The switch's own log says when each bridge's controller connection came up (rconn "connected", UTC with
        // milliseconds): more exact than polling the controller's sessions from a test thread on a loaded machine.
        var connected = RconnConnected().Matches(await File.ReadAllTextAsync(Path.Combine(cn2.RunDirectory, "ovs-vswitchd.log")))
            .Select(m => (Bridge: m.Groups["bridge"].Value, At: DateTime.Parse(m.Groups["ts"].Value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal)))
            .Where(c => c.At > restartAt)
            .ToList();
        DateTime? firstConnected = connected.Count > 0 ? connected.Min(c => c.At) : null;
        DateTime? allConnected = connected.Select(c => c.Bridge).Distinct().Count() == bridges ? connected.GroupBy(c => c.Bridge).Max(g => g.Min(c => c.At)) : null;
        var recovery = firstAfter - firstConnected;
        Report($"cn2 ovs-vswitchd {pid} killed; restarted {Ms(restartAt - killedAt)} later; its log: first bridge connected to the controller {Ms(firstConnected - restartAt)} " +
               $"after the restart, all {bridges} {Ms(allConnected - restartAt)}; the test saw the sessions at {Ms(reconnectedAt - restartAt)} (all {Ms(allReconnectedAt - restartAt)}), " +
               $"converged {Ms(convergedAt - restartAt)}; first reply {Ms(firstAfter - restartAt)} after the restart = {Ms(recovery)} after the first bridge connected, " +
               $"{Ms(firstAfter - allConnected)} after the last; outage {Ms(firstAfter - lastBefore)}");

        Assert.Multiple(() =>
        {
            Assert.That(lastBefore, Is.Not.Null, "the ping worked before the crash");
            Assert.That(firstAfter, Is.Not.Null, "the ping works again: " + result.Stdout[^Math.Min(400, result.Stdout.Length)..]);
            Assert.That(allConnected, Is.Not.Null, "every bridge of cn2 logged its controller connection");
            Assert.That(recovery, Is.Not.Null.And.LessThanOrEqualTo(TimeSpan.FromSeconds(2)), "connectivity within 2 s of the controller reconnecting");
            Assert.That(firstAfter - restartAt, Is.Not.Null.And.LessThanOrEqualTo(TimeSpan.FromSeconds(5)), "and within 5 s of the restart (max_backoff 1 s included)");
            Assert.That(cn2.VswitchdPid, Is.Not.Null.And.Not.EqualTo(pid));
        });
    }

    /// <summary>
    /// Packets a 10 ms ping may lose while a router switches from centralized to distributed (docs/testbed.md,
    /// "Centralized to distributed"): the switch is not atomic across hosts.
    /// </summary>
    private const int MaxLossDuringSwitch = 10;

    private async Task<TopologyApplyResult> ApplyAsync(string yaml)
    {
        await File.WriteAllTextAsync(_topologyFile, yaml);
        return await Cloud.ApplyTopologyFileAsync(_topologyFile);
    }

    /// <summary>The sample plus r2 between two new networks, yellow (vm7 on cn1) and purple (vm8 on cn2).</summary>
    private static string WithRouterR2(bool distributed)
    {
        string owner = distributed ? "network:router_interface_distributed" : "network:router_interface";
        string host = distributed ? string.Empty : "\n    host: nn";
        string yaml = EndToEndCloud.SampleYaml;
        yaml = TopologyYaml.AddTo(yaml, "networks", "  - { name: yellow, type: vxlan, segmentation_id: 1004 }", "  - { name: purple, type: vxlan, segmentation_id: 1005 }");
        yaml = TopologyYaml.AddTo(
            yaml, "subnets",
            "  - { name: yellow-v4, network: yellow, cidr: 10.0.4.0/24, gateway_ip: 10.0.4.1 }",
            "  - { name: purple-v4, network: purple, cidr: 10.0.5.0/24, gateway_ip: 10.0.5.1 }");
        yaml = TopologyYaml.AddTo(yaml, "routers", $"  - name: r2\n    distributed: {(distributed ? "true" : "false")}");
        return TopologyYaml.AddTo(
            yaml, "ports",
            $"  - name: qr-r2-yellow\n    network: yellow\n    interface: qr-r2-yellow\n    mac: fa:16:3e:00:04:01\n    fixed_ips: [{{ subnet: yellow-v4, ip: 10.0.4.1 }}]\n    device_owner: {owner}\n    router: r2{host}",
            $"  - name: qr-r2-purple\n    network: purple\n    interface: qr-r2-purple\n    mac: fa:16:3e:00:05:01\n    fixed_ips: [{{ subnet: purple-v4, ip: 10.0.5.1 }}]\n    device_owner: {owner}\n    router: r2{host}",
            TopologyYaml.Vm("vm7", "yellow", "yellow-v4", "10.0.4.70", "fa:16:3e:00:04:70", "cn1"),
            TopologyYaml.Vm("vm8", "purple", "purple-v4", "10.0.5.80", "fa:16:3e:00:05:80", "cn2"));
    }

    /// <summary>
    /// Pings every 10 ms from a port's namespace until the first reply (at most 5 s) and returns when that reply
    /// arrived, relative to <paramref name="since"/> (ping -D prints the wall clock of each reply).
    /// </summary>
    private static async Task<TimeSpan?> FirstReplyAsync(string fromPort, string destination, DateTime since)
    {
        var result = await Testbed.ExecAsync(Testbed.PortNamespace(fromPort), "ping", "-n", "-D", "-i", "0.01", "-c", "1", "-w", "5", "-W", "1", destination);
        var first = PingReply().Match(result.Stdout);
        return first.Success
            ? DateTime.UnixEpoch.AddSeconds(double.Parse(first.Groups["ts"].Value, CultureInfo.InvariantCulture)) - since
            : null;
    }

    /// <summary>
    /// Every flow on every bridge of every host that names <paramref name="mac"/> or <paramref name="ip"/>, or on the
    /// given host the given OpenFlow port, split into the controller's own and LEARN_FROM_TUN's learned flows.
    /// </summary>
    private static async Task<(List<string> Owned, List<string> Learned)> FlowsNamingAsync(string mac, string ip, (string Host, int OfPort) port)
    {
        var owned = new List<string>();
        var learned = new List<string>();
        var ipPattern = new Regex($@"(?<![0-9.]){Regex.Escape(ip)}(?![0-9])", RegexOptions.None, TimeSpan.FromSeconds(1));
        var portPattern = new Regex($@"(in_port=|output:|in_port\(|,){port.OfPort}(?![0-9])", RegexOptions.None, TimeSpan.FromSeconds(1));
        foreach (var host in Testbed.Hosts.Values)
        {
            foreach (var bridge in host.Plan.ControlledBridges)
            {
                var dump = await host.OfctlAsync("dump-flows", "--no-names", bridge.Name);
                foreach (string line in dump.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    bool names = line.Contains(mac, StringComparison.OrdinalIgnoreCase) || ipPattern.IsMatch(line)
                        || (host.Name == port.Host && bridge.Name == host.IntegrationBridge && portPattern.IsMatch(line.Split("actions=")[0] + " " + line));
                    if (!names)
                    {
                        continue;
                    }

                    (line.Contains($"cookie=0x{DvrCookie ^ 1:x}", StringComparison.Ordinal) ? learned : owned).Add($"{host.Name}/{bridge.Name}: {line}");
                }
            }
        }

        return (owned, learned);
    }

    /// <summary>Flows on every bridge of <paramref name="host"/> naming any of the gateway MACs.</summary>
    private static async Task<List<string>> DvrFlowLinesAsync(string host, IEnumerable<string> gatewayMacs)
    {
        var testbedHost = Testbed.Host(host);
        var lines = new List<string>();
        foreach (var bridge in testbedHost.Plan.ControlledBridges)
        {
            var dump = await testbedHost.OfctlAsync("dump-flows", "--no-names", bridge.Name);
            lines.AddRange(dump.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Where(l => gatewayMacs.Any(m => l.Contains(m, StringComparison.OrdinalIgnoreCase)))
                .Select(l => $"{bridge.Name}: {l.Trim()}"));
        }

        return lines;
    }

    private static int SessionsOf(string host) => Cloud.Controller?.Sessions.Count(s => s.Host == host) ?? 0;

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not within {timeout.TotalSeconds:0} s: {what}");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>The longest run of sequence numbers 1..count without a reply.</summary>
    private static int LongestGap(HashSet<int> replies, int count)
    {
        int longest = 0;
        int run = 0;
        for (int seq = 1; seq <= count; seq++)
        {
            run = replies.Contains(seq) ? 0 : run + 1;
            longest = Math.Max(longest, run);
        }

        return longest;
    }

    private static List<string> LiveNamespaces() =>
        Directory.Exists("/run/netns") ? [.. Directory.EnumerateFiles("/run/netns").Select(Path.GetFileName).OfType<string>()] : [];

    private static string Ms(TimeSpan? time) => time is { } t ? $"{t.TotalMilliseconds:0} ms" : "never";

    private static void Report(string line) => TestContext.Out.WriteLine(line);

    [GeneratedRegex(@"^(?<ts>\S+Z)\|\d+\|rconn\|INFO\|(?<bridge>[^<|]+)<->[^\n]*: connected\s*$", RegexOptions.Multiline)]
    private static partial Regex RconnConnected();

    [GeneratedRegex(@"^(?:\[(?<ts>\d+\.\d+)\] )?\d+ bytes from [^:]+: icmp_seq=(?<seq>\d+)", RegexOptions.Multiline)]
    private static partial Regex PingReply();
}
