using System.Collections.Immutable;
using System.Net;
using Dvr.DvrFlows.Topology;
using Dvr.OpenFlow;

namespace Dvr.OvsTestbed.Plan;

/// <summary>
/// Everything one testbed consists of, computed from a <see cref="Topology"/> without touching the machine
/// (<see cref="TestbedPlanner"/>). The executor only turns it into commands, so names and addresses can be unit
/// tested without root.
/// </summary>
public sealed record TestbedPlan(
    string Prefix,
    string BaseDirectory,
    UnderlayPlan Underlay,
    ExternalPlan? External,
    ControlNetworkPlan? Control,
    ImmutableArray<HostPlan> Hosts,
    ImmutableArray<NamespacePlan> Namespaces)
{
    public HostPlan GetHost(string name) =>
        Hosts.FirstOrDefault(h => h.Name == name) ?? throw new KeyNotFoundException($"testbed has no host '{name}'");

    /// <summary>Every namespace the testbed creates, infrastructure ones included.</summary>
    public IEnumerable<string> AllNamespaceNames()
    {
        yield return Underlay.Namespace;
        if (External is not null)
        {
            yield return External.Namespace;
        }

        foreach (var host in Hosts)
        {
            yield return host.Namespace;
        }

        foreach (var ns in Namespaces)
        {
            yield return ns.Name;
        }
    }
}

/// <summary>
/// The shared underlay namespace: a Linux bridge (MTU 1600 so VXLAN's 50 bytes fit under a 1500-byte VM MTU,
/// ovs-testbed.md §3a) joining every host's br-phy, and one Linux bridge per physical network joining the hosts'
/// physical bridges (br-ex) and the external namespace.
/// </summary>
public sealed record UnderlayPlan(string Namespace, string Bridge, int Mtu, ImmutableSortedDictionary<string, string> PhysicalNetworkBridges);

/// <summary>
/// The namespace that plays the internet: on each external network it holds the subnet's gateway address
/// (e.g. 203.0.113.1), and its loopback carries <see cref="InternetAddress"/> (this kernel may lack the dummy driver).
/// </summary>
public sealed record ExternalPlan(string Namespace, IPAddress InternetAddress, string InternetInterface, ImmutableArray<ExternalLegPlan> Legs);

/// <summary>
/// One external network's leg in the external namespace. <see cref="Interface"/> is a veth whose peer
/// <see cref="UnderlayPeer"/> is on the physical network's bridge; for a VLAN network the address goes on the
/// VLAN sub-interface <see cref="AddressInterface"/>.
/// </summary>
public sealed record ExternalLegPlan(
    string Network,
    string PhysicalNetwork,
    int? VlanId,
    string Interface,
    string AddressInterface,
    string UnderlayPeer,
    MacAddress Mac,
    string? Address);

/// <summary>The root-namespace control bridge for a TCP controller (ovs-testbed.md §6).</summary>
public sealed record ControlNetworkPlan(string Bridge, IPAddress ControllerAddress, int PrefixLength);

/// <summary>A host's veth onto the control bridge: <see cref="RootInterface"/> in the root namespace, ctl0 in the host's.</summary>
public sealed record ControlLinkPlan(string RootInterface, string HostInterface, IPAddress Address, int PrefixLength);

/// <summary>A VXLAN tunnel from one host to <see cref="Host"/>.</summary>
public sealed record TunnelPeer(string Host, IPAddress Ip, MacAddress BrPhyMac, string PortName);

/// <summary>
/// A bridge_mappings bridge: patched to br-int (<see cref="IntegrationPatch"/> int-br-ex / <see cref="PhysicalPatch"/>
/// phy-br-ex, Neutron's names) with an uplink veth onto the physical network's segment in the underlay namespace.
/// </summary>
public sealed record PhysicalBridgePlan(
    string PhysicalNetwork,
    BridgeRef Bridge,
    string IntegrationPatch,
    string PhysicalPatch,
    string Uplink,
    string UnderlayPeer,
    string SegmentBridge);

/// <summary>
/// A veth between br-int (<see cref="Interface"/>, in the host namespace) and a port, router or SNAT namespace
/// (<see cref="InnerName"/> in <see cref="Namespace"/>). The OVS Port carries <see cref="LocalVlan"/> as its tag.
/// </summary>
public sealed record AttachmentPlan(
    string Interface,
    string Namespace,
    string InnerName,
    MacAddress Mac,
    ImmutableArray<string> Addresses,
    string Network,
    int LocalVlan,
    string PortName,
    ImmutableSortedDictionary<string, string> ExternalIds,
    ImmutableSortedDictionary<string, string> PortOtherConfig);

public enum NamespaceKind
{
    /// <summary>A VM or DHCP port: PREFIXv-PORT with eth0.</summary>
    Port,

    /// <summary>A distributed router on one host: PREFIXr-ROUTER-HOST with its qr- legs.</summary>
    DistributedRouter,

    /// <summary>A distributed router's centralized SNAT: PREFIXs-ROUTER with sg- and qg- legs.</summary>
    Snat,

    /// <summary>A legacy router: PREFIXr-ROUTER-HOST with qr- (and qg-) legs.</summary>
    LegacyRouter,
}

/// <summary>
/// A namespace hanging off one host's br-int. <see cref="Script"/> is the shell script run inside it once its links
/// have moved in (sysctls, then an <c>ip -batch</c> of <see cref="IpBatch"/>, ethtool, iptables).
/// </summary>
public sealed record NamespacePlan(
    string Name,
    NamespaceKind Kind,
    string Host,
    string Owner,
    bool IpForward,
    ImmutableArray<string> IpBatch,
    ImmutableArray<string> Iptables,
    ImmutableArray<string> InnerInterfaces);

/// <summary>One host of the topology as the testbed builds it.</summary>
public sealed record HostPlan(
    Host Host,
    int Index,
    string Namespace,
    string RunDirectory,
    int TunnelPrefixLength,
    MacAddress BrPhyMac,
    string UnderlayInterface,
    string UnderlayPeer,
    ImmutableArray<TunnelPeer> Peers,
    ImmutableArray<PhysicalBridgePlan> PhysicalBridges,
    ImmutableSortedDictionary<string, int> LocalVlans,
    ImmutableArray<AttachmentPlan> Attachments,
    ControlLinkPlan? Control)
{
    public string Name => Host.Name;

    /// <summary>The physical bridge the underlay veth and the VTEP address live on.</summary>
    public const string UnderlayBridge = "br-phy";

    public string DbSocket => Path.Combine(RunDirectory, "db.sock");

    public string VswitchdControl => Path.Combine(RunDirectory, "ovs-vswitchd.ctl");

    public string OvsdbControl => Path.Combine(RunDirectory, "ovsdb-server.ctl");

    public string ControllerSocketLink => Path.Combine(RunDirectory, "controller.sock");

    /// <summary>Bridges a controller is set on: br-int, br-tun and every physical bridge (Neutron's agent owns them all).</summary>
    public IEnumerable<BridgeRef> ControlledBridges =>
        new[] { Host.Integration, Host.Tunnel }.Concat(PhysicalBridges.Select(b => b.Bridge));
}
