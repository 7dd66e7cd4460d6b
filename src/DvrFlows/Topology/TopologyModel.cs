using System.Collections.Immutable;
using System.Net;
using Dvr.OpenFlow;

namespace Dvr.DvrFlows.Topology;

/// <summary>Agent modes of Neutron's L3/OVS agents (neutron-dvr-flows.md §0).</summary>
public enum AgentMode
{
    /// <summary>Compute node: distributed routers only where it has DVR-serviced ports.</summary>
    Dvr,

    /// <summary>Network node: distributed routers plus the centralized SNAT (sg-) ports.</summary>
    DvrSnat,

    /// <summary>No DVR on this host: legacy (centralized) routers only.</summary>
    Legacy,
}

public enum NetworkType
{
    Vxlan,
    Vlan,
    Flat,
}

/// <summary>Neutron device_owner values that change which flows a port gets.</summary>
public enum DeviceOwner
{
    /// <summary>compute:* (a VM). DVR-serviced.</summary>
    Compute,

    /// <summary>network:dhcp. DVR-serviced (host_dvr_for_dhcp).</summary>
    Dhcp,

    /// <summary>network:router_interface_distributed (qr- on every host that hosts the router).</summary>
    RouterInterfaceDistributed,

    /// <summary>network:router_centralized_snat (sg- on the dvr_snat host). DVR-serviced there.</summary>
    RouterCentralizedSnat,

    /// <summary>network:router_interface (a legacy router's qr- on its network node).</summary>
    RouterInterface,

    /// <summary>network:router_gateway (qg-, the router's external leg).</summary>
    RouterGateway,
}

/// <summary>A bridge on one host: its OVS name and the datapath id it reports in FEATURES_REPLY.</summary>
public sealed record BridgeRef(string Name, ulong DatapathId);

/// <summary>
/// One hypervisor or network node. <see cref="DvrMac"/> is this host's unique DVR MAC (LMAC): the source
/// MAC of routed frames that leave it, so the shared gateway MAC never reaches the wire.
/// </summary>
public sealed record Host(
    string Name,
    AgentMode AgentMode,
    IPAddress TunnelIp,
    MacAddress DvrMac,
    BridgeRef Integration,
    BridgeRef Tunnel,
    ImmutableSortedDictionary<string, BridgeRef> PhysicalBridges)
{
    /// <summary>Where the record came from in the topology file, for error messages.</summary>
    public SourceLocation Location { get; init; } = SourceLocation.None;

    /// <summary>
    /// Local VLANs the topology pins for this host (network name → VLAN 1..4094), from the host's
    /// <c>local_vlans</c> key. <see cref="LocalVlanAllocator"/> honours them before allocating the rest.
    /// </summary>
    public ImmutableSortedDictionary<string, int> LocalVlanPins { get; init; } = ImmutableSortedDictionary<string, int>.Empty;

    /// <summary>True when the file gave no dvr_mac and <see cref="DvrMacAllocator"/> chose <see cref="DvrMac"/>.</summary>
    public bool DvrMacAllocated { get; init; }

    /// <summary>The bridge that carries <paramref name="physicalNetwork"/> on this host, or null when it has no mapping.</summary>
    public BridgeRef? BridgeFor(string physicalNetwork) => PhysicalBridges.GetValueOrDefault(physicalNetwork);

    /// <summary>Value equality over what the host is; <see cref="Location"/> (where it was written) is ignored.</summary>
    public bool Equals(Host? other) =>
        other is not null
        && Name == other.Name
        && AgentMode == other.AgentMode
        && TunnelIp.Equals(other.TunnelIp)
        && DvrMac == other.DvrMac
        && Integration == other.Integration
        && Tunnel == other.Tunnel
        && PhysicalBridges.SequenceEqual(other.PhysicalBridges)
        && LocalVlanPins.SequenceEqual(other.LocalVlanPins)
        && DvrMacAllocated == other.DvrMacAllocated;

    public override int GetHashCode() => HashCode.Combine(Name, AgentMode, TunnelIp, DvrMac, Integration, Tunnel, PhysicalBridges.Count);
}

/// <summary>A tenant or provider network. <see cref="SegmentationId"/> is the VNI (vxlan) or VLAN id (vlan); null for flat.</summary>
public sealed record Network(string Name, NetworkType Type, uint? SegmentationId, string? PhysicalNetwork)
{
    public SourceLocation Location { get; init; } = SourceLocation.None;

    /// <summary>Value equality; <see cref="Location"/> is ignored.</summary>
    public bool Equals(Network? other) =>
        other is not null && Name == other.Name && Type == other.Type
        && SegmentationId == other.SegmentationId && PhysicalNetwork == other.PhysicalNetwork;

