using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Dvr.OpenFlow;

namespace Dvr.DvrFlows.Topology;

/// <summary>
/// The checks that span entities: references, uniqueness, ranges, address containment and placement
/// (docs/topology.md, "Validation"). Every check records its errors and carries on, so one run lists them all.
/// </summary>
internal sealed class TopologyValidator
{
    /// <summary>VXLAN Network Identifiers are 24 bits (RFC 7348 §5); 0 is not used by Neutron's vxlan type driver.</summary>
    public const uint MaxVni = (1u << 24) - 1;

    /// <summary>802.1Q VLAN ids 1..4094 (0 means priority-tagged, 4095 is reserved).</summary>
    public const uint MaxVlanId = 4094;

    /// <summary>Linux IFNAMSIZ is 16 including the terminating NUL.</summary>
    public const int MaxInterfaceNameLength = 15;

    private readonly ParsedTopology _parsed;
    private readonly TopologyLoadContext _context;
    private readonly Dictionary<string, Host> _hosts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Network> _networks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Subnet> _subnets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Router> _routers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Port> _ports = new(StringComparer.Ordinal);

    private TopologyValidator(ParsedTopology parsed, TopologyLoadContext context)
    {
        _parsed = parsed;
        _context = context;
    }

    /// <summary>Runs every check; returns the entities with duplicates removed (first occurrence wins).</summary>
    public static Topology Validate(ParsedTopology parsed, TopologyLoadContext context)
    {
        var validator = new TopologyValidator(parsed, context);
        return validator.Run();
    }

    private Topology Run()
    {
        CheckGlobal();
        IndexUnique(_parsed.Hosts, h => h.Name, h => h.Location, "host", _hosts);
        IndexUnique(_parsed.Networks, n => n.Name, n => n.Location, "network", _networks);
        IndexUnique(_parsed.Subnets, s => s.Name, s => s.Location, "subnet", _subnets);
        IndexUnique(_parsed.Routers, r => r.Name, r => r.Location, "router", _routers);
        IndexUnique(_parsed.Ports, p => p.Name, p => p.Location, "port", _ports);

        CheckHosts();
        CheckNetworks();
        CheckSubnets();
        CheckRouters();
        CheckPorts();
        CheckRouterAttachments();
        CheckMacsUnique();
        CheckIpsUnique();

        var topology = new Topology(
            _parsed.Global,
            [.. _hosts.Values.OrderBy(h => h.Name, StringComparer.Ordinal)],
            [.. _networks.Values.OrderBy(n => n.Name, StringComparer.Ordinal)],
            [.. _subnets.Values.OrderBy(s => s.Name, StringComparer.Ordinal)],
            [.. _routers.Values.OrderBy(r => r.Name, StringComparer.Ordinal)],
            [.. _ports.Values.OrderBy(p => p.Name, StringComparer.Ordinal)])
        {
            SourcePath = _context.File,
        };

        CheckPlacement(topology);
        CheckInterfaceNames(topology);
        return topology;
    }

    private static string At(SourceLocation entity, string field) => TopologyLoadContext.Child(entity.Path, field);

    private void Error(string path, string message) => _context.Error(path, message);

    private string Where(SourceLocation location) => location.Line > 0 ? $"{location.Path}, line {location.Line}" : location.Path;

    private void IndexUnique<T>(List<T> items, Func<T, string> nameOf, Func<T, SourceLocation> locationOf, string kind, Dictionary<string, T> index)
    {
        foreach (var item in items)
        {
            if (index.TryGetValue(nameOf(item), out var first))
            {
                Error(At(locationOf(item), "name"), $"duplicate {kind} name '{nameOf(item)}' (first defined at {Where(locationOf(first))})");
                continue;
            }

            index[nameOf(item)] = item;
        }
    }

    private void CheckGlobal()
    {
        var baseMac = _parsed.Global.DvrBaseMac;
        if (baseMac.IsMulticast)
        {
            Error("global.dvr_base_mac", $"dvr_base_mac {baseMac} is a multicast address (the low bit of the first octet must be 0)");
        }
        else if (DvrMacAllocator.IsInPortMacRange(baseMac))
        {
            Error("global.dvr_base_mac", $"dvr_base_mac {baseMac} is inside Neutron's port MAC range {DvrMacAllocator.PortMacBase}/ff:ff:ff:00:00:00; DVR MACs must differ from port MACs (use e.g. fa:16:3f:00:00:00)");
        }
    }

