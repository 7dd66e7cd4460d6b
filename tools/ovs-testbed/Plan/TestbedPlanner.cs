using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Dvr.DvrFlows.Topology;
using Dvr.OpenFlow;

namespace Dvr.OvsTestbed.Plan;

/// <summary>
/// Turns a topology into a <see cref="TestbedPlan"/>: which namespaces, veths, OVS ports, addresses, routes and
/// neighbour entries exist where (ovs-testbed.md §2-§3). Pure: it reads nothing from the machine.
/// </summary>
public static partial class TestbedPlanner
{
    /// <summary>VXLAN adds 50 bytes (outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8); 1600 leaves the VMs their 1500.</summary>
    public const int UnderlayMtu = 1600;

    /// <summary>The Linux bridge in the underlay namespace that joins every host's br-phy.</summary>
    public const string UnderlayBridgeName = "ubr";

    /// <summary>The host-namespace end of the underlay veth, a port of br-phy (it carries no address itself).</summary>
    public const string UnderlayInterfaceName = "eth-ul";

    /// <summary>The host-namespace end of the control veth.</summary>
    public const string ControlInterfaceName = "ctl0";

    /// <summary>The interface inside a VM or DHCP namespace.</summary>
    public const string PortInnerName = "eth0";

    /// <summary>Neutron's of_inactivity_probe default is 10 s; OVS wants milliseconds.</summary>
    public const int InactivityProbeMs = 10_000;

    /// <summary>Reconnect within about 1 s instead of OVS's default backoff of up to 8 s (ovs-testbed.md §9 pitfall 8).</summary>
    public const int MaxBackoffMs = 1000;

    public static TestbedPlan Create(Topology topology, TestbedOptions options)
    {
        options.Validate();
        ValidateNames(topology);
        string prefix = options.Prefix;
        string baseDir = options.ResolvedBaseDirectory;

        var physnets = topology.Hosts.SelectMany(h => h.PhysicalBridges.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var segmentBridges = ImmutableSortedDictionary.CreateRange(
            StringComparer.Ordinal,
            physnets.Select((p, i) => KeyValuePair.Create(p, TestbedNames.InterfaceName($"pn-{p}", $"pn{i}"))));
        var underlay = new UnderlayPlan(TestbedNames.UnderlayNamespace(prefix), UnderlayBridgeName, UnderlayMtu, segmentBridges);

        var control = options.Controller is TcpController tcp
            ? new ControlNetworkPlan(TestbedNames.ControlBridge(prefix), tcp.Address, 24)
            : null;

        int tunnelPrefix = TunnelPrefixLength(topology.Hosts.Select(h => h.TunnelIp));
        var namespaces = new List<NamespacePlan>();
        var hosts = new List<HostPlan>();
        for (int i = 0; i < topology.Hosts.Length; i++)
        {
            var host = topology.Hosts[i];
            hosts.Add(PlanHost(topology, options, host, i + 1, tunnelPrefix, underlay, control, namespaces));
        }

        var external = PlanExternal(topology, options, underlay);
        return new TestbedPlan(prefix, baseDir, underlay, external, control, [.. hosts], [.. namespaces]);
    }

    /// <summary>02:00 followed by the four bytes of the tunnel IP: unique per host and known to every peer.</summary>
    public static MacAddress BrPhyMac(IPAddress tunnelIp)
    {
        byte[] b = tunnelIp.GetAddressBytes();
        return new MacAddress((0x0200UL << 32) | ((ulong)b[0] << 24) | ((ulong)b[1] << 16) | ((ulong)b[2] << 8) | b[3]);
    }

    /// <summary>
    /// The longest prefix (at most /24) that covers every tunnel IP, so all VTEPs are on-link on br-phy and OVS's
    /// tunnel route lookup (it reads the namespace's kernel routes) finds br-phy for every peer.
    /// </summary>
    public static int TunnelPrefixLength(IEnumerable<IPAddress> tunnelIps)
    {
        var values = tunnelIps.Select(ToUInt32).ToList();
        int length = 24;
        while (length > 0 && values.Select(v => v >> (32 - length)).Distinct().Skip(1).Any())
        {
            length--;
        }

        return length;
    }

    private static HostPlan PlanHost(
        Topology topology,
        TestbedOptions options,
        Host host,
        int index,
        int tunnelPrefix,
        UnderlayPlan underlay,
        ControlNetworkPlan? control,
        List<NamespacePlan> namespaces)
    {
        string prefix = options.Prefix;
        if (host.TunnelIp.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"host '{host.Name}': the testbed supports IPv4 tunnel IPs only, got {host.TunnelIp}");
        }

        var localVlans = LocalVlans(topology, host.Name);
        var peers = topology.Hosts
            .Where(h => h.Name != host.Name)
            .Select(h => new TunnelPeer(h.Name, h.TunnelIp, BrPhyMac(h.TunnelIp), TestbedNames.VxlanPort(h.TunnelIp)))
            .ToImmutableArray();

        var physicalBridges = host.PhysicalBridges
            .Select((kv, k) => new PhysicalBridgePlan(
                kv.Key,
                kv.Value,
                TestbedNames.InterfaceName($"int-{kv.Value.Name}", $"int-phys{k}"),
                TestbedNames.InterfaceName($"phy-{kv.Value.Name}", $"phy-phys{k}"),
                TestbedNames.InterfaceName($"up-{kv.Value.Name}", $"up-phys{k}"),
                $"ph{index}-{k}",
                underlay.PhysicalNetworkBridges[kv.Key]))
            .ToImmutableArray();

        var attachments = new List<AttachmentPlan>();
        var hostNamespaces = new List<NamespacePlan>();
        PlanPortNamespaces(topology, prefix, host, localVlans, attachments, hostNamespaces);
        PlanRouterNamespaces(topology, prefix, host, localVlans, attachments, hostNamespaces);
        namespaces.AddRange(hostNamespaces);

        ControlLinkPlan? controlLink = null;
        if (control is not null)
        {
            controlLink = new ControlLinkPlan(
                TestbedNames.ControlLink(prefix, index), ControlInterfaceName, ControlHostAddress(control, index), control.PrefixLength);
        }

        return new HostPlan(
            host,
            index,
            TestbedNames.HostNamespace(prefix, host.Name),
            Path.Combine(options.ResolvedBaseDirectory, host.Name),
            tunnelPrefix,
            BrPhyMac(host.TunnelIp),
            UnderlayInterfaceName,
            TestbedNames.InterfaceName($"ul-{host.Name}", $"ul{index}"),
            peers,
            physicalBridges,
            localVlans,
            [.. attachments],
            controlLink);
    }