    public override int GetHashCode() => HashCode.Combine(Name, Type, SegmentationId, PhysicalNetwork);
}

/// <summary>An IPv4 or IPv6 prefix.</summary>
public sealed record IpPrefix(IPAddress Address, int PrefixLength)
{
    public bool IsIpv6 => Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;

    public bool Contains(IPAddress address)
    {
        if (address.AddressFamily != Address.AddressFamily)
        {
            return false;
        }

        var a = address.GetAddressBytes();
        var p = Address.GetAddressBytes();
        int bits = PrefixLength;
        for (int i = 0; i < a.Length && bits > 0; i++, bits -= 8)
        {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if ((a[i] & mask) != (p[i] & mask))
            {
                return false;
            }
        }

        return true;
    }

    public static IpPrefix Parse(string text)
    {
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(text.AsSpan(0, slash), out var address)
            || !int.TryParse(text.AsSpan(slash + 1), System.Globalization.CultureInfo.InvariantCulture, out int length))
        {
            throw new FormatException($"'{text}' is not a CIDR prefix (expected e.g. 10.0.1.0/24)");
        }

        int max = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
        if (length < 0 || length > max)
        {
            throw new FormatException($"'{text}': prefix length must be 0..{max}");
        }

        return new IpPrefix(address, length);
    }

    public override string ToString() => $"{Address}/{PrefixLength}";
}

public sealed record Subnet(string Name, string Network, IpPrefix Cidr, IPAddress? GatewayIp, string? DhcpPort)
{
    public SourceLocation Location { get; init; } = SourceLocation.None;

    /// <summary>Value equality; <see cref="Location"/> is ignored.</summary>
    public bool Equals(Subnet? other) =>
        other is not null && Name == other.Name && Network == other.Network && Cidr == other.Cidr
        && Equals(GatewayIp, other.GatewayIp) && DhcpPort == other.DhcpPort;

    public override int GetHashCode() => HashCode.Combine(Name, Network, Cidr, GatewayIp, DhcpPort);
}

/// <summary>A router's external gateway: its SNAT happens on <see cref="SnatHost"/> (a dvr_snat host).</summary>
public sealed record ExternalGateway(string Network, IPAddress Ip, MacAddress Mac, string SnatHost, string Interface);

/// <summary>A router; <see cref="Distributed"/> false means legacy (centralized on a network node).</summary>
public sealed record Router(string Name, bool Distributed, ExternalGateway? ExternalGateway)
{
    public SourceLocation Location { get; init; } = SourceLocation.None;

    /// <summary>Value equality; <see cref="Location"/> is ignored.</summary>
    public bool Equals(Router? other) =>
        other is not null && Name == other.Name && Distributed == other.Distributed && ExternalGateway == other.ExternalGateway;

    public override int GetHashCode() => HashCode.Combine(Name, Distributed, ExternalGateway);
}

public sealed record AllowedAddressPair(IpPrefix Ip, MacAddress? Mac);

public sealed record FixedIp(string Subnet, IPAddress Ip);

/// <summary>
/// A Neutron port. <see cref="Interface"/> is its OVS interface name on br-int. Router interface ports name
/// their <see cref="Router"/>; distributed ones have no <see cref="Host"/> (they exist on every host that
/// hosts the router), legacy ones and SNAT ports are bound to one host.
/// </summary>
public sealed record Port(
    string Name,
    string Network,
    string Interface,
    MacAddress Mac,
    ImmutableArray<FixedIp> FixedIps,
    DeviceOwner DeviceOwner,
    string? Host,
    string? Router,
    ImmutableArray<AllowedAddressPair> AllowedAddressPairs,
    bool AdminStateUp,
    bool PortSecurity)
{
    public SourceLocation Location { get; init; } = SourceLocation.None;

    /// <summary>DVR-serviced owners get direct delivery (DVR_TO_SRC_MAC + TRANSIENT) on their host.</summary>
    public bool IsDvrServiced => DeviceOwner is DeviceOwner.Compute or DeviceOwner.Dhcp or DeviceOwner.RouterCentralizedSnat;

    /// <summary>A router's leg on a tenant subnet (qr-), distributed or legacy.</summary>
    public bool IsRouterInterface => DeviceOwner is DeviceOwner.RouterInterfaceDistributed or DeviceOwner.RouterInterface;

    /// <summary>
    /// Value equality over what the port is (fixed IPs and allowed address pairs compared element by element,
    /// in order); <see cref="Location"/> is ignored.
    /// </summary>
    public bool Equals(Port? other) =>
        other is not null
        && Name == other.Name
        && Network == other.Network
        && Interface == other.Interface
        && Mac == other.Mac
        && FixedIps.SequenceEqual(other.FixedIps)
        && DeviceOwner == other.DeviceOwner
        && Host == other.Host
        && Router == other.Router
        && AllowedAddressPairs.SequenceEqual(other.AllowedAddressPairs)
        && AdminStateUp == other.AdminStateUp
        && PortSecurity == other.PortSecurity;

    public override int GetHashCode() => HashCode.Combine(Name, Network, Interface, Mac, DeviceOwner, Host, Router);
}

