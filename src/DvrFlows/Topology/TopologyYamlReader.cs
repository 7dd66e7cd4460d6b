using System.Collections.Immutable;
using Dvr.OpenFlow;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Dvr.DvrFlows.Topology;

/// <summary>The entities read from a file, before the cross-reference checks. Locations carry the original list index.</summary>
internal sealed class ParsedTopology
{
    public GlobalSettings Global { get; set; } = GlobalSettings.Default;

    public List<Host> Hosts { get; } = [];

    public List<Network> Networks { get; } = [];

    public List<Subnet> Subnets { get; } = [];

    public List<Router> Routers { get; } = [];

    public List<Port> Ports { get; } = [];

    // Names of every entity written with a readable name, including those whose other fields were bad: a
    // reference to them is not "unknown", so one mistake does not cascade into many errors.
    public HashSet<string> DeclaredHosts { get; } = new(StringComparer.Ordinal);

    public HashSet<string> DeclaredNetworks { get; } = new(StringComparer.Ordinal);

    public HashSet<string> DeclaredSubnets { get; } = new(StringComparer.Ordinal);

    public HashSet<string> DeclaredRouters { get; } = new(StringComparer.Ordinal);

    public HashSet<string> DeclaredPorts { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Turns the YAML representation model into <see cref="ParsedTopology"/>: shapes, types and per-field syntax.
/// The schema is described in docs/topology.md; samples/worked-example.yaml shows every section.
/// </summary>
internal static class TopologyYamlReader
{
    public static ParsedTopology Read(string yaml, TopologyLoadContext context)
    {
        var parsed = new ParsedTopology();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            // YamlDotNet stops at the first syntax error (or duplicate key), so this is the only error we can give.
            string message = e.InnerException is not null && e.InnerException.Message != e.Message ? e.InnerException.Message : e.Message;
            context.Error(new SourceLocation(context.File, (int)e.Start.Line, (int)e.Start.Column, "(yaml)"), StripMarkPrefix(message));
            return parsed;
        }

        if (stream.Documents.Count != 1)
        {
            context.Error(new SourceLocation(context.File, 1, 1, "(yaml)"),
                stream.Documents.Count == 0 ? "the file is empty: expected a topology mapping with a 'hosts' list" : "expected one YAML document, found " + stream.Documents.Count);
            return parsed;
        }

        var root = YamlMappingReader.Open(context, stream.Documents[0].RootNode, string.Empty, "global", "hosts", "networks", "subnets", "routers", "ports");
        if (root is null)
        {
            return parsed;
        }

        if (root.Mapping("global", required: false, "global settings", "router_distributed", "dvr_base_mac", "tunnel_type", "cookie") is { } global)
        {
            parsed.Global = ReadGlobal(global);
        }

        foreach (var (node, path) in root.Sequence("hosts", required: true, "hosts"))
        {
            ReadHost(context, node, path, parsed);
        }

        foreach (var (node, path) in root.Sequence("networks", required: false, "networks"))
        {
            ReadNetwork(context, node, path, parsed);
        }

        foreach (var (node, path) in root.Sequence("subnets", required: false, "subnets"))
        {
            ReadSubnet(context, node, path, parsed);
        }

        foreach (var (node, path) in root.Sequence("routers", required: false, "routers"))
        {
            ReadRouter(context, node, path, parsed);
        }

        foreach (var (node, path) in root.Sequence("ports", required: false, "ports"))
        {
            ReadPort(context, node, path, parsed);
        }

        return parsed;
    }

    private static GlobalSettings ReadGlobal(YamlMappingReader global)
    {
        var defaults = GlobalSettings.Default;
        bool distributed = global.Boolean("router_distributed", required: false, "default for routers without 'distributed'") ?? defaults.RouterDistributed;
        var baseMac = global.Mac("dvr_base_mac", required: false, "the DVR MAC base") ?? defaults.DvrBaseMac;
        string tunnelType = global.String("tunnel_type", required: false, "the tunnel type") ?? defaults.TunnelType;
        if (tunnelType != "vxlan")
        {
            global.Fail("tunnel_type", $"tunnel_type '{tunnelType}' is not supported (only vxlan)");
        }

        ulong cookie = global.Integer("cookie", required: false, "the controller cookie", 0, ulong.MaxValue) ?? defaults.Cookie;

        // OpenFlow 1.3.5 §A.3.4.1: a cookie of all ones is reserved; zero is what every foreign flow has by default,
        // so neither can tell Dvr's flows apart from others.
        if (cookie is 0 or ulong.MaxValue && global.Has("cookie"))
        {
            global.Fail("cookie", "cookie must not be 0 or 0xffffffffffffffff (0 is every other controller's default, all-ones is reserved by OpenFlow 1.3.5 §A.3.4.1)");
        }

        return new GlobalSettings(distributed, baseMac, tunnelType, cookie);
    }

    private static string? ReadName(YamlMappingReader reader, HashSet<string> declared, string what)
    {
        string? name = reader.String("name", required: true, $"the {what}'s name");
        if (name is not null)
        {
            declared.Add(name);
        }

        return name;
    }

    private static void ReadHost(TopologyLoadContext context, YamlNode node, string path, ParsedTopology parsed)
    {
        var host = YamlMappingReader.Open(context, node, path, "name", "agent_mode", "tunnel_ip", "dvr_mac", "bridges", "bridge_mappings", "local_vlans");
        if (host is null)
        {
            return;
        }

        string? name = ReadName(host, parsed.DeclaredHosts, "host");
        AgentMode? mode = null;
        if (host.String("agent_mode", required: true, "dvr, dvr_snat or legacy") is { } modeText)
        {
            mode = modeText switch
            {
                "dvr" => AgentMode.Dvr,
                "dvr_snat" => AgentMode.DvrSnat,
                "legacy" => AgentMode.Legacy,
                _ => null,
            };
            if (mode is null)
            {
                host.Fail("agent_mode", $"unknown agent_mode '{modeText}' (expected dvr, dvr_snat or legacy)");
            }
        }

        var tunnelIp = host.Ip("tunnel_ip", required: true, "the VXLAN endpoint address");
        var dvrMac = host.Mac("dvr_mac", required: false, "the host's DVR MAC");

        BridgeRef? integration = null, tunnel = null;
        if (host.Mapping("bridges", required: true, "integration and tunnel bridges", "integration", "tunnel") is { } bridges)
        {
            integration = ReadBridge(bridges, "integration", "br-int");
            tunnel = ReadBridge(bridges, "tunnel", "br-tun");
            host.Absorb(bridges);
        }

        var physical = ImmutableSortedDictionary.CreateBuilder<string, BridgeRef>(StringComparer.Ordinal);
        foreach (var (physnet, _, value, entryPath) in host.NamedEntries("bridge_mappings", "physical network → bridge"))
        {
            var entry = YamlMappingReader.Open(context, value, entryPath, "name", "datapath_id");
            if (entry is null)
            {
                host.Absorb(null);
                continue;
            }

            string? bridgeName = entry.String("name", required: true, "the physical bridge's name");
            ulong? dpid = entry.Integer("datapath_id", required: true, "the datapath id", 0, ulong.MaxValue);
            host.Absorb(entry);
            if (bridgeName is not null && dpid is not null)
            {
                physical[physnet] = new BridgeRef(bridgeName, dpid.Value);
            }
        }

        var pins = ImmutableSortedDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
        foreach (var (network, _, value, entryPath) in host.NamedEntries("local_vlans", "network → local VLAN"))
        {
            if (value is YamlScalarNode { Style: ScalarStyle.Plain, Value: { } text } && YamlMappingReader.TryParseInteger(text, out ulong vlan)
                && vlan is >= LocalVlanAllocator.MinVlan and <= LocalVlanAllocator.MaxVlan)
            {
                pins[network] = (int)vlan;
            }
            else
            {
                host.Fail(value, entryPath, $"local VLAN must be an integer {LocalVlanAllocator.MinVlan}..{LocalVlanAllocator.MaxVlan}, got {YamlMappingReader.Describe(value)}");
            }
        }

        if (host.Failed || name is null || mode is null || tunnelIp is null || integration is null || tunnel is null)
        {
            return;
        }

        parsed.Hosts.Add(new Host(name, mode.Value, tunnelIp, dvrMac ?? default, integration, tunnel, physical.ToImmutable())
        {
            Location = context.LocationOf(node, path),
            LocalVlanPins = pins.ToImmutable(),
            DvrMacAllocated = dvrMac is null,
        });
    }

    private static BridgeRef? ReadBridge(YamlMappingReader bridges, string role, string defaultName)
    {
        var bridge = bridges.Mapping(role, required: true, $"the {defaultName} bridge", "name", "datapath_id");
        if (bridge is null)
        {
            return null;
        }

        string name = bridge.String("name", required: false, "the bridge's name") ?? defaultName;
        ulong? dpid = bridge.Integer("datapath_id", required: true, "the datapath id", 0, ulong.MaxValue);
        bridges.Absorb(bridge);
        return dpid is null ? null : new BridgeRef(name, dpid.Value);
    }

    private static void ReadNetwork(TopologyLoadContext context, YamlNode node, string path, ParsedTopology parsed)
    {
        var network = YamlMappingReader.Open(context, node, path, "name", "type", "segmentation_id", "physical_network");
        if (network is null)
        {
            return;
        }

        string? name = ReadName(network, parsed.DeclaredNetworks, "network");
        NetworkType? type = null;
        if (network.String("type", required: true, "vxlan, vlan or flat") is { } typeText)
        {
            type = typeText switch
            {
                "vxlan" => NetworkType.Vxlan,
                "vlan" => NetworkType.Vlan,
                "flat" => NetworkType.Flat,
                _ => null,
            };
            if (type is null)
            {
                network.Fail("type", $"unknown network type '{typeText}' (expected vxlan, vlan or flat)");
            }
        }

        ulong? segmentation = network.Integer("segmentation_id", required: false, "the segmentation id", 0, uint.MaxValue);
        string? physnet = network.String("physical_network", required: false, "the physical network name");
        if (network.Failed || name is null || type is null)
        {
            return;
        }

        parsed.Networks.Add(new Network(name, type.Value, (uint?)segmentation, physnet) { Location = context.LocationOf(node, path) });
    }

    private static void ReadSubnet(TopologyLoadContext context, YamlNode node, string path, ParsedTopology parsed)
    {
        var subnet = YamlMappingReader.Open(context, node, path, "name", "network", "cidr", "gateway_ip", "dhcp_port");
        if (subnet is null)
        {
            return;
        }

        string? name = ReadName(subnet, parsed.DeclaredSubnets, "subnet");
        string? network = subnet.String("network", required: true, "the subnet's network");
        var cidr = subnet.Prefix("cidr", required: true, "the subnet's CIDR");
        var gateway = subnet.Ip("gateway_ip", required: false, "the gateway address");
        string? dhcpPort = subnet.String("dhcp_port", required: false, "the DHCP port's name");
        if (subnet.Failed || name is null || network is null || cidr is null)
        {
            return;
        }

        parsed.Subnets.Add(new Subnet(name, network, cidr, gateway, dhcpPort) { Location = context.LocationOf(node, path) });
    }

    private static void ReadRouter(TopologyLoadContext context, YamlNode node, string path, ParsedTopology parsed)
    {
        var router = YamlMappingReader.Open(context, node, path, "name", "distributed", "external_gateway");
        if (router is null)
        {
            return;
        }

        string? name = ReadName(router, parsed.DeclaredRouters, "router");
        bool distributed = router.Boolean("distributed", required: false, "whether the router is distributed") ?? parsed.Global.RouterDistributed;
        ExternalGateway? gateway = null;
        if (router.Mapping("external_gateway", required: false, "the external gateway", "network", "ip", "mac", "snat_host", "interface") is { } gw)
        {
            string? network = gw.String("network", required: true, "the external network");
            var ip = gw.Ip("ip", required: true, "the gateway port's address");
            var mac = gw.Mac("mac", required: true, "the gateway port's MAC");
            string? snatHost = gw.String("snat_host", required: true, "the host doing SNAT (dvr_snat for a distributed router)");
            string? iface = gw.String("interface", required: true, "the qg- interface name");
            router.Absorb(gw);
            if (network is not null && ip is not null && mac is not null && snatHost is not null && iface is not null)
            {
                gateway = new ExternalGateway(network, ip, mac.Value, snatHost, iface);
            }
        }

        if (router.Failed || name is null)
        {
            return;
        }

        parsed.Routers.Add(new Router(name, distributed, gateway) { Location = context.LocationOf(node, path) });
    }

    private static void ReadPort(TopologyLoadContext context, YamlNode node, string path, ParsedTopology parsed)
    {
        var port = YamlMappingReader.Open(context, node, path,
            "name", "network", "interface", "mac", "fixed_ips", "device_owner", "host", "router", "allowed_address_pairs", "admin_state_up", "port_security");
        if (port is null)
        {
            return;
        }

        string? name = ReadName(port, parsed.DeclaredPorts, "port");
        string? network = port.String("network", required: true, "the port's network");
        string? iface = port.String("interface", required: true, "the OVS interface name on br-int");
        var mac = port.Mac("mac", required: true, "the port's MAC");

        var fixedIps = ImmutableArray.CreateBuilder<FixedIp>();
        foreach (var (itemNode, itemPath) in port.Sequence("fixed_ips", required: false, "{ subnet, ip } entries"))
        {
            var item = YamlMappingReader.Open(context, itemNode, itemPath, "subnet", "ip");
            if (item is null)
            {
                port.Absorb(null);
                continue;
            }

            string? subnet = item.String("subnet", required: true, "the subnet of this address");
            var ip = item.Ip("ip", required: true, "the address");
            port.Absorb(item);
            if (subnet is not null && ip is not null)
            {
                fixedIps.Add(new FixedIp(subnet, ip));
            }
        }

        DeviceOwner? owner = null;
        if (port.String("device_owner", required: true, "the Neutron device_owner") is { } ownerText)
        {
            if (DeviceOwnerNames.TryParse(ownerText, out var parsedOwner))
            {
                owner = parsedOwner;
            }
            else
            {
                port.Fail("device_owner", $"unknown device_owner '{ownerText}' (expected {DeviceOwnerNames.Accepted})");
            }
        }

        string? host = port.String("host", required: false, "the host the port is bound to");
        string? router = port.String("router", required: false, "the router owning this port");

        var pairs = ImmutableArray.CreateBuilder<AllowedAddressPair>();
        foreach (var (itemNode, itemPath) in port.Sequence("allowed_address_pairs", required: false, "{ ip_address, mac_address } entries"))
        {
            var item = YamlMappingReader.Open(context, itemNode, itemPath, "ip_address", "mac_address");
            if (item is null)
            {
                port.Absorb(null);
                continue;
            }

            // Neutron accepts a bare address (a /32 or /128) or a CIDR here.
            IpPrefix? prefix = null;
            if (item.Value("ip_address") is YamlScalarNode { Value: { } text } && !text.Contains('/', StringComparison.Ordinal))
            {
                if (item.Ip("ip_address", required: true, "the allowed address") is { } address)
                {
                    prefix = new IpPrefix(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32);
                }
            }
            else
            {
                prefix = item.Prefix("ip_address", required: true, "the allowed address or CIDR");
            }

            var pairMac = item.Mac("mac_address", required: false, "the allowed MAC (default: the port's)");
            port.Absorb(item);
            if (prefix is not null)
            {
                pairs.Add(new AllowedAddressPair(prefix, pairMac));
            }
        }

        bool adminUp = port.Boolean("admin_state_up", required: false, "the port's admin state") ?? true;
        bool? security = port.Boolean("port_security", required: false, "whether anti-spoofing applies");
        if (port.Failed || name is null || network is null || iface is null || mac is null || owner is null)
        {
            return;
        }

        parsed.Ports.Add(new Port(
            name,
            network,
            iface,
            mac.Value,
            fixedIps.ToImmutable(),
            owner.Value,
            host,
            router,
            pairs.ToImmutable(),
            adminUp,
            security ?? owner == DeviceOwner.Compute)
        {
            Location = context.LocationOf(node, path),
        });
    }

    // YamlDotNet prefixes messages with "(Line: 3, Col: 5, Idx: 20) - (...): "; the position is already in the location.
    private static string StripMarkPrefix(string message)
    {
        int cut = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line:", StringComparison.Ordinal) && cut >= 0 ? message[(cut + 3)..] : message;
    }
}