    /// <summary>
    /// The local VLAN of each network on a host. The controller computes its flows with the same allocator, so the
    /// OVS Port tags set here and the VLANs in its flows agree.
    /// </summary>
    public static ImmutableSortedDictionary<string, int> LocalVlans(Topology topology, string host) =>
        LocalVlanAllocator.LocalVlans(topology, host);

    private static void PlanPortNamespaces(
        Topology topology, string prefix, Host host, ImmutableSortedDictionary<string, int> localVlans,
        List<AttachmentPlan> attachments, List<NamespacePlan> namespaces)
    {
        foreach (var port in topology.PortsBoundTo(host.Name))
        {
            if (port.DeviceOwner is not (DeviceOwner.Compute or DeviceOwner.Dhcp))
            {
                continue;
            }

            string ns = TestbedNames.PortNamespace(prefix, port.Name);
            var attachment = Attach(topology, port.Interface, ns, PortInnerName, port.Mac, port.FixedIps, port.Network, localVlans, port.Name, port.DeviceOwner);
            attachments.Add(attachment);

            var batch = new List<string> { "link set lo up" };
            batch.AddRange(ConfigureLink(attachment));
            // A DHCP port only answers; a VM routes everything off-subnet via its subnet's gateway (the local qr-).
            var gateway = port.DeviceOwner == DeviceOwner.Compute ? FirstGateway(topology, port.FixedIps) : null;
            if (gateway is not null)
            {
                batch.Add($"route add default via {gateway} dev {PortInnerName}");
            }

            namespaces.Add(new NamespacePlan(ns, NamespaceKind.Port, host.Name, port.Name, false, [.. batch], [], [PortInnerName]));
        }
    }