public sealed record GlobalSettings(bool RouterDistributed, MacAddress DvrBaseMac, string TunnelType, ulong Cookie)
{
    /// <summary>Neutron's default dvr_base_mac.</summary>
    public static readonly MacAddress DefaultDvrBaseMac = MacAddress.Parse("fa:16:3f:00:00:00");

    /// <summary>Cookie Dvr puts on every flow it owns unless the topology says otherwise ("DVR" in ASCII, then zeros).</summary>
    public const ulong DefaultCookie = 0x4456_5200_0000_0000UL;

    public static readonly GlobalSettings Default = new(true, DefaultDvrBaseMac, "vxlan", DefaultCookie);
}

/// <summary>
/// A validated, immutable cloud topology. Collections are sorted by name, so everything derived from it is
/// independent of the order the file listed things in.
/// </summary>
public sealed record Topology(
    GlobalSettings Global,
    ImmutableArray<Host> Hosts,
    ImmutableArray<Network> Networks,
    ImmutableArray<Subnet> Subnets,
    ImmutableArray<Router> Routers,
    ImmutableArray<Port> Ports)
{
    /// <summary>The file the topology was read from (for error messages), or null.</summary>
    public string? SourcePath { get; init; }

    /// <summary>
    /// Value equality: element-by-element over the (name-sorted) collections. <see cref="SourcePath"/> and every
    /// record's Location are ignored, so the same cloud written in another order or another file is equal.
    /// </summary>
    public bool Equals(Topology? other) =>
        other is not null
        && Global == other.Global
        && Hosts.SequenceEqual(other.Hosts)
        && Networks.SequenceEqual(other.Networks)
        && Subnets.SequenceEqual(other.Subnets)
        && Routers.SequenceEqual(other.Routers)
        && Ports.SequenceEqual(other.Ports);

    public override int GetHashCode() => HashCode.Combine(Global, Hosts.Length, Networks.Length, Subnets.Length, Routers.Length, Ports.Length);

    public Host? FindHost(string name) => FindByName(Hosts, name, static h => h.Name);

    public Network? FindNetwork(string name) => FindByName(Networks, name, static n => n.Name);

    public Subnet? FindSubnet(string name) => FindByName(Subnets, name, static s => s.Name);

    public Router? FindRouter(string name) => FindByName(Routers, name, static r => r.Name);

    public Port? FindPort(string name) => FindByName(Ports, name, static p => p.Name);

    public Host GetHost(string name) => FindHost(name) ?? throw new KeyNotFoundException($"topology has no host '{name}'");

    public Network GetNetwork(string name) => FindNetwork(name) ?? throw new KeyNotFoundException($"topology has no network '{name}'");

    public Subnet GetSubnet(string name) => FindSubnet(name) ?? throw new KeyNotFoundException($"topology has no subnet '{name}'");

    public Router GetRouter(string name) => FindRouter(name) ?? throw new KeyNotFoundException($"topology has no router '{name}'");

    public Port GetPort(string name) => FindPort(name) ?? throw new KeyNotFoundException($"topology has no port '{name}'");

    // A linear scan: topologies are small, and it stays correct for a Topology built by hand in any order.
    private static T? FindByName<T>(ImmutableArray<T> items, string name, Func<T, string> nameOf)
        where T : class
    {
        foreach (var item in items)
        {
            if (string.Equals(nameOf(item), name, StringComparison.Ordinal))
            {
                return item;
            }
        }

        return null;
    }
}

/// <summary>A position in a topology file: 1-based line and column, and the field path (e.g. hosts[1].dvr_mac).</summary>
public sealed record SourceLocation(string? File, int Line, int Column, string Path)
{
    public static readonly SourceLocation None = new(null, 0, 0, string.Empty);

    public override string ToString() =>
        Line > 0 ? $"{File ?? "<topology>"}:{Line}:{Column}: {Path}" : $"{File ?? "<topology>"}: {Path}";
}
