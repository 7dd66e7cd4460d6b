using System.Text;
using Dvr.OvsTestbed.Exec;
using Dvr.OvsTestbed.Plan;

namespace Dvr.OvsTestbed;

/// <summary>
/// The Linux side of a testbed: namespaces, veths (each end created directly in its namespace, so nothing appears
/// in the root namespace), Linux bridges, addresses, routes, sysctls, offloads and iptables.
/// </summary>
internal static class NetworkSetup
{
    /// <summary>
    /// veth checksum/segmentation offloads break TCP and UDP on the userspace datapath (ovs-testbed.md §9 pitfall 2),
    /// so they are turned off on both ends of every veth that carries tenant or external traffic.
    /// </summary>
    private const string OffloadsOff = "tx off tso off gso off gro off";

    /// <summary>The underlay namespace with its bridges, the external namespace, and the root control bridge.</summary>
    public static async Task CreateSharedAsync(TestbedPlan plan, CancellationToken ct)
    {
        var roots = new List<string> { $"netns add {plan.Underlay.Namespace}" };
        if (plan.External is not null)
        {
            roots.Add($"netns add {plan.External.Namespace}");
        }

        await CommandRunner.IpBatchAsync(null, roots, ct).ConfigureAwait(false);

        var under = new List<string>
        {
            "link set lo up",
            $"link add {plan.Underlay.Bridge} type bridge",
            $"link set {plan.Underlay.Bridge} mtu {plan.Underlay.Mtu} up",
        };
        foreach (string bridge in plan.Underlay.PhysicalNetworkBridges.Values)
        {
            under.Add($"link add {bridge} type bridge");
            under.Add($"link set {bridge} up");
        }

        await CommandRunner.IpBatchAsync(plan.Underlay.Namespace, under, ct).ConfigureAwait(false);
        await RunScriptAsync(plan.Underlay.Namespace, Sysctls(ipForward: false), [], ct).ConfigureAwait(false);

        if (plan.External is { } external)
        {
            await CreateExternalAsync(plan, external, ct).ConfigureAwait(false);
        }

        if (plan.Control is { } control)
        {
            await CreateControlBridgeAsync(control, ct).ConfigureAwait(false);
        }
    }