    private static void PlanRouterNamespaces(
        Topology topology, string prefix, Host host, ImmutableSortedDictionary<string, int> localVlans,
        List<AttachmentPlan> attachments, List<NamespacePlan> namespaces)
    {
        foreach (var router in topology.RoutersOnHost(host.Name))
        {
            var gateway = router.ExternalGateway;
            bool snatHere = gateway is not null && gateway.SnatHost == host.Name;
            var legs = router.Distributed
                ? topology.RouterInterfaces(router.Name).Where(p => p.DeviceOwner == DeviceOwner.RouterInterfaceDistributed).ToList()
                : topology.RouterInterfaces(router.Name).Where(p => p.Host == host.Name).ToList();
            string ns = TestbedNames.RouterNamespace(prefix, router.Name, host.Name);
            var batch = new List<string> { "link set lo up" };
            var inner = new List<string>();
            var iptables = new List<string>();
            if (legs.Count > 0 || !router.Distributed)
            {
                foreach (var leg in legs)
                {
                    var attachment = Attach(topology, leg.Interface, ns, leg.Interface, leg.Mac, leg.FixedIps, leg.Network, localVlans, leg.Name, leg.DeviceOwner);
                    attachments.Add(attachment);
                    inner.Add(leg.Interface);
                    batch.AddRange(ConfigureLink(attachment));
                    batch.AddRange(PermanentNeighbours(topology, leg));
                }

                if (router.Distributed)
                {
                    batch.AddRange(SnatPolicyRoutes(topology, router, legs));
                }
                else if (snatHere)
                {
                    PlanGatewayLeg(topology, router, gateway!, ns, localVlans, attachments, batch, inner, iptables);
                }

                namespaces.Add(new NamespacePlan(
                    ns,
                    router.Distributed ? NamespaceKind.DistributedRouter : NamespaceKind.LegacyRouter,
                    host.Name,
                    router.Name,
                    true,
                    [.. batch],
                    [.. iptables],
                    [.. inner]));
            }

            if (router.Distributed && snatHere)
            {
                PlanSnatNamespace(topology, prefix, host, router, localVlans, attachments, namespaces);
            }
        }
    }

    /// <summary>
    /// The centralized SNAT namespace of a distributed router (Neutron's snat-ROUTER): one sg- leg per internal
    /// subnet, the qg- leg on the external network, and SNAT to the gateway IP.
    /// </summary>
    private static void PlanSnatNamespace(
        Topology topology, string prefix, Host host, Router router, ImmutableSortedDictionary<string, int> localVlans,
        List<AttachmentPlan> attachments, List<NamespacePlan> namespaces)
    {
        string ns = TestbedNames.SnatNamespace(prefix, router.Name);
        var batch = new List<string> { "link set lo up" };
        var inner = new List<string>();
        var iptables = new List<string>();
        foreach (var sg in topology.SnatPorts(router.Name))
        {
            var attachment = Attach(topology, sg.Interface, ns, sg.Interface, sg.Mac, sg.FixedIps, sg.Network, localVlans, sg.Name, sg.DeviceOwner);
            attachments.Add(attachment);
            inner.Add(sg.Interface);
            batch.AddRange(ConfigureLink(attachment));
        }

        PlanGatewayLeg(topology, router, router.ExternalGateway!, ns, localVlans, attachments, batch, inner, iptables);
        namespaces.Add(new NamespacePlan(ns, NamespaceKind.Snat, host.Name, router.Name, true, [.. batch], [.. iptables], [.. inner]));
    }

    /// <summary>The qg- leg: gateway IP/MAC on the external network, default route via the external subnet's gateway, SNAT.</summary>
    private static void PlanGatewayLeg(
        Topology topology, Router router, ExternalGateway gateway, string ns, ImmutableSortedDictionary<string, int> localVlans,
        List<AttachmentPlan> attachments, List<string> batch, List<string> inner, List<string> iptables)
    {
        var subnet = topology.Subnets.FirstOrDefault(s => s.Network == gateway.Network && s.Cidr.Contains(gateway.Ip))
            ?? throw new ArgumentException($"router '{router.Name}': no subnet of external network '{gateway.Network}' contains the gateway IP {gateway.Ip}");
        var attachment = Attach(
            topology, gateway.Interface, ns, gateway.Interface, gateway.Mac, [new FixedIp(subnet.Name, gateway.Ip)],
            gateway.Network, localVlans, $"{router.Name}-gw", DeviceOwner.RouterGateway);
        attachments.Add(attachment);
        inner.Add(gateway.Interface);
        batch.AddRange(ConfigureLink(attachment));
        if (subnet.GatewayIp is { } upstream)
        {
            batch.Add($"route add default via {upstream} dev {gateway.Interface}");
        }

        iptables.Add($"-t nat -A POSTROUTING -o {gateway.Interface} -j SNAT --to-source {gateway.Ip}");
    }

