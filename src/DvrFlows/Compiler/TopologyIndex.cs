using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Dvr.DvrFlows.Topology;

namespace Dvr.DvrFlows.Compiler;

/// <summary>
/// Lookups every <see cref="HostPlan"/> of one topology needs, built once per <see cref="Topology.Topology"/>
/// instance (it is immutable) and shared, so compiling all hosts of a large cloud costs one pass over the ports
/// rather than a scan of every port (or network, subnet) per host, per network or per fixed IP.
/// Lists keep the first of duplicate names, as <see cref="Topology.Topology.FindNetwork"/> does.
/// </summary>
internal sealed class TopologyIndex
{
    private static readonly ConditionalWeakTable<Topology.Topology, TopologyIndex> Cache = [];

    private readonly Dictionary<string, Network> _networks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Subnet> _subnets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ImmutableArray<Port>> _portsByNetwork;
    private readonly Dictionary<string, ImmutableArray<Port>> _portsByHost;
    private readonly Dictionary<string, ImmutableArray<Port>> _interfacesByRouter;
    private readonly Dictionary<string, ImmutableArray<string>> _hostsByNetwork;

    private TopologyIndex(Topology.Topology topology)
    {
        foreach (var network in topology.Networks)
        {
            _networks.TryAdd(network.Name, network);
        }

        foreach (var subnet in topology.Subnets)
        {
            _subnets.TryAdd(subnet.Name, subnet);
        }

        var byName = topology.Ports.OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        _portsByNetwork = Group(byName, p => p.Network);
        _portsByHost = Group(byName.Where(p => p.Host is not null), p => p.Host!);
        _interfacesByRouter = Group(byName.Where(p => p.IsRouterInterface && p.Router is not null), p => p.Router!);
        RouterHosts = topology.HostsOfRouters();
        NetworksByHost = topology.NetworksByHost();
        _hostsByNetwork = NetworksByHost
            .SelectMany(h => h.Value.Select(network => (Network: network, Host: h.Key)))
            .GroupBy(p => p.Network, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Host).ToImmutableArray(), StringComparer.Ordinal);
    }

    /// <summary>Hosts the network is present on (<see cref="NetworksByHost"/> inverted), in name order.</summary>
    public ImmutableArray<string> HostsWithNetwork(string network) => _hostsByNetwork.GetValueOrDefault(network, []);

    /// <summary>Router name → hosts it lives on (<see cref="TopologyQueries.HostsOfRouters"/>).</summary>
    public ImmutableSortedDictionary<string, ImmutableSortedSet<string>> RouterHosts { get; }

    /// <summary>Host name → networks present there (<see cref="TopologyQueries.NetworksByHost"/>).</summary>
    public ImmutableSortedDictionary<string, ImmutableSortedSet<string>> NetworksByHost { get; }

    /// <summary>Flows shared between the hosts of this topology (<see cref="FlowMemo"/>).</summary>
    public FlowMemo Memo { get; } = new();

    public static TopologyIndex For(Topology.Topology topology) => Cache.GetValue(topology, static t => new TopologyIndex(t));

    public Network GetNetwork(string name) =>
        _networks.TryGetValue(name, out var network) ? network : throw new KeyNotFoundException($"topology has no network '{name}'");

    public Subnet GetSubnet(string name) =>
        _subnets.TryGetValue(name, out var subnet) ? subnet : throw new KeyNotFoundException($"topology has no subnet '{name}'");

    /// <summary>Ports on the network, in name order.</summary>
    public ImmutableArray<Port> PortsOnNetwork(string network) => _portsByNetwork.GetValueOrDefault(network, []);

    /// <summary>Ports bound to the host, in name order.</summary>
    public ImmutableArray<Port> PortsOnHost(string host) => _portsByHost.GetValueOrDefault(host, []);

    /// <summary>The router's interface ports (qr-, distributed or legacy), in name order.</summary>
    public ImmutableArray<Port> RouterInterfaces(string router) => _interfacesByRouter.GetValueOrDefault(router, []);

    private static Dictionary<string, ImmutableArray<Port>> Group(IEnumerable<Port> ports, Func<Port, string> key) =>
        ports.GroupBy(key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToImmutableArray(), StringComparer.Ordinal);
}
