using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Dvr.DvrFlows.Topology;
using Dvr.OpenFlow;

namespace Dvr.DvrFlows.Compiler;

/// <summary>A distributed router interface hosted on this host, with the facts its flows need.</summary>
public sealed record HostedRouterInterface(Port Port, Network Network, int LocalVlan)
{
    public MacAddress GatewayMac => Port.Mac;

    /// <summary>The interface's IPv4 addresses (the gateway IPs to keep local; bug 1831575: the port's IP, not gateway_ip).</summary>
    public ImmutableArray<IPAddress> Ipv4 { get; init; } = [];

    public bool HasIpv6 { get; init; }
}

/// <summary>
/// Everything the flow builders need to know about one host, derived once from the topology with Neutron's
/// scheduling rules (neutron-dvr-flows.md §3-§5). Pure: the same topology gives the same plan.
/// </summary>
public sealed class HostPlan
{
    private TopologyIndex _index = null!;
    private ImmutableArray<ImpliedInterface> _interfaces;

    private HostPlan(Topology.Topology topology, Host host)
    {
        Topology = topology;
        Host = host;
    }

    public Topology.Topology Topology { get; }

    internal TopologyIndex Index => _index;

    internal FlowMemo Memo => _index.Memo;

    public Host Host { get; }

    /// <summary>DVR agent mode (dvr or dvr_snat): DVR tables are populated. A legacy host gets plain L2 flows.</summary>
    public bool IsDvr => Host.AgentMode != AgentMode.Legacy;

    public ulong Cookie => Topology.Global.Cookie;

    /// <summary>
    /// The cookie of flows the switch learns (br-tun LEARN_FROM_TUN → UCAST_TO_TUN): the controller cookie with its
    /// lowest bit flipped. Neutron gives learned flows the bridge cookie; here they must not carry ours, or every
    /// reconcile would see them as stale flows of ours and delete them (docs/neutron-parity.md).
    /// </summary>
    public ulong LearnedCookie => Topology.Global.Cookie ^ 1UL;

    /// <summary>Tunnel type of tunnel port names (Global.TunnelType, "vxlan").</summary>
    public string TunnelType => Topology.Global.TunnelType;

    /// <summary>Networks present on this host with their local VLAN, by name.</summary>
    public ImmutableSortedDictionary<string, int> LocalVlans { get; private set; } = ImmutableSortedDictionary<string, int>.Empty;

    public ImmutableArray<Network> Networks { get; private set; } = [];

    /// <summary>Ports bound to this host, by name.</summary>
    public ImmutableArray<Port> LocalPorts { get; private set; } = [];

    /// <summary>Distributed router interfaces of the distributed routers that live here (DVR hosts only), by port name.</summary>
    public ImmutableArray<HostedRouterInterface> RouterInterfaces { get; private set; } = [];

    /// <summary>Subnet name → the hosted distributed router interface that holds an IP on it (its MAC is the gateway MAC).</summary>
    public ImmutableSortedDictionary<string, HostedRouterInterface> GatewayBySubnet { get; private set; } =
        ImmutableSortedDictionary<string, HostedRouterInterface>.Empty;

    /// <summary>Other DVR hosts (dvr, dvr_snat) whose DVR MACs this host must recognise; empty on a legacy host.</summary>
    public ImmutableArray<Host> DvrPeers { get; private set; } = [];

    /// <summary>Other hosts sharing at least one tunnel network with this one, with the tunnel port name, by host name.</summary>
    public ImmutableArray<(Host Host, string TunnelPort)> TunnelPeers { get; private set; } = [];

    /// <summary>Host name → networks present there (for flooding lists and l2pop).</summary>
    public ImmutableSortedDictionary<string, ImmutableSortedSet<string>> NetworksByHost { get; private set; } =
        ImmutableSortedDictionary<string, ImmutableSortedSet<string>>.Empty;

    /// <summary>Every interface the topology implies on this host's bridges (sorted by bridge, then name).</summary>
    public ImmutableArray<ImpliedInterface> Interfaces
    {
        get
        {
            if (_interfaces.IsDefault)
            {
                // Only port maps and test beds need it, not the flow builders: derived on first use.
                ImmutableInterlocked.InterlockedInitialize(ref _interfaces, ImplyInterfaces());
            }

            return _interfaces;
        }
    }

    public Network NetworkOf(string name) => Networks.First(n => n.Name == name);