    /// <summary>
    /// Like Neutron's L3 agent: the router knows every port of the leg's subnets (on all hosts) by a permanent
    /// neighbour entry, so it never ARPs across hosts (ovs-testbed.md §5, neutron-dvr-flows.md §4 ARP (1)).
    /// </summary>
    private static IEnumerable<string> PermanentNeighbours(Topology topology, Port leg)
    {
        var subnets = leg.FixedIps.Select(f => topology.GetSubnet(f.Subnet)).Where(s => !s.Cidr.IsIpv6).ToList();
        foreach (var port in topology.Ports)
        {
            if (port.IsRouterInterface || port.DeviceOwner == DeviceOwner.RouterGateway)
            {
                continue;
            }

            foreach (var ip in port.FixedIps)
            {
                if (ip.Ip.AddressFamily == AddressFamily.InterNetwork && subnets.Any(s => s.Name == ip.Subnet))
                {
                    yield return $"neigh replace {ip.Ip} lladdr {port.Mac} dev {leg.Interface} nud permanent";
                }
            }
        }
    }

    /// <summary>
    /// Neutron's DVR routers send north-south traffic of each subnet to that subnet's SNAT (sg-) port through a
    /// source-routing table named after the qr- address (ip rule "from CIDR lookup N priority N"). The main table
    /// (priority 32766) comes first and keeps the connected routes for east-west.
    /// </summary>
    private static IEnumerable<string> SnatPolicyRoutes(Topology topology, Router router, List<Port> legs)
    {
        if (router.ExternalGateway is null)
        {
            yield break;
        }

        var snatPorts = topology.SnatPorts(router.Name);
        foreach (var leg in legs)
        {
            foreach (var fixedIp in leg.FixedIps.Where(f => f.Ip.AddressFamily == AddressFamily.InterNetwork))
            {
                var subnet = topology.GetSubnet(fixedIp.Subnet);
                var sgIp = snatPorts.SelectMany(p => p.FixedIps).FirstOrDefault(f => f.Subnet == subnet.Name);
                if (sgIp is null)
                {
                    continue;
                }

                uint table = ToUInt32(fixedIp.Ip);
                yield return $"rule add from {subnet.Cidr} lookup {table} priority {table}";
                yield return $"route add default via {sgIp.Ip} dev {leg.Interface} table {table}";
            }
        }
    }

    private static ExternalPlan? PlanExternal(Topology topology, TestbedOptions options, UnderlayPlan underlay)
    {
        var externalNetworks = topology.Routers
            .Select(r => r.ExternalGateway?.Network)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (externalNetworks.Count == 0)
        {
            return null;
        }

        var legs = new List<ExternalLegPlan>();
        for (int k = 0; k < externalNetworks.Count; k++)
        {
            var network = topology.GetNetwork(externalNetworks[k]);
            if (network.Type == NetworkType.Vxlan || network.PhysicalNetwork is null)
            {
                throw new ArgumentException($"external network '{network.Name}' must be flat or vlan with a physical_network to reach the external namespace");
            }

            if (!underlay.PhysicalNetworkBridges.TryGetValue(network.PhysicalNetwork, out var segment))
            {
                throw new ArgumentException(
                    $"external network '{network.Name}': no host maps physical network '{network.PhysicalNetwork}' in its bridge_mappings");
            }

            int? vlan = network.Type == NetworkType.Vlan ? (int?)network.SegmentationId : null;
            string iface = $"ex{k}";
            var subnet = topology.Subnets.FirstOrDefault(s => s.Network == network.Name && !s.Cidr.IsIpv6 && s.GatewayIp is not null);
            legs.Add(new ExternalLegPlan(
                network.Name,
                network.PhysicalNetwork,
                vlan,
                iface,
                vlan is null ? iface : $"{iface}.{vlan}",
                $"ext{k}-{segment}".Length <= TestbedNames.MaxInterfaceName ? $"ext{k}-{segment}" : $"ext{k}",
                new MacAddress(0x0200_00ee_0000UL | (uint)(k + 1)),
                subnet is null ? null : $"{subnet.GatewayIp}/{subnet.Cidr.PrefixLength}"));
        }

        return new ExternalPlan(TestbedNames.ExternalNamespace(options.Prefix), options.InternetAddress, "lo", [.. legs]);
    }