    /// <summary>A host's namespaces and all its veths; returns once every namespace is configured.</summary>
    public static async Task CreateHostLinksAsync(TestbedPlan plan, HostPlan host, CancellationToken ct)
    {
        var namespaces = plan.Namespaces.Where(n => n.Host == host.Name).ToList();
        await CommandRunner.IpBatchAsync(null, [$"netns add {host.Namespace}", .. namespaces.Select(n => $"netns add {n.Name}")], ct)
            .ConfigureAwait(false);

        var lines = new List<string> { "link set lo up" };
        foreach (var attachment in host.Attachments)
        {
            lines.Add($"link add {attachment.Interface} type veth peer name {attachment.InnerName} netns {attachment.Namespace}");
            lines.Add($"link set {attachment.Interface} up");
        }

        int mtu = plan.Underlay.Mtu;
        lines.Add($"link add {host.UnderlayInterface} mtu {mtu} type veth peer name {host.UnderlayPeer} mtu {mtu} netns {plan.Underlay.Namespace}");
        lines.Add($"link set {host.UnderlayInterface} up");
        foreach (var physical in host.PhysicalBridges)
        {
            lines.Add($"link add {physical.Uplink} type veth peer name {physical.UnderlayPeer} netns {plan.Underlay.Namespace}");
            lines.Add($"link set {physical.Uplink} up");
        }

        await CommandRunner.IpBatchAsync(host.Namespace, lines, ct).ConfigureAwait(false);

        var under = new List<string> { $"link set {host.UnderlayPeer} master {plan.Underlay.Bridge}", $"link set {host.UnderlayPeer} up" };
        foreach (var physical in host.PhysicalBridges)
        {
            under.Add($"link set {physical.UnderlayPeer} master {physical.SegmentBridge}");
            under.Add($"link set {physical.UnderlayPeer} up");
        }

        await CommandRunner.IpBatchAsync(plan.Underlay.Namespace, under, ct).ConfigureAwait(false);

        if (host.Control is { } link && plan.Control is { } control)
        {
            await CommandRunner.IpBatchAsync(
                null,
                [
                    $"link add {link.RootInterface} type veth peer name {link.HostInterface} netns {host.Namespace}",
                    $"link set {link.RootInterface} master {control.Bridge}",
                    $"link set {link.RootInterface} up",
                ],
                ct).ConfigureAwait(false);
            await CommandRunner.IpBatchAsync(
                host.Namespace,
                [$"addr add {link.Address}/{link.PrefixLength} dev {link.HostInterface}", $"link set {link.HostInterface} up"],
                ct).ConfigureAwait(false);
        }

        foreach (var ns in namespaces)
        {
            await NamespaceSignature.WriteAsync(host, ns, host.Attachments.Where(a => a.Namespace == ns.Name), ct).ConfigureAwait(false);
        }

        var physicalPeers = host.PhysicalBridges.Select(p => p.UnderlayPeer).ToList();
        var tasks = new List<Task>
        {
            RunScriptAsync(host.Namespace, Sysctls(ipForward: false), [.. host.Attachments.Select(a => a.Interface), .. host.PhysicalBridges.Select(p => p.Uplink)], ct),
            RunScriptAsync(plan.Underlay.Namespace, string.Empty, physicalPeers, ct),
        };
        foreach (var ns in namespaces)
        {
            tasks.Add(ConfigureNamespaceAsync(host, ns, ct));
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    /// <summary>
    /// Adds one port, router or SNAT namespace to a running host (testbed dynamics): the namespace, one veth per
    /// attachment with its br-int end up and offloads off, then the namespace's own script. Attaching the br-int ends
    /// to OVS is left to the caller, so a port only appears on the switch once its namespace is configured.
    /// </summary>
    public static async Task CreateAttachmentNamespaceAsync(HostPlan host, NamespacePlan ns, IReadOnlyList<AttachmentPlan> attachments, CancellationToken ct)
    {
        await CommandRunner.IpBatchAsync(null, [$"netns add {ns.Name}"], ct).ConfigureAwait(false);
        var lines = new List<string>();
        foreach (var attachment in attachments)
        {
            lines.Add($"link add {attachment.Interface} type veth peer name {attachment.InnerName} netns {attachment.Namespace}");
            lines.Add($"link set {attachment.Interface} up");
        }

        if (lines.Count > 0)
        {
            await CommandRunner.IpBatchAsync(host.Namespace, lines, ct).ConfigureAwait(false);
        }

        await Task.WhenAll(
            RunScriptAsync(host.Namespace, string.Empty, attachments.Select(a => a.Interface), ct),
            ConfigureNamespaceAsync(host, ns, ct)).ConfigureAwait(false);
        await NamespaceSignature.WriteAsync(host, ns, attachments, ct).ConfigureAwait(false);
    }

    private static async Task ConfigureNamespaceAsync(HostPlan host, NamespacePlan ns, CancellationToken ct)
    {
        var script = new StringBuilder(Sysctls(ns.IpForward));
        script.Append("ip -batch - <<'EOF'\n");
        foreach (string line in ns.IpBatch)
        {
            script.Append(line).Append('\n');
        }

        script.Append("EOF\n");
        foreach (string rule in ns.Iptables)
        {
            script.Append("iptables ").Append(rule).Append('\n');
        }

        string dir = Path.Combine(host.RunDirectory, "ns");
        Directory.CreateDirectory(dir);
        await RunScriptAsync(ns.Name, script.ToString(), ns.InnerInterfaces, ct, Path.Combine(dir, ns.Name + ".sh")).ConfigureAwait(false);
    }

    private static async Task CreateExternalAsync(TestbedPlan plan, ExternalPlan external, CancellationToken ct)
    {
        var lines = new List<string> { "link set lo up" };
        var under = new List<string>();
        foreach (var leg in external.Legs)
        {
            lines.Add($"link add {leg.Interface} type veth peer name {leg.UnderlayPeer} netns {plan.Underlay.Namespace}");
            lines.Add($"link set {leg.Interface} address {leg.Mac}");
            lines.Add($"link set {leg.Interface} up");
            if (leg.VlanId is { } vlan)
            {
                lines.Add($"link add link {leg.Interface} name {leg.AddressInterface} type vlan id {vlan}");
                lines.Add($"link set {leg.AddressInterface} up");
            }

            if (leg.Address is not null)
            {
                lines.Add($"addr add {leg.Address} dev {leg.AddressInterface}");
            }

            under.Add($"link set {leg.UnderlayPeer} master {plan.Underlay.PhysicalNetworkBridges[leg.PhysicalNetwork]}");
            under.Add($"link set {leg.UnderlayPeer} up");
        }

        lines.Add($"addr add {external.InternetAddress}/32 dev {external.InternetInterface}");
        await CommandRunner.IpBatchAsync(external.Namespace, lines, ct).ConfigureAwait(false);
        await CommandRunner.IpBatchAsync(plan.Underlay.Namespace, under, ct).ConfigureAwait(false);
        await Task.WhenAll(
            RunScriptAsync(external.Namespace, Sysctls(ipForward: true), [.. external.Legs.Select(l => l.Interface)], ct),
            RunScriptAsync(plan.Underlay.Namespace, string.Empty, [.. external.Legs.Select(l => l.UnderlayPeer)], ct)).ConfigureAwait(false);
    }

    private static async Task CreateControlBridgeAsync(ControlNetworkPlan control, CancellationToken ct)
    {
        // The controller address must not already belong to someone else's interface in the root namespace.
        var existing = await CommandRunner.RunCheckedAsync("ip", ["-o", "addr", "show", "to", $"{control.ControllerAddress}/32"], cancellationToken: ct)
            .ConfigureAwait(false);
        if (!string.IsNullOrWhiteSpace(existing.Stdout))
        {
            throw new TestbedCommandException(
                $"controller address {control.ControllerAddress} is already assigned in the root namespace ({existing.Stdout.Trim()}); " +
                "pick another tcp:IP for this testbed");
        }

        await CommandRunner.IpBatchAsync(
            null,
            [
                $"link add {control.Bridge} type bridge",
                $"addr add {control.ControllerAddress}/{control.PrefixLength} dev {control.Bridge}",
                $"link set {control.Bridge} up",
            ],
            ct).ConfigureAwait(false);
    }

    /// <summary>IPv6 off everywhere (less flooding noise, deterministic counters); optionally IPv4 forwarding on.</summary>
    private static string Sysctls(bool ipForward)
    {
        var s = new StringBuilder("sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1");
        s.Append(" net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0");
        if (ipForward)
        {
            s.Append(" net.ipv4.ip_forward=1");
        }

        return s.Append('\n').ToString();
    }

    /// <summary>Runs a generated sh script inside a namespace (kept as a file in the run directory when one is given).</summary>
    private static async Task RunScriptAsync(string ns, string body, IEnumerable<string> offloadInterfaces, CancellationToken ct, string? file = null)
    {
        var script = new StringBuilder("set -e\n").Append(body);
        foreach (string iface in offloadInterfaces)
        {
            script.Append("ethtool -K ").Append(iface).Append(' ').Append(OffloadsOff).Append('\n');
        }

        if (file is not null)
        {
            await File.WriteAllTextAsync(file, script.ToString(), ct).ConfigureAwait(false);
        }

        await CommandRunner.RunCheckedAsync("ip", ["netns", "exec", ns, "sh", "-s"], script.ToString(), cancellationToken: ct).ConfigureAwait(false);
    }
}
