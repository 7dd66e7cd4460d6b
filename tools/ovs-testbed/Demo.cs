using System.Diagnostics;
using System.Globalization;
using System.Net;
using Dvr.DvrFlows.Compiler;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Topology;
using Dvr.OvsTestbed.Capture;

namespace Dvr.OvsTestbed;

/// <summary>
/// The demo (README's main command): the testbed of a topology, the Dvr controller programming it, convergence,
/// the DVR flows with their owners, the ping matrix, and one routed frame caught on the underlay showing the
/// sending host's DVR MAC instead of the gateway MAC. Exits non-zero when anything fails.
/// </summary>
public static class Demo
{
    /// <summary>The flows that keep gateway MACs off the wire: (title, bridge, table, lowest priority shown).</summary>
    private static readonly (string Title, BridgeRole Bridge, byte Table, ushort MinPriority)[] DvrTables =
    [
        ("DVR_PROCESS (br-tun 1): gateway-MAC drop (prio 2), gateway -> this host's DVR MAC source rewrite (prio 1)", BridgeRole.Tunnel, 1, 1),
        ("FLOOD_TO_TUN (br-tun 22): ARP for a gateway IP never reaches a tunnel (prio 3)", BridgeRole.Tunnel, 22, 3),
        ("DVR_NOT_LEARN (br-tun 9): frames from a peer's DVR MAC are never learned", BridgeRole.Tunnel, 9, 1),
        ("DVR_TO_SRC_MAC (br-int 1): peer DVR MAC -> gateway MAC restored, direct delivery", BridgeRole.Integration, 1, 2),
    ];

    private enum BridgeRole
    {
        Integration,
        Tunnel,
    }

    public static async Task<int> RunAsync(string topologyPath, string prefix, bool keep, TextWriter output, CancellationToken cancellationToken = default)
    {
        var topology = TopologyLoader.Load(topologyPath);
        output.WriteLine($"== Dvr demo: {topologyPath}: {topology.Hosts.Length} hosts, {topology.Networks.Length} networks, {topology.Routers.Length} routers, {topology.Ports.Length} ports");
        var clock = Stopwatch.StartNew();
        output.WriteLine("-- bringing up the testbed (namespaces, one ovsdb-server + ovs-vswitchd per host, VXLAN underlay) with the Dvr controller on a unix socket...");
        var cloud = await DvrCloud.StartAsync(topology, prefix, cancellationToken: cancellationToken).ConfigureAwait(false);
        bool ok = true;
        try
        {
            output.WriteLine($"-- testbed up in {cloud.Testbed.BringUpTime.TotalSeconds:F1} s; controller converged: {cloud.ExpectedBridgeCount} bridges in sync after {clock.Elapsed.TotalSeconds:F1} s");
            // One compile per host serves both the flow counts and the DVR flow listing.
            var compiled = CompileHosts(topology);
            ok &= await PrintFlowCountsAsync(cloud, compiled, output).ConfigureAwait(false);
            PrintDvrFlows(topology, compiled, output);
            ok &= await PrintPingMatrixAsync(cloud, output, cancellationToken).ConfigureAwait(false);
            ok &= await PrintRoutedFrameAsync(cloud, output).ConfigureAwait(false);
        }
        finally
        {
            if (keep)
            {
                await cloud.StopControllerAsync().ConfigureAwait(false);
                PrintLookAround(cloud, topologyPath, output);
            }
            else
            {
                output.WriteLine("-- tearing down (only what this testbed started, by PID and by prefix)");
                await cloud.DisposeAsync().ConfigureAwait(false);
            }
        }

        output.WriteLine(ok ? "== demo PASSED" : "== demo FAILED");
        return ok ? 0 : 1;
    }

    /// <summary>Each host's desired flows, compiled against the synthetic port map (what `dvrctl compile` prints).</summary>
    private static Dictionary<string, (SyntheticPortMap Ports, CompiledHost Flows)> CompileHosts(Topology topology) =>
        topology.Hosts.ToDictionary(
            h => h.Name,
            h =>
            {
                // One host plan for both the port map and the compile (Compile(topology, host, ...) would build another).
                var plan = Dvr.DvrFlows.Compiler.HostPlan.Create(topology, h.Name);
                var ports = SyntheticPortMap.For(plan);
                return (ports, DvrFlowCompiler.Compile(plan, ports));
            },
            StringComparer.Ordinal);