    private static AttachmentPlan Attach(
        Topology topology, string iface, string ns, string inner, MacAddress mac, IEnumerable<FixedIp> fixedIps,
        string network, ImmutableSortedDictionary<string, int> localVlans, string portName, DeviceOwner owner)
    {
        if (!localVlans.TryGetValue(network, out int vlan))
        {
            throw new ArgumentException($"port '{portName}': network '{network}' has no local VLAN on this host");
        }

        var addresses = fixedIps
            .Where(f => f.Ip.AddressFamily == AddressFamily.InterNetwork)
            .Select(f => $"{f.Ip}/{topology.GetSubnet(f.Subnet).Cidr.PrefixLength}")
            .ToImmutableArray();
        var net = topology.GetNetwork(network);

        // What the Neutron OVS agent writes (neutron-dvr-flows.md §4): iface-id and attached-mac on the Interface,
        // the network's identity and local VLAN on the Port.
        var externalIds = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["iface-id"] = portName,
            ["attached-mac"] = mac.ToString(),
            ["iface-status"] = "active",
        };
        if (owner == DeviceOwner.Compute)
        {
            externalIds["vm-uuid"] = portName;
        }

        var otherConfig = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["net_uuid"] = network,
            ["network_type"] = net.Type.ToString().ToLowerInvariant(),
            ["tag"] = vlan.ToString(CultureInfo.InvariantCulture),
        };
        if (net.SegmentationId is { } seg)
        {
            otherConfig["segmentation_id"] = seg.ToString(CultureInfo.InvariantCulture);
        }

        if (net.PhysicalNetwork is { } physnet)
        {
            otherConfig["physical_network"] = physnet;
        }

        return new AttachmentPlan(
            iface, ns, inner, mac, addresses, network, vlan, portName,
            externalIds.ToImmutableSortedDictionary(StringComparer.Ordinal),
            otherConfig.ToImmutableSortedDictionary(StringComparer.Ordinal));
    }

    private static IEnumerable<string> ConfigureLink(AttachmentPlan attachment)
    {
        yield return $"link set {attachment.InnerName} address {attachment.Mac}";
        foreach (string address in attachment.Addresses)
        {
            yield return $"addr add {address} dev {attachment.InnerName}";
        }

        yield return $"link set {attachment.InnerName} up";
    }

    private static IPAddress? FirstGateway(Topology topology, IEnumerable<FixedIp> fixedIps) =>
        fixedIps
            .Where(f => f.Ip.AddressFamily == AddressFamily.InterNetwork)
            .Select(f => topology.GetSubnet(f.Subnet).GatewayIp)
            .FirstOrDefault(g => g is not null);

    private static IPAddress ControlHostAddress(ControlNetworkPlan control, int index)
    {
        uint network = ToUInt32(control.ControllerAddress) & 0xffff_ff00u;
        uint controllerHost = ToUInt32(control.ControllerAddress) & 0xffu;
        uint host = (uint)index;
        if (host >= controllerHost)
        {
            host++;
        }

        if (host is 0 or >= 255)
        {
            throw new ArgumentException($"too many hosts for the control network {control.ControllerAddress}/24");
        }

        return FromUInt32(network | host);
    }

    private static void ValidateNames(Topology topology)
    {
        foreach (var host in topology.Hosts)
        {
            CheckName("host", host.Name, host.Name);
        }

        foreach (var router in topology.Routers)
        {
            CheckName("router", router.Name, router.Name);
            if (router.ExternalGateway is { } gw)
            {
                CheckInterface($"router '{router.Name}' external gateway", gw.Interface);
            }
        }

        foreach (var port in topology.Ports)
        {
            CheckName("port", port.Name, port.Name);
            CheckInterface($"port '{port.Name}'", port.Interface);
        }
    }

    private static void CheckName(string kind, string name, string what)
    {
        if (!SafeName().IsMatch(name))
        {
            throw new ArgumentException($"{kind} '{what}': the testbed needs names from [A-Za-z0-9_.-] (they become namespace names)");
        }
    }

    private static void CheckInterface(string what, string iface)
    {
        if (!SafeName().IsMatch(iface) || iface.Length > TestbedNames.MaxInterfaceName)
        {
            throw new ArgumentException($"{what}: interface name '{iface}' must be 1..15 characters from [A-Za-z0-9_.-]");
        }
    }

    internal static uint ToUInt32(IPAddress address)
    {
        byte[] b = address.GetAddressBytes();
        if (b.Length != 4)
        {
            throw new ArgumentException($"{address} is not an IPv4 address");
        }

        return ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
    }

    internal static IPAddress FromUInt32(uint value) =>
        new([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    private static partial Regex SafeName();
}