    /// <summary>Tunnel port to each of <see cref="TunnelPeers"/>, by host name.</summary>
    public IReadOnlyDictionary<string, string> TunnelPortByHost { get; private set; } = new Dictionary<string, string>();

    /// <summary>Hosts the network is present on (the whole topology, this host included), in name order.</summary>
    public ImmutableArray<string> HostsWithNetwork(string network) => _index.HostsWithNetwork(network);

    /// <summary>The ports on <paramref name="network"/> anywhere in the topology, in name order.</summary>
    public ImmutableArray<Port> PortsOnNetwork(string network) => _index.PortsOnNetwork(network);

    /// <exception cref="KeyNotFoundException">The topology has no such subnet.</exception>
    public Subnet SubnetOf(string name) => _index.GetSubnet(name);

    /// <summary>The physical bridge that carries a VLAN/flat network here, or null (not mapped on this host).</summary>
    public BridgeRef? PhysicalBridgeOf(Network network) =>
        network.Type != NetworkType.Vxlan && network.PhysicalNetwork is { } physnet ? Host.BridgeFor(physnet) : null;

    public string TunnelPortTo(Host peer) => InterfaceNames.Tunnel(TunnelType, peer.TunnelIp);

    /// <exception cref="UnknownHostException">The topology has no such host.</exception>
    public static HostPlan Create(Topology.Topology topology, string hostName)
    {
        var host = topology.FindHost(hostName) ?? throw new UnknownHostException(hostName, topology.Hosts.Select(h => h.Name));
        var plan = new HostPlan(topology, host);
        plan.Derive();
        return plan;
    }

    private void Derive()
    {
        var topology = Topology;
        var index = TopologyIndex.For(topology);
        _index = index;
        var routerHosts = index.RouterHosts;
        NetworksByHost = index.NetworksByHost;

        var present = NetworksByHost[Host.Name];
        LocalVlans = LocalVlanAllocator.Allocate(present, Host.LocalVlanPins);
        Networks = [.. present.Select(index.GetNetwork)];
        LocalPorts = index.PortsOnHost(Host.Name);

        if (IsDvr)
        {
            var interfaces = ImmutableArray.CreateBuilder<HostedRouterInterface>();
            foreach (var router in topology.Routers.Where(r => r.Distributed && routerHosts[r.Name].Contains(Host.Name)))
            {
                foreach (var port in index.RouterInterfaces(router.Name).Where(p => p.DeviceOwner == DeviceOwner.RouterInterfaceDistributed))
                {
                    var (ipv4, hasIpv6) = index.GatewayAddresses(port);
                    interfaces.Add(new HostedRouterInterface(port, index.GetNetwork(port.Network), LocalVlans[port.Network])
                    {
                        Ipv4 = ipv4,
                        HasIpv6 = hasIpv6,
                    });
                }
            }

            RouterInterfaces = [.. interfaces.OrderBy(i => i.Port.Name, StringComparer.Ordinal)];
            var gateways = ImmutableSortedDictionary.CreateBuilder<string, HostedRouterInterface>(StringComparer.Ordinal);
            foreach (var ri in RouterInterfaces)
            {
                foreach (var fixedIp in ri.Port.FixedIps)
                {
                    // Two routers on one subnet: the first interface by port name is the gateway (deterministic).
                    gateways.TryAdd(fixedIp.Subnet, ri);
                }
            }

            GatewayBySubnet = gateways.ToImmutable();
            DvrPeers = [.. topology.Hosts.Where(h => h.Name != Host.Name && h.AgentMode != AgentMode.Legacy).OrderBy(h => h.Name, StringComparer.Ordinal)];
        }

        // Tunnel peers: hosts that have one of this host's vxlan networks (the index knows each network's hosts).
        var positions = index.HostPositions;
        var peerBits = new ulong[(positions.Count + 63) / 64];
        foreach (var network in Networks)
        {
            if (network.Type == NetworkType.Vxlan)
            {
                var bits = index.HostBitsWithNetwork(network.Name);
                for (int i = 0; i < peerBits.Length; i++)
                {
                    peerBits[i] |= bits[i];
                }
            }
        }

        var peers = new List<(Host Host, string TunnelPort)>(topology.Hosts.Length);
        var tunnelPortByHost = new Dictionary<string, string>(topology.Hosts.Length, StringComparer.Ordinal);
        foreach (var host in topology.Hosts)
        {
            if (host.Name != Host.Name && positions.TryGetValue(host.Name, out int at) && (peerBits[at >> 6] & (1UL << at)) != 0
                && tunnelPortByHost.TryAdd(host.Name, TunnelPortTo(host)))
            {
                peers.Add((host, tunnelPortByHost[host.Name]));
            }
        }

        peers.Sort((a, b) => string.CompareOrdinal(a.Host.Name, b.Host.Name));
        TunnelPeers = [.. peers];
        TunnelPortByHost = tunnelPortByHost;
    }