    private void CheckHosts()
    {
        var tunnelIps = new Dictionary<IPAddress, Host>();
        var datapaths = new Dictionary<ulong, string>();
        foreach (var host in _hosts.Values.OrderBy(h => h.Location.Line))
        {
            string path = host.Location.Path;
            var ip = host.TunnelIp;
            if (IsUnusableUnicast(ip))
            {
                Error(At(host.Location, "tunnel_ip"), $"tunnel_ip {ip} is not a usable unicast address");
            }
            else if (tunnelIps.TryGetValue(ip, out var other))
            {
                Error(At(host.Location, "tunnel_ip"), $"tunnel_ip {ip} is already the tunnel endpoint of host '{other.Name}' ({Where(other.Location)})");
            }
            else
            {
                tunnelIps[ip] = host;
            }

            if (!host.DvrMacAllocated)
            {
                if (host.DvrMac.IsMulticast)
                {
                    Error(At(host.Location, "dvr_mac"), $"dvr_mac {host.DvrMac} is a multicast address");
                }
                else if (DvrMacAllocator.IsInPortMacRange(host.DvrMac))
                {
                    Error(At(host.Location, "dvr_mac"), $"dvr_mac {host.DvrMac} is inside Neutron's port MAC range {DvrMacAllocator.PortMacBase}/ff:ff:ff:00:00:00 (base_mac), so it could equal a port's MAC");
                }
            }

            // Bridges on one host: distinct names (Neutron refuses a bridge mapped twice), datapath ids unique everywhere
            // because the controller tells switches apart by datapath id alone.
            var bridges = new List<(BridgeRef Bridge, string Path)>
            {
                (host.Integration, TopologyLoadContext.Child(path, "bridges.integration")),
                (host.Tunnel, TopologyLoadContext.Child(path, "bridges.tunnel")),
            };
            bridges.AddRange(host.PhysicalBridges.Select(kv => (kv.Value, TopologyLoadContext.Child(path, "bridge_mappings." + kv.Key))));
            var names = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (bridge, bridgePath) in bridges)
            {
                if (!IsValidInterfaceName(bridge.Name, out string why))
                {
                    Error(bridgePath + ".name", $"bridge name '{bridge.Name}' {why}");
                }
                else if (names.TryGetValue(bridge.Name, out string? firstPath))
                {
                    Error(bridgePath + ".name", $"bridge '{bridge.Name}' is already used on this host by {firstPath}");
                }
                else
                {
                    names[bridge.Name] = bridgePath;
                }

                if (datapaths.TryGetValue(bridge.DatapathId, out string? owner))
                {
                    Error(bridgePath + ".datapath_id", $"datapath id 0x{bridge.DatapathId:x16} is already used by {owner}");
                }
                else
                {
                    datapaths[bridge.DatapathId] = $"{bridgePath} ('{bridge.Name}' on host '{host.Name}')";
                }
            }

            var pinned = new Dictionary<int, string>();
            // In file order, so the second of two equal pins is the one reported.
            foreach (var (network, vlan, pinPath) in host.LocalVlanPins
                .Select(kv => (kv.Key, kv.Value, Path: TopologyLoadContext.Child(path, "local_vlans." + kv.Key)))
                .OrderBy(p => _context.Locate(p.Path).Line).ThenBy(p => _context.Locate(p.Path).Column))
            {
                if (!_parsed.DeclaredNetworks.Contains(network))
                {
                    Error(pinPath, $"local_vlans names unknown network '{network}'");
                }

                if (pinned.TryGetValue(vlan, out string? first))
                {
                    Error(pinPath, $"local VLAN {vlan} is already pinned to network '{first}' on this host");
                }
                else
                {
                    pinned[vlan] = network;
                }
            }
        }
    }

    private void CheckNetworks()
    {
        var vnis = new Dictionary<uint, Network>();
        var vlans = new Dictionary<(string, uint), Network>();
        var flats = new Dictionary<string, Network>(StringComparer.Ordinal);
        foreach (var network in _networks.Values.OrderBy(n => n.Location.Line))
        {
            string segPath = At(network.Location, "segmentation_id");
            string physPath = At(network.Location, "physical_network");
            switch (network.Type)
            {
                case NetworkType.Vxlan:
                    if (network.PhysicalNetwork is not null)
                    {
                        Error(physPath, "a vxlan network has no physical_network (it rides the tunnel bridge)");
                    }

                    if (network.SegmentationId is not { } vni)
                    {
                        Error(segPath, "missing required field 'segmentation_id' (the VNI of a vxlan network)");
                    }
                    else if (vni is < 1 or > MaxVni)
                    {
                        Error(segPath, $"VNI {vni} is out of range 1..{MaxVni}");
                    }
                    else if (vnis.TryGetValue(vni, out var other))
                    {
                        Error(segPath, $"VNI {vni} is already used by network '{other.Name}' ({Where(other.Location)})");
                    }
                    else
                    {
                        vnis[vni] = network;
                    }

                    break;

                case NetworkType.Vlan:
                    if (network.PhysicalNetwork is null)
                    {
                        Error(physPath, "missing required field 'physical_network' (a vlan network names the physnet its VLAN lives on)");
                    }

                    if (network.SegmentationId is not { } vid)
                    {
                        Error(segPath, "missing required field 'segmentation_id' (the VLAN id of a vlan network)");
                    }
                    else if (vid is < 1 or > MaxVlanId)
                    {
                        Error(segPath, $"VLAN id {vid} is out of range 1..{MaxVlanId}");
                    }
                    else if (network.PhysicalNetwork is { } physnet)
                    {
                        if (vlans.TryGetValue((physnet, vid), out var other))
                        {
                            Error(segPath, $"VLAN {vid} on physical network '{physnet}' is already used by network '{other.Name}' ({Where(other.Location)})");
                        }
                        else
                        {
                            vlans[(physnet, vid)] = network;
                        }
                    }

                    break;

                case NetworkType.Flat:
                    if (network.SegmentationId is not null)
                    {
                        Error(segPath, "a flat network has no segmentation_id (its traffic is untagged)");
                    }

                    if (network.PhysicalNetwork is not { } flatPhysnet)
                    {
                        Error(physPath, "missing required field 'physical_network' (a flat network names its physnet)");
                    }
                    else if (flats.TryGetValue(flatPhysnet, out var other))
                    {
                        Error(physPath, $"physical network '{flatPhysnet}' already carries flat network '{other.Name}' ({Where(other.Location)}); only one untagged network fits on a physnet");
                    }
                    else
                    {
                        flats[flatPhysnet] = network;
                    }

                    break;
            }
        }
    }

    private void CheckSubnets()
    {
        var byNetwork = new Dictionary<string, List<Subnet>>(StringComparer.Ordinal);
        foreach (var subnet in _subnets.Values.OrderBy(s => s.Location.Line))
        {
            if (!_parsed.DeclaredNetworks.Contains(subnet.Network))
            {
                Error(At(subnet.Location, "network"), $"unknown network '{subnet.Network}'");
            }

            var cidr = subnet.Cidr;
            var canonical = NetworkAddress(cidr);
            if (!canonical.Equals(cidr.Address))
            {
                Error(At(subnet.Location, "cidr"), $"cidr {cidr} has host bits set (did you mean {canonical}/{cidr.PrefixLength}?)");
            }

            if (subnet.GatewayIp is { } gateway)
            {
                if (!cidr.Contains(gateway))
                {
                    Error(At(subnet.Location, "gateway_ip"), $"gateway_ip {gateway} is outside the subnet's cidr {cidr}");
                }
                else if (ReservedHostAddress(cidr, gateway) is { } reserved)
                {
                    Error(At(subnet.Location, "gateway_ip"), $"gateway_ip {gateway} is the subnet's {reserved} address");
                }
            }

            if (!byNetwork.TryGetValue(subnet.Network, out var siblings))
            {
                byNetwork[subnet.Network] = siblings = [];
            }

            if (siblings.FirstOrDefault(s => Overlaps(s.Cidr, cidr)) is { } overlapping)
            {
                Error(At(subnet.Location, "cidr"), $"cidr {cidr} overlaps subnet '{overlapping.Name}' ({overlapping.Cidr}) on the same network");
            }

            siblings.Add(subnet);

            if (subnet.DhcpPort is { } dhcpName)
            {
                string dhcpPath = At(subnet.Location, "dhcp_port");
                if (!_parsed.DeclaredPorts.Contains(dhcpName))
                {
                    Error(dhcpPath, $"unknown port '{dhcpName}'");
                }
                else if (_ports.TryGetValue(dhcpName, out var dhcp))
                {
                    if (dhcp.DeviceOwner != DeviceOwner.Dhcp)
                    {
                        Error(dhcpPath, $"port '{dhcpName}' has device_owner {DeviceOwnerNames.Format(dhcp.DeviceOwner)}, not {DeviceOwnerNames.Dhcp}");
                    }
                    else if (dhcp.Network != subnet.Network)
                    {
                        Error(dhcpPath, $"port '{dhcpName}' is on network '{dhcp.Network}', not on this subnet's network '{subnet.Network}'");
                    }
                    else if (!dhcp.FixedIps.Any(f => f.Subnet == subnet.Name))
                    {
                        Error(dhcpPath, $"port '{dhcpName}' has no fixed IP on subnet '{subnet.Name}'");
                    }
                }
            }
        }
    }

    private void CheckRouters()
    {
        foreach (var router in _routers.Values)
        {
            if (router.ExternalGateway is not { } gateway)
            {
                continue;
            }

            string gw = At(router.Location, "external_gateway");
            if (!_parsed.DeclaredNetworks.Contains(gateway.Network))
            {
                Error(gw + ".network", $"unknown network '{gateway.Network}'");
            }
            else if (_networks.ContainsKey(gateway.Network))
            {
                var subnets = _subnets.Values.Where(s => s.Network == gateway.Network).ToList();
                if (!subnets.Any(s => s.Cidr.Contains(gateway.Ip)))
                {
                    string known = subnets.Count == 0 ? "it has no subnets" : "its subnets are " + string.Join(", ", subnets.Select(s => s.Cidr));
                    Error(gw + ".ip", $"gateway ip {gateway.Ip} is outside every subnet of network '{gateway.Network}' ({known})");
                }
            }

            if (gateway.Mac.IsMulticast)
            {
                Error(gw + ".mac", $"mac {gateway.Mac} is a multicast address");
            }

            if (!IsValidInterfaceName(gateway.Interface, out string why))
            {
                Error(gw + ".interface", $"interface name '{gateway.Interface}' {why}");
            }

            if (!_parsed.DeclaredHosts.Contains(gateway.SnatHost))
            {
                Error(gw + ".snat_host", $"unknown host '{gateway.SnatHost}'");
            }
            else if (_hosts.TryGetValue(gateway.SnatHost, out var host))
            {
                if (router.Distributed && host.AgentMode != AgentMode.DvrSnat)
                {
                    Error(gw + ".snat_host", $"host '{host.Name}' has agent_mode {ModeName(host.AgentMode)}; a distributed router's SNAT needs a dvr_snat host");
                }
                else if (!router.Distributed && host.AgentMode == AgentMode.Dvr)
                {
                    Error(gw + ".snat_host", $"host '{host.Name}' has agent_mode dvr, which cannot host a legacy router (use a legacy or dvr_snat host)");
                }
            }
        }
    }

    private void CheckPorts()
    {
        foreach (var port in _ports.Values)
        {
            var loc = port.Location;
            bool networkKnown = _parsed.DeclaredNetworks.Contains(port.Network);
            if (!networkKnown)
            {
                Error(At(loc, "network"), $"unknown network '{port.Network}'");
            }

            if (port.Mac.IsMulticast)
            {
                Error(At(loc, "mac"), $"mac {port.Mac} is a multicast address");
            }

            if (!IsValidInterfaceName(port.Interface, out string why))
            {
                Error(At(loc, "interface"), $"interface name '{port.Interface}' {why}");
            }

            Host? host = null;
            if (port.Host is { } hostName && !_hosts.TryGetValue(hostName, out host) && !_parsed.DeclaredHosts.Contains(hostName))
            {
                Error(At(loc, "host"), $"unknown host '{hostName}'");
            }

            Router? router = null;
            if (port.Router is { } routerName && !_routers.TryGetValue(routerName, out router) && !_parsed.DeclaredRouters.Contains(routerName))
            {
                Error(At(loc, "router"), $"unknown router '{routerName}'");
            }

            for (int i = 0; i < port.FixedIps.Length; i++)
            {
                CheckFixedIp(port, i);
            }

            for (int i = 0; i < port.AllowedAddressPairs.Length; i++)
            {
                if (port.AllowedAddressPairs[i].Mac is { IsMulticast: true } pairMac)
                {
                    Error($"{loc.Path}.allowed_address_pairs[{i}].mac_address", $"mac {pairMac} is a multicast address");
                }
            }

            CheckOwner(port, host, router);
        }
    }

    private void CheckFixedIp(Port port, int index)
    {
        var fixedIp = port.FixedIps[index];
        string path = $"{port.Location.Path}.fixed_ips[{index}]";
        if (!_subnets.TryGetValue(fixedIp.Subnet, out var subnet))
        {
            if (!_parsed.DeclaredSubnets.Contains(fixedIp.Subnet))
            {
                Error(path + ".subnet", $"unknown subnet '{fixedIp.Subnet}'");
            }

            return;
        }

        if (subnet.Network != port.Network)
        {
            Error(path + ".subnet", $"subnet '{subnet.Name}' belongs to network '{subnet.Network}', not to the port's network '{port.Network}'");
            return;
        }

        if (!subnet.Cidr.Contains(fixedIp.Ip))
        {
            Error(path + ".ip", $"ip {fixedIp.Ip} is outside subnet '{subnet.Name}' ({subnet.Cidr})");
        }
        else if (ReservedHostAddress(subnet.Cidr, fixedIp.Ip) is { } reserved)
        {
            Error(path + ".ip", $"ip {fixedIp.Ip} is the {reserved} address of subnet '{subnet.Name}' ({subnet.Cidr})");
        }
        else if (!port.IsRouterInterface && fixedIp.Ip.Equals(subnet.GatewayIp))
        {
            Error(path + ".ip", $"ip {fixedIp.Ip} is the gateway_ip of subnet '{subnet.Name}'; only a router interface may hold it");
        }
    }

    private void CheckOwner(Port port, Host? host, Router? router)
    {
        var loc = port.Location;
        string owner = DeviceOwnerNames.Format(port.DeviceOwner);
        switch (port.DeviceOwner)
        {
            case DeviceOwner.Compute or DeviceOwner.Dhcp:
                RequireHost(port, owner);
                if (port.Router is not null)
                {
                    Error(At(loc, "router"), $"a {owner} port belongs to no router; remove 'router'");
                }

                break;

            case DeviceOwner.RouterInterfaceDistributed:
                RequireRouter(port, owner);
                if (port.Host is not null)
                {
                    Error(At(loc, "host"), "a distributed router interface is not bound to one host (it exists on every host of its router); remove 'host'");
                }

                if (router is { Distributed: false })
                {
                    Error(At(loc, "device_owner"), $"router '{router.Name}' is not distributed; its interfaces are {DeviceOwnerNames.RouterInterface}");
                }

                RequireFixedIp(port);
                break;

            case DeviceOwner.RouterInterface:
                RequireRouter(port, owner);
                RequireHost(port, owner);
                if (router is { Distributed: true })
                {
                    Error(At(loc, "device_owner"), $"router '{router.Name}' is distributed; its interfaces are {DeviceOwnerNames.RouterInterfaceDistributed}");
                }

                if (host is { AgentMode: AgentMode.Dvr })
                {
                    Error(At(loc, "host"), $"host '{host.Name}' has agent_mode dvr, which cannot host a legacy router (use a legacy or dvr_snat host)");
                }

                RequireFixedIp(port);
                break;

            case DeviceOwner.RouterCentralizedSnat:
                RequireRouter(port, owner);
                RequireHost(port, owner);
                RequireFixedIp(port);
                if (router is null)
                {
                    break;
                }

                if (!router.Distributed)
                {
                    Error(At(loc, "router"), $"router '{router.Name}' is not distributed; only distributed routers have centralized SNAT ports");
                }
                else if (router.ExternalGateway is not { } gateway)
                {
                    Error(At(loc, "router"), $"router '{router.Name}' has no external_gateway, so it has no SNAT ports");
                }
                else if (port.Host is { } snatPortHost && snatPortHost != gateway.SnatHost)
                {
                    Error(At(loc, "host"), $"SNAT ports of router '{router.Name}' live on its snat_host '{gateway.SnatHost}', not on '{snatPortHost}'");
                }

                break;

            case DeviceOwner.RouterGateway:
                Error(At(loc, "device_owner"), $"{DeviceOwnerNames.RouterGateway} ports are written as routers[].external_gateway (network, ip, mac, snat_host, interface), not under ports");
                break;
        }
    }

    private void RequireHost(Port port, string owner)
    {
        if (port.Host is null)
        {
            Error(At(port.Location, "host"), $"missing required field 'host' (a {owner} port is bound to one host)");
        }
    }

    private void RequireRouter(Port port, string owner)
    {
        if (port.Router is null)
        {
            Error(At(port.Location, "router"), $"missing required field 'router' (a {owner} port belongs to a router)");
        }
    }

    private void RequireFixedIp(Port port)
    {
        if (port.FixedIps.IsEmpty)
        {
            Error(At(port.Location, "fixed_ips"), $"a {DeviceOwnerNames.Format(port.DeviceOwner)} port needs at least one fixed IP");
        }
    }

    /// <summary>
    /// Neutron attaches a router to at most one subnet per network ("Router already has a port on network"), and
    /// a router's interface carries one IPv4 subnet; SNAT ports likewise come one per router and network.
    /// </summary>
    private void CheckRouterAttachments()
    {
        var seen = new Dictionary<(string Router, string Network, bool Snat), Port>();
        foreach (var port in _ports.Values.OrderBy(p => p.Location.Line))
        {
            if (port.Router is null || port.DeviceOwner is not (DeviceOwner.RouterInterfaceDistributed or DeviceOwner.RouterInterface or DeviceOwner.RouterCentralizedSnat))
            {
                continue;
            }

            var subnets = port.FixedIps.Select(f => f.Subnet).Distinct(StringComparer.Ordinal).ToList();
            if (port.IsRouterInterface && subnets.Count > 1)
            {
                Error(At(port.Location, "fixed_ips"), $"router interface '{port.Name}' is on {subnets.Count} subnets ({string.Join(", ", subnets)}) of network '{port.Network}'; a router interface attaches one subnet");
            }

            bool snat = port.DeviceOwner == DeviceOwner.RouterCentralizedSnat;
            if (seen.TryGetValue((port.Router, port.Network, snat), out var first))
            {
                string what = snat ? "a SNAT port" : "an interface";
                string firstSubnet = first.FixedIps.IsEmpty ? "?" : first.FixedIps[0].Subnet;
                Error(At(port.Location, "router"), $"router '{port.Router}' already has {what} on network '{port.Network}' (port '{first.Name}' on subnet '{firstSubnet}', {Where(first.Location)}); a router attaches to one subnet per network");
            }
            else
            {
                seen[(port.Router, port.Network, snat)] = port;
            }
        }

        foreach (var port in _ports.Values.Where(p => p.DeviceOwner == DeviceOwner.RouterCentralizedSnat && p.Router is not null))
        {
            if (_routers.ContainsKey(port.Router!) && !seen.ContainsKey((port.Router!, port.Network, false)))
            {
                Error(At(port.Location, "network"), $"router '{port.Router}' has no interface on network '{port.Network}', so it needs no SNAT port there");
            }
        }

        foreach (var router in _routers.Values.Where(r => !r.Distributed))
        {
            var hosts = _ports.Values.Where(p => p.Router == router.Name && p.IsRouterInterface && p.Host is not null)
                .OrderBy(p => p.Location.Line).ToList();
            string? home = router.ExternalGateway?.SnatHost ?? hosts.FirstOrDefault()?.Host;
            foreach (var port in hosts.Where(p => p.Host != home))
            {
                Error(At(port.Location, "host"), $"legacy router '{router.Name}' lives on one host ('{home}'); its interface '{port.Name}' is bound to '{port.Host}'");
            }
        }
    }

    private void CheckMacsUnique()
    {
        var users = new List<(MacAddress Mac, SourceLocation Location, string Owner, bool IsHost)>();
        foreach (var host in _hosts.Values.Where(h => !h.DvrMacAllocated))
        {
            users.Add((host.DvrMac, _context.Locate(At(host.Location, "dvr_mac")), $"host '{host.Name}' as its DVR MAC", true));
        }

        foreach (var port in _ports.Values)
        {
            users.Add((port.Mac, _context.Locate(At(port.Location, "mac")), $"port '{port.Name}'", false));
        }

        foreach (var router in _routers.Values)
        {
            if (router.ExternalGateway is { } gateway)
            {
                users.Add((gateway.Mac, _context.Locate(At(router.Location, "external_gateway.mac")), $"the external gateway of router '{router.Name}'", false));
            }
        }

        var first = new Dictionary<MacAddress, (SourceLocation Location, string Owner, bool IsHost)>();
        foreach (var user in users.OrderBy(u => u.Location.Line).ThenBy(u => u.Location.Column))
        {
            if (first.TryGetValue(user.Mac, out var earlier))
            {
                string message = user.IsHost && earlier.IsHost
                    ? $"two hosts with one DVR MAC: {user.Mac} is already the DVR MAC of {earlier.Owner.Replace(" as its DVR MAC", string.Empty, StringComparison.Ordinal)} ({Where(earlier.Location)})"
                    : $"duplicate MAC {user.Mac}: already used by {earlier.Owner} ({Where(earlier.Location)})";
                _context.Error(user.Location, message);
            }
            else
            {
                first[user.Mac] = (user.Location, user.Owner, user.IsHost);
            }
        }
    }

    /// <summary>Addresses are unique per network (overlapping tenant subnets on different networks are normal).</summary>
    private void CheckIpsUnique()
    {
        var users = new List<(string Network, IPAddress Ip, SourceLocation Location, string Owner)>();
        foreach (var port in _ports.Values)
        {
            for (int i = 0; i < port.FixedIps.Length; i++)
            {
                users.Add((port.Network, port.FixedIps[i].Ip, _context.Locate($"{port.Location.Path}.fixed_ips[{i}].ip"), $"port '{port.Name}'"));
            }
        }

        foreach (var router in _routers.Values)
        {
            if (router.ExternalGateway is { } gateway)
            {
                users.Add((gateway.Network, gateway.Ip, _context.Locate(At(router.Location, "external_gateway.ip")), $"the external gateway of router '{router.Name}'"));
            }
        }

        var first = new Dictionary<(string, IPAddress), (SourceLocation Location, string Owner)>();
        foreach (var user in users.OrderBy(u => u.Location.Line).ThenBy(u => u.Location.Column))
        {
            if (first.TryGetValue((user.Network, user.Ip), out var earlier))
            {
                _context.Error(user.Location, $"duplicate IP {user.Ip} on network '{user.Network}': already used by {earlier.Owner} ({Where(earlier.Location)})");
            }
            else
            {
                first[(user.Network, user.Ip)] = (user.Location, user.Owner);
            }
        }
    }

    /// <summary>
    /// A host that carries a vlan or flat network needs a bridge for its physnet (bridge_mappings), and it cannot
    /// carry more networks than there are local VLANs.
    /// </summary>
    private void CheckPlacement(Topology topology)
    {
        var presentByHost = topology.NetworksByHost();
        foreach (var host in topology.Hosts)
        {
            var present = presentByHost[host.Name];
            foreach (string networkName in present)
            {
                if (topology.FindNetwork(networkName) is not { PhysicalNetwork: { } physnet } network || network.Type == NetworkType.Vxlan)
                {
                    continue;
                }

                if (!host.PhysicalBridges.ContainsKey(physnet))
                {
                    string reason = topology.PortsBoundTo(host.Name).FirstOrDefault(p => p.Network == networkName) is { } port
                        ? $"port '{port.Name}' is bound here"
                        : "a router on this host attaches to it";
                    Error(At(host.Location, "bridge_mappings"),
                        $"host '{host.Name}' carries {network.Type.ToString().ToLowerInvariant()} network '{networkName}' ({reason}) but bridge_mappings has no bridge for its physical network '{physnet}'");
                }
            }

            int unpinned = present.Count(n => !host.LocalVlanPins.ContainsKey(n));
            if (unpinned + host.LocalVlanPins.Count > LocalVlanAllocator.MaxVlan)
            {
                Error(host.Location.Path, $"host '{host.Name}' carries {present.Count} networks but has only {LocalVlanAllocator.MaxVlan} local VLANs");
            }
        }
    }

    /// <summary>
    /// OVS interface names must be unique on a host. A distributed router interface may appear on any dvr or
    /// dvr_snat host (wherever a VM of its subnets lands), so its name is checked against every such host, not only
    /// where the router lives today; otherwise booting one VM could make a valid topology invalid.
    /// The patch ports Neutron's layout creates (patch-int, patch-tun, int-BRIDGE, phy-BRIDGE) are reserved.
    /// </summary>
    private void CheckInterfaceNames(Topology topology)
    {
        var reported = new HashSet<(string, string)>();
        foreach (var host in topology.Hosts)
        {
            var names = new Dictionary<string, (string Path, string Owner)>(StringComparer.Ordinal)
            {
                [host.Integration.Name] = (At(host.Location, "bridges.integration.name"), $"bridge '{host.Integration.Name}'"),
                [host.Tunnel.Name] = (At(host.Location, "bridges.tunnel.name"), $"bridge '{host.Tunnel.Name}'"),
                ["patch-int"] = (At(host.Location, "bridges.tunnel.name"), "the br-tun → br-int patch port"),
                ["patch-tun"] = (At(host.Location, "bridges.integration.name"), "the br-int → br-tun patch port"),
            };
            foreach (var (physnet, bridge) in host.PhysicalBridges)
            {
                string bridgePath = At(host.Location, $"bridge_mappings.{physnet}.name");
                names.TryAdd(bridge.Name, (bridgePath, $"bridge '{bridge.Name}'"));
                names.TryAdd(PatchName("int-", bridge.Name), (bridgePath, $"the br-int patch port to '{bridge.Name}'"));
                names.TryAdd(PatchName("phy-", bridge.Name), (bridgePath, $"the patch port from '{bridge.Name}' to br-int"));
            }

            var users = new List<(string Name, string Path, string Owner)>();
            foreach (var port in topology.Ports)
            {
                bool onHost = port.Host == host.Name
                    || (port.DeviceOwner == DeviceOwner.RouterInterfaceDistributed && host.AgentMode != AgentMode.Legacy);
                if (onHost)
                {
                    users.Add((port.Interface, At(port.Location, "interface"), $"port '{port.Name}'"));
                }
            }

            foreach (var router in topology.Routers)
            {
                if (router.ExternalGateway is { } gateway && gateway.SnatHost == host.Name)
                {
                    users.Add((gateway.Interface, At(router.Location, "external_gateway.interface"), $"the external gateway of router '{router.Name}'"));
                }
            }

            foreach (var user in users.OrderBy(u => _context.Locate(u.Path).Line))
            {
                if (names.TryGetValue(user.Name, out var earlier))
                {
                    if (reported.Add((user.Path, earlier.Path)))
                    {
                        Error(user.Path, $"interface name '{user.Name}' on host '{host.Name}' is already used by {earlier.Owner} ({earlier.Path})");
                    }
                }
                else
                {
                    names[user.Name] = (user.Path, user.Owner);
                }
            }
        }
    }

    // Neutron truncates the patch port names to the interface name limit the same way (p_utils.get_interface_name
    // hashes longer names; the bridge names used here are short enough that the prefix form is what appears).
    private static string PatchName(string prefix, string bridge)
    {
        string name = prefix + bridge;
        return name.Length <= MaxInterfaceNameLength ? name : name[..MaxInterfaceNameLength];
    }

    public static bool IsValidInterfaceName(string name, out string why)
    {
        if (name.Length > MaxInterfaceNameLength)
        {
            why = $"is {name.Length} characters; Linux allows at most {MaxInterfaceNameLength}";
            return false;
        }

        if (name is "." or ".." || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            why = "may contain only letters, digits, '-', '_' and '.' (and is not '.' or '..')";
            return false;
        }

        why = string.Empty;
        return true;
    }

    private static string ModeName(AgentMode mode) => mode switch
    {
        AgentMode.Dvr => "dvr",
        AgentMode.DvrSnat => "dvr_snat",
        _ => "legacy",
    };

    private static bool IsUnusableUnicast(IPAddress ip)
    {
        if (ip.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return ip.Equals(IPAddress.IPv6Any) || ip.IsIPv6Multicast;
        }

        byte first = ip.GetAddressBytes()[0];
        return ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.Broadcast) || first is >= 224 and <= 239;
    }

    private static IPAddress NetworkAddress(IpPrefix prefix)
    {
        var bytes = prefix.Address.GetAddressBytes();
        for (int i = 0; i < bytes.Length; i++)
        {
            int bits = Math.Clamp(prefix.PrefixLength - (8 * i), 0, 8);
            bytes[i] &= (byte)(0xff << (8 - bits));
        }

        return new IPAddress(bytes);
    }

    /// <summary>IPv4 subnets of /30 or wider reserve their network and broadcast addresses.</summary>
    private static string? ReservedHostAddress(IpPrefix prefix, IPAddress ip)
    {
        if (prefix.IsIpv6 || prefix.PrefixLength > 30)
        {
            return null;
        }

        var bytes = ip.GetAddressBytes();
        uint value = (uint)((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]);
        uint hostMask = prefix.PrefixLength == 0 ? uint.MaxValue : (1u << (32 - prefix.PrefixLength)) - 1;
        return (value & hostMask) switch
        {
            0 => "network",
            var h when h == hostMask => "broadcast",
            _ => null,
        };
    }

    private static bool Overlaps(IpPrefix a, IpPrefix b) => a.Contains(b.Address) || b.Contains(a.Address);
}