    private static async Task<bool> PrintFlowCountsAsync(DvrCloud cloud, Dictionary<string, (SyntheticPortMap Ports, CompiledHost Flows)> compiledHosts, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine("-- flows per host and bridge (installed = ovs-ofctl dump-flows on the switch; desired = dvrctl compile)");
        output.WriteLine($"   {"host",-6} {"bridge",-8} {"installed",9} {"desired",8}");
        bool ok = true;
        foreach (var host in cloud.Testbed.Hosts.Values)
        {
            foreach (var set in compiledHosts[host.Name].Flows.InPipelineOrder())
            {
                var dump = await host.OfctlAsync("dump-flows", set.BridgeName, "--no-stats").ConfigureAwait(false);
                int installed = dump.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.Contains("priority=", StringComparison.Ordinal) || l.Contains("actions=", StringComparison.Ordinal));
                bool same = installed == set.Flows.Length;
                ok &= same;
                output.WriteLine($"   {host.Name,-6} {set.BridgeName,-8} {installed,9} {set.Flows.Length,8}{(same ? string.Empty : "   MISMATCH")}");
            }
        }

        return ok;
    }

    private static void PrintDvrFlows(Topology topology, Dictionary<string, (SyntheticPortMap Ports, CompiledHost Flows)> compiledHosts, TextWriter output)
    {
        foreach (var host in topology.Hosts)
        {
            var (ports, compiled) = compiledHosts[host.Name];
            output.WriteLine();
            output.WriteLine($"-- DVR flows on {host.Name} (DVR MAC {host.DvrMac}), '# owner role'");
            foreach (var (title, role, table, minPriority) in DvrTables)
            {
                var set = role == BridgeRole.Tunnel ? compiled[host.Tunnel.Name] : compiled[host.Integration.Name];
                var flows = set.Flows.Where(f => f.TableId == table && f.Priority >= minPriority).ToList();
                output.WriteLine($"   {title}");
                foreach (var flow in flows)
                {
                    output.WriteLine("    " + DesiredFlowText.FormatWithOwner(flow, ports.NamesOf(set.BridgeName)).TrimStart());
                }

                if (flows.Count == 0)
                {
                    output.WriteLine("    (none on this host)");
                }
            }
        }
    }

    /// <summary>
    /// Every compute port pings every other one that its routers connect it to, and the internet when its router
    /// has an external gateway. Pairs with no path (different routers) are shown as "-" and not pinged.
    /// </summary>
    private static async Task<bool> PrintPingMatrixAsync(DvrCloud cloud, TextWriter output, CancellationToken cancellationToken)
    {
        var topology = cloud.Topology;
        var vms = topology.Ports.Where(p => p.DeviceOwner == DeviceOwner.Compute).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        var internet = cloud.Testbed.Options.InternetAddress;
        var columns = vms.Select(v => v.Name).Append("internet").ToList();
        output.WriteLine();
        output.WriteLine($"-- ping matrix (row pings column; ok = replies, FAIL = no reply, - = no path in the topology; internet = {internet} behind SNAT)");
        output.WriteLine("   " + $"{"from",-14}" + string.Concat(columns.Select(c => $"{c,-10}")));
        bool ok = true;
        foreach (var from in vms)
        {
            var row = new List<string>();
            foreach (var column in columns)
            {
                IPAddress? target = column == "internet"
                    ? (ReachesInternet(topology, from) ? internet : null)
                    : vms.Single(v => v.Name == column) is var to && to != from && Connected(topology, from, to) ? to.FixedIps[0].Ip : null;
                if (column == from.Name)
                {
                    row.Add("·");
                    continue;
                }

                if (target is null)
                {
                    row.Add("-");
                    continue;
                }

                var ping = await cloud.Testbed.PingAsync(from.Name, target.ToString(), count: 2, timeout: TimeSpan.FromSeconds(2), cancellationToken: cancellationToken).ConfigureAwait(false);
                ok &= ping.Success;
                row.Add(ping.Success ? "ok" : "FAIL");
            }

            output.WriteLine("   " + $"{from.Name + " (" + from.Host + ")",-14}" + string.Concat(row.Select(c => $"{c,-10}")));
        }

        return ok;
    }

    private static IEnumerable<string> RoutersOf(Topology topology, string network) =>
        topology.Ports.Where(p => p.Router is not null && p.Network == network
            && p.DeviceOwner is DeviceOwner.RouterInterfaceDistributed or DeviceOwner.RouterInterface).Select(p => p.Router!);

    private static bool Connected(Topology topology, Port from, Port to) =>
        from.Network == to.Network || RoutersOf(topology, from.Network).Intersect(RoutersOf(topology, to.Network)).Any();

    private static bool ReachesInternet(Topology topology, Port from) =>
        RoutersOf(topology, from.Network).Any(r => topology.Routers.Single(x => x.Name == r).ExternalGateway is not null);

    /// <summary>Pings across hosts and subnets while capturing the underlay, and shows the first routed frame.</summary>
    private static async Task<bool> PrintRoutedFrameAsync(DvrCloud cloud, TextWriter output)
    {
        var topology = cloud.Topology;
        var vms = topology.Ports.Where(p => p.DeviceOwner == DeviceOwner.Compute).ToList();
        var pair = (from a in vms from b in vms
                    where a.Host != b.Host && a.Network != b.Network && Connected(topology, a, b)
                    select (From: a, To: b)).FirstOrDefault();
        output.WriteLine();
        if (pair.From is null)
        {
            output.WriteLine("-- no cross-host, cross-subnet VM pair in this topology: no routed frame to show");
            return true;
        }

        await using var capture = await UnderlayCapture.StartAsync(cloud.Testbed, "demo").ConfigureAwait(false);
        IReadOnlyList<VxlanFrame> frames;
        try
        {
            await cloud.Testbed.PingAsync(pair.From.Name, pair.To.FixedIps[0].Ip.ToString(), count: 1).ConfigureAwait(false);
        }
        finally
        {
            frames = await capture.StopAsync().ConfigureAwait(false);
        }

        var routed = frames.FirstOrDefault(f => f.Inner.IsIcmp && Equals(f.Inner.IpSource, pair.From.FixedIps[0].Ip));
        var sender = topology.Hosts.Single(h => h.Name == pair.From.Host);
        var gatewayMacs = topology.Ports.Where(p => p.DeviceOwner == DeviceOwner.RouterInterfaceDistributed).Select(p => p.Mac).ToHashSet();
        output.WriteLine($"-- one routed frame on the underlay: {pair.From.Name} ({pair.From.Host}) -> {pair.To.Name} ({pair.To.Host}), captured on the underlay ports in {cloud.Testbed.UnderlayNamespace} with tcpdump, read with SharpPcap, decoded with PacketDotNet");
        if (routed is null)
        {
            output.WriteLine("   FAIL: no routed ICMP frame was captured");
            return false;
        }

        bool dvrMac = routed.Inner.Source == sender.DvrMac;
        bool noGateway = !gatewayMacs.Contains(routed.Inner.Source) && !gatewayMacs.Contains(routed.Inner.Destination);
        output.WriteLine($"   outer  {routed.OuterSource} -> {routed.OuterDestination}  VXLAN VNI {routed.Vni.ToString(CultureInfo.InvariantCulture)}");
        output.WriteLine($"   inner  src MAC {routed.Inner.Source}  dst MAC {routed.Inner.Destination}  {routed.Inner.IpSource} -> {routed.Inner.IpDestination} ICMP");
        output.WriteLine($"   source MAC is {sender.Name}'s DVR MAC {sender.DvrMac}: {(dvrMac ? "yes" : "NO")}; a gateway MAC on the wire: {(noGateway ? "no" : "YES")}");
        return dvrMac && noGateway;
    }

    private static void PrintLookAround(DvrCloud cloud, string topologyPath, TextWriter output)
    {
        var tb = cloud.Testbed;
        var first = tb.Hosts.Values.First();
        output.WriteLine();
        output.WriteLine($"-- --keep: the testbed '{tb.Prefix}' stays up (flows stay: fail_mode=secure). Look around:");
        output.WriteLine($"   ovs-ofctl -O OpenFlow13 dump-flows unix:{first.ManagementSocket(first.TunnelBridge)} table=1");
        output.WriteLine($"   ovs-appctl -t {first.VswitchdControl} ofproto/trace br-int in_port=<port>,icmp,...");
        output.WriteLine($"   dotnet tools/ovs-testbed/bin/Release/net10.0/dvr-testbed.dll ping --prefix {tb.Prefix} vm1 10.0.2.20");
        output.WriteLine($"   ./dvrctl trace {topologyPath} --host {first.Name} --bridge br-tun 'in_port=patch-int,...' --to-host <peer>");
        output.WriteLine($"   ./dvrctl serve --topology {topologyPath} --listen unix:{cloud.ControllerSocket}   (the controller again)");
        output.WriteLine($"   tear down: dotnet tools/ovs-testbed/bin/Release/net10.0/dvr-testbed.dll down --prefix {tb.Prefix}");
    }
}