    /// <summary>
    /// This plan for a topology that differs from this plan's only in ports that change none of the host-level
    /// facts (networks present here and their local VLANs, routers placed here, tunnel peers): the facts are
    /// kept, the index and the host's own ports are taken from <paramref name="index"/>. The incremental compiler
    /// checks those facts before it rebases (<see cref="IncrementalCompiler"/>); a property test checks the
    /// result against <see cref="Create"/>.
    /// </summary>
    internal HostPlan Rebase(Topology.Topology topology, TopologyIndex index)
    {
        var host = topology.FindHost(Host.Name) ?? throw new UnknownHostException(Host.Name, topology.Hosts.Select(h => h.Name));
        return new HostPlan(topology, host)
        {
            _index = index,
            NetworksByHost = index.NetworksByHost,
            LocalVlans = LocalVlans,
            Networks = Networks,
            LocalPorts = index.PortsOnHost(Host.Name),
            RouterInterfaces = RouterInterfaces,
            GatewayBySubnet = GatewayBySubnet,
            DvrPeers = DvrPeers,
            TunnelPeers = TunnelPeers,
            TunnelPortByHost = TunnelPortByHost,
        };
    }

    private ImmutableArray<ImpliedInterface> ImplyInterfaces()
    {
        var result = new List<ImpliedInterface>();
        string brInt = Host.Integration.Name;
        string brTun = Host.Tunnel.Name;
        result.Add(new(brInt, InterfaceNames.PatchTun, InterfaceKind.Patch, InterfaceNames.PatchInt, null, null));
        result.Add(new(brTun, InterfaceNames.PatchInt, InterfaceKind.Patch, InterfaceNames.PatchTun, null, null));
        foreach (var bridge in Host.PhysicalBridges.Values)
        {
            result.Add(new(brInt, InterfaceNames.IntToPhysical(bridge.Name), InterfaceKind.Patch, InterfaceNames.PhysicalToInt(bridge.Name), null, null));
            result.Add(new(bridge.Name, InterfaceNames.PhysicalToInt(bridge.Name), InterfaceKind.Patch, InterfaceNames.IntToPhysical(bridge.Name), null, null));
        }

        var ports = LocalPorts.Select(p => p).Concat(RouterInterfaces.Select(r => r.Port));
        foreach (var port in ports)
        {
            result.Add(new(brInt, port.Interface, InterfaceKind.Port, null, null, null)
            {
                Tag = port.AdminStateUp ? LocalVlans[port.Network] : 4095,
            });
        }

        foreach (var (peer, name) in TunnelPeers)
        {
            result.Add(new(brTun, name, InterfaceKind.Tunnel, null, peer.TunnelIp, TunnelType));
        }

        return [.. result
            .DistinctBy(i => (i.BridgeName, i.Name))
            .OrderBy(i => i.BridgeName, StringComparer.Ordinal)
            .ThenBy(i => i.Name, StringComparer.Ordinal)];
    }
}

/// <summary>The topology has no host of that name.</summary>
public sealed class UnknownHostException : KeyNotFoundException
{
    public UnknownHostException()
        : this(string.Empty, [])
    {
    }

    public UnknownHostException(string message)
        : this(message, [])
    {
    }

    public UnknownHostException(string message, Exception innerException)
        : base(message, innerException)
    {
        HostName = string.Empty;
        KnownHosts = [];
    }

    public UnknownHostException(string hostName, IEnumerable<string> knownHosts)
        : base($"unknown host '{hostName}'; the topology has: {string.Join(", ", knownHosts.Order(StringComparer.Ordinal))}")
    {
        HostName = hostName;
        KnownHosts = [.. knownHosts.Order(StringComparer.Ordinal)];
    }

    public string HostName { get; }

    public ImmutableArray<string> KnownHosts { get; }
}
