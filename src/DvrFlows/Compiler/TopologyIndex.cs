using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Dvr.DvrFlows.Topology;

namespace Dvr.DvrFlows.Compiler;

/// <summary>
/// Lookups every <see cref="HostPlan"/> of one topology needs, built once per <see cref="Topology.Topology"/>
/// instance (it is immutable) and shared, so compiling all hosts of a large cloud costs one pass over the ports
/// rather than a scan of every port (or network, subnet) per host, per network or per fixed IP.
/// Lists keep the first of duplicate names, as <see cref="Topology.Topology.FindNetwork"/> does.
/// <see cref="WithPortChanges"/> derives the index of a topology that differs only in a few ports without
/// another pass over the whole topology (the incremental compiler's path).
/// </summary>
internal sealed class TopologyIndex
{
    private static readonly ConditionalWeakTable<Topology.Topology, TopologyIndex> Cache = [];

    private readonly Dictionary<string, Network> _networks;
    private readonly Dictionary<string, Subnet> _subnets;
    private readonly PortLists _portsByNetwork;
    private readonly PortLists _portsByHost;
    private readonly PortLists _portsBySubnet;
    private readonly Dictionary<string, ImmutableArray<Port>> _interfacesByRouter;
    private readonly Dictionary<string, ImmutableArray<string>> _distributedRoutersBySubnet;
    private readonly Dictionary<string, ImmutableArray<string>> _subnetsByDistributedRouter;
    private Dictionary<string, ImmutableArray<string>> _hostsByNetwork;
    private readonly HashSet<string> _dvrHosts;

    private TopologyIndex(Topology.Topology topology)
    {
        _networks = new(StringComparer.Ordinal);
        _subnets = new(StringComparer.Ordinal);
        foreach (var network in topology.Networks)
        {
            _networks.TryAdd(network.Name, network);
        }

        foreach (var subnet in topology.Subnets)
        {
            _subnets.TryAdd(subnet.Name, subnet);
        }

        var byName = topology.Ports.OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        _portsByNetwork = new(Group(byName, p => p.Network));
        _portsByHost = new(Group(byName.Where(p => p.Host is not null), p => p.Host!));
        _portsBySubnet = new(Group(byName.SelectMany(p => p.FixedIps.Select(f => f.Subnet).Distinct(StringComparer.Ordinal).Select(s => (Subnet: s, Port: p))), x => x.Subnet, x => x.Port));
        _dvrHosts = topology.Hosts.Where(h => h.AgentMode != AgentMode.Legacy).Select(h => h.Name).ToHashSet(StringComparer.Ordinal);
        _interfacesByRouter = Group(byName.Where(p => p.IsRouterInterface && p.Router is not null), p => p.Router!);
        var routers = topology.Routers.ToDictionary(r => r.Name, StringComparer.Ordinal);
        _distributedRoutersBySubnet = byName
            .Where(p => p.IsRouterInterface && p.Router is not null && routers.TryGetValue(p.Router, out var r) && r.Distributed)
            .SelectMany(p => p.FixedIps.Select(f => (f.Subnet, Router: p.Router!)))
            .GroupBy(x => x.Subnet, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Router).Distinct(StringComparer.Ordinal).ToImmutableArray(), StringComparer.Ordinal);
        _subnetsByDistributedRouter = _distributedRoutersBySubnet
            .SelectMany(kv => kv.Value.Select(router => (Router: router, Subnet: kv.Key)))
            .GroupBy(x => x.Router, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Subnet).ToImmutableArray(), StringComparer.Ordinal);
        RouterHosts = topology.HostsOfRouters();
        NetworksByHost = topology.NetworksByHost();
        _hostsByNetwork = NetworksByHost
            .SelectMany(h => h.Value.Select(network => (Network: network, Host: h.Key)))
            .GroupBy(p => p.Network, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Host).ToImmutableArray(), StringComparer.Ordinal);
        Memo = new FlowMemo(expectedFlows: 5 * topology.Ports.Length);
    }

    private TopologyIndex(TopologyIndex previous)
    {
        _networks = previous._networks;
        _subnets = previous._subnets;
        _interfacesByRouter = previous._interfacesByRouter;
        _distributedRoutersBySubnet = previous._distributedRoutersBySubnet;
        _subnetsByDistributedRouter = previous._subnetsByDistributedRouter;
        _portsByNetwork = previous._portsByNetwork.Copy();
        _portsByHost = previous._portsByHost.Copy();
        _portsBySubnet = previous._portsBySubnet.Copy();
        _dvrHosts = previous._dvrHosts;
        _hostsByNetwork = previous._hostsByNetwork;
        RouterHosts = previous.RouterHosts;
        NetworksByHost = previous.NetworksByHost;
        Memo = previous.Memo;
    }

    /// <summary>Hosts the network is present on (<see cref="NetworksByHost"/> inverted), in name order.</summary>
    public ImmutableArray<string> HostsWithNetwork(string network) => _hostsByNetwork.GetValueOrDefault(network, []);

    // Built on first use from this index's own NetworksByHost, so an index derived by WithPortChanges starts
    // with empty caches and never sees another index's hosts.
    private Dictionary<string, int>? _hostPositions;
    private readonly ConcurrentDictionary<string, ulong[]> _hostBitsByNetwork = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<Port, (ImmutableArray<IPAddress> Ipv4, bool HasIpv6)> _gatewayAddresses = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// A router interface's IPv4 addresses and whether it has an IPv6 one, worked out once per port rather than
    /// once per host the router lives on.
    /// </summary>
    public (ImmutableArray<IPAddress> Ipv4, bool HasIpv6) GatewayAddresses(Port port) => _gatewayAddresses.GetOrAdd(port, static p =>
        ([.. p.FixedIps.Select(f => f.Ip).Where(ip => ip.AddressFamily == AddressFamily.InterNetwork)],
         p.FixedIps.Any(f => f.Ip.AddressFamily == AddressFamily.InterNetworkV6)));

    /// <summary>Each host's bit in <see cref="HostBitsWithNetwork"/>: its position in <see cref="NetworksByHost"/> (name order).</summary>
    public IReadOnlyDictionary<string, int> HostPositions =>
        Volatile.Read(ref _hostPositions) ?? Interlocked.CompareExchange(ref _hostPositions, NetworksByHost.Keys.Select((h, i) => (h, i)).ToDictionary(p => p.h, p => p.i, StringComparer.Ordinal), null) ?? _hostPositions!;

    /// <summary>
    /// <see cref="HostsWithNetwork"/> as a bit set over <see cref="HostPositions"/>: a host's tunnel peers are the
    /// union over its networks, a few hundred word ORs instead of ~10,000 hash-set insertions per host.
    /// </summary>
    public ulong[] HostBitsWithNetwork(string network) => _hostBitsByNetwork.GetOrAdd(network, static (name, index) =>
    {
        var positions = index.HostPositions;
        var bits = new ulong[(positions.Count + 63) / 64];
        foreach (string host in index.HostsWithNetwork(name))
        {
            int at = positions[host];
            bits[at >> 6] |= 1UL << at;
        }

        return bits;
    }, this);

    /// <summary>Router name → hosts it lives on (<see cref="TopologyQueries.HostsOfRouters"/>).</summary>
    public ImmutableSortedDictionary<string, ImmutableSortedSet<string>> RouterHosts { get; private set; }

    /// <summary>Host name → networks present there (<see cref="TopologyQueries.NetworksByHost"/>).</summary>
    public ImmutableSortedDictionary<string, ImmutableSortedSet<string>> NetworksByHost { get; private set; }

    /// <summary>
    /// Flows shared between the hosts of this topology (<see cref="FlowMemo"/>). An index derived by
    /// <see cref="WithPortChanges"/> keeps its predecessor's memo: its keys hold the entities by reference, and
    /// a changed port is a new object.
    /// </summary>
    public FlowMemo Memo { get; }

    public static TopologyIndex For(Topology.Topology topology) => Cache.GetValue(topology, static t => new TopologyIndex(t));

    /// <summary>A new index of <paramref name="topology"/>, not cached (tests compare it with a derived one).</summary>
    public static TopologyIndex BuildUncached(Topology.Topology topology) => new(topology);

    public Network GetNetwork(string name) =>
        _networks.TryGetValue(name, out var network) ? network : throw new KeyNotFoundException($"topology has no network '{name}'");

    public Subnet GetSubnet(string name) =>
        _subnets.TryGetValue(name, out var subnet) ? subnet : throw new KeyNotFoundException($"topology has no subnet '{name}'");

    /// <summary>Ports on the network, in name order.</summary>
    public ImmutableArray<Port> PortsOnNetwork(string network) => _portsByNetwork.Get(network);

    /// <summary>Ports bound to the host, in name order.</summary>
    public ImmutableArray<Port> PortsOnHost(string host) => _portsByHost.Get(host);

    /// <summary>The router's interface ports (qr-, distributed or legacy), in name order.</summary>
    public ImmutableArray<Port> RouterInterfaces(string router) => _interfacesByRouter.GetValueOrDefault(router, []);

    /// <summary>
    /// The index of <paramref name="next"/>, which must equal this index's topology except for the ports in
    /// <paramref name="changes"/>, none of them a router interface (the caller checks both). Router placement
    /// and the networks present on each host are recomputed only for the routers whose subnets the changed
    /// ports have fixed IPs on and the hosts those ports or routers touch, following the rules of
    /// <see cref="TopologyQueries.HostsOfRouters"/> and <see cref="TopologyQueries.NetworksByHost"/>. The result
    /// is registered as <paramref name="next"/>'s index. <paramref name="hostsWithNewNetworks"/> receives the
    /// hosts whose set of networks changed, <paramref name="networksWithNewHosts"/> the networks whose set of
    /// hosts changed.
    /// </summary>
    public TopologyIndex WithPortChanges(
        Topology.Topology next,
        IReadOnlyList<PortChange> changes,
        out ImmutableArray<string> hostsWithNewNetworks,
        out ImmutableArray<string> networksWithNewHosts)
    {
        var index = new TopologyIndex(this);
        var routers = new SortedSet<string>(StringComparer.Ordinal);
        var hosts = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var change in changes)
        {
            if (change.Before is { } before)
            {
                Update(before, Remove);
            }

            if (change.After is { } after)
            {
                Update(after, Insert);
            }
        }

        // The port's entries in the three port lists (removed or inserted), and the hosts and routers it touches.
        void Update(Port port, Action<PortLists, string, Port> edit)
        {
            edit(index._portsByNetwork, port.Network, port);
            if (port.Host is not null)
            {
                edit(index._portsByHost, port.Host, port);
                hosts.Add(port.Host);
            }

            foreach (string subnet in SubnetsOf(port))
            {
                edit(index._portsBySubnet, subnet, port);
                routers.UnionWith(_distributedRoutersBySubnet.GetValueOrDefault(subnet, []));
            }
        }

        // Router placement (TopologyQueries.PlaceRouters) of the routers the changed ports can serve. The hosts
        // are the same in both topologies (the caller checks), so are the dvr hosts.
        var dvrHosts = _dvrHosts;
        var routerHosts = RouterHosts;
        var placementChanged = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string routerName in routers)
        {
            var router = next.GetRouter(routerName);
            var placed = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
            if (router.ExternalGateway is { } gateway)
            {
                placed.Add(gateway.SnatHost);
            }

            foreach (string subnet in _subnetsByDistributedRouter.GetValueOrDefault(routerName, []))
            {
                foreach (var port in index._portsBySubnet.Get(subnet))
                {
                    if (port.Host is not null && port.IsDvrServiced && dvrHosts.Contains(port.Host))
                    {
                        placed.Add(port.Host);
                    }
                }
            }

            var old = RouterHosts[routerName];
            if (!old.SetEquals(placed))
            {
                hosts.UnionWith(old.SymmetricExcept(placed));
                placementChanged.UnionWith(old.SymmetricExcept(placed));
                routerHosts = routerHosts.SetItem(routerName, placed.ToImmutable());
            }
        }

        index.RouterHosts = routerHosts;

        // Networks present on the touched hosts (TopologyQueries.NetworksByHost).
        var changedHosts = ImmutableArray.CreateBuilder<string>();
        var changedNetworks = new SortedSet<string>(StringComparer.Ordinal);
        var networksByHost = NetworksByHost;
        foreach (string host in hosts)
        {
            if (!NetworksByHost.TryGetValue(host, out var old) || (!placementChanged.Contains(host) && KeepsNetworks(index, host, old, changes)))
            {
                continue;
            }

            var present = new HashSet<string>(StringComparer.Ordinal);
            foreach (var port in index.PortsOnHost(host))
            {
                present.Add(port.Network);
            }

            foreach (var (routerName, placed) in routerHosts)
            {
                if (!placed.Contains(host))
                {
                    continue;
                }

                foreach (var port in index.RouterInterfaces(routerName))
                {
                    present.Add(port.Network);
                }

                if (next.GetRouter(routerName).ExternalGateway is { } gateway && string.Equals(gateway.SnatHost, host, StringComparison.Ordinal))
                {
                    present.Add(gateway.Network);
                }
            }

            if (old.Count != present.Count || !present.All(old.Contains))
            {
                var now = present.ToImmutableSortedSet(StringComparer.Ordinal);
                changedHosts.Add(host);
                changedNetworks.UnionWith(old.SymmetricExcept(now));
                networksByHost = networksByHost.SetItem(host, now);
            }
        }

        index.NetworksByHost = networksByHost;
        if (changedNetworks.Count > 0)
        {
            var hostsByNetwork = new Dictionary<string, ImmutableArray<string>>(_hostsByNetwork, StringComparer.Ordinal);
            foreach (string network in changedNetworks)
            {
                var list = networksByHost.Where(kv => kv.Value.Contains(network)).Select(kv => kv.Key).ToImmutableArray();
                if (list.IsEmpty)
                {
                    hostsByNetwork.Remove(network);
                }
                else
                {
                    hostsByNetwork[network] = list;
                }
            }

            index._hostsByNetwork = hostsByNetwork;
        }

        Cache.AddOrUpdate(next, index);
        hostsWithNewNetworks = changedHosts.ToImmutable();
        networksWithNewHosts = [.. changedNetworks];
        return index;
    }

    /// <summary>
    /// True when every lookup of this index equals that of <paramref name="other"/> (for tests: an index
    /// derived by <see cref="WithPortChanges"/> against one built from scratch).
    /// </summary>
    public bool SameLookupsAs(TopologyIndex other, out string difference)
    {
        difference = string.Empty;
        static bool SameLists<T>(Dictionary<string, ImmutableArray<T>> a, Dictionary<string, ImmutableArray<T>> b) =>
            a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v.SequenceEqual(kv.Value));
        static bool SamePorts(PortLists a, PortLists b) => SameLists(a.ToDictionary(), b.ToDictionary());
        static bool SameSets(ImmutableSortedDictionary<string, ImmutableSortedSet<string>> a, ImmutableSortedDictionary<string, ImmutableSortedSet<string>> b) =>
            a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v.SetEquals(kv.Value));
        var checks = new (string Name, bool Same)[]
        {
            ("ports by network", SamePorts(_portsByNetwork, other._portsByNetwork)),
            ("ports by host", SamePorts(_portsByHost, other._portsByHost)),
            ("ports by subnet", SamePorts(_portsBySubnet, other._portsBySubnet)),
            ("router interfaces", SameLists(_interfacesByRouter, other._interfacesByRouter)),
            ("hosts by network", SameLists(_hostsByNetwork, other._hostsByNetwork)),
            ("router hosts", SameSets(RouterHosts, other.RouterHosts)),
            ("networks by host", SameSets(NetworksByHost, other.NetworksByHost)),
        };
        difference = string.Join(", ", checks.Where(c => !c.Same).Select(c => c.Name));
        return difference.Length == 0;
    }

    private static IEnumerable<string> SubnetsOf(Port port) => port.FixedIps.Select(f => f.Subnet).Distinct(StringComparer.Ordinal);

    /// <summary>
    /// True when a host whose router placement did not change keeps exactly its networks <paramref name="old"/>
    /// after the port changes: every network a changed port now brings is already there, and every network a
    /// changed port was bound with still has another port on this host. (Routers placed here and their
    /// interfaces are unchanged, so are the networks they bring.) False means "recompute", not "changed".
    /// </summary>
    private static bool KeepsNetworks(TopologyIndex index, string host, ImmutableSortedSet<string> old, IReadOnlyList<PortChange> changes)
    {
        foreach (var change in changes)
        {
            if (change.After is { } after && string.Equals(after.Host, host, StringComparison.Ordinal) && !old.Contains(after.Network))
            {
                return false;
            }

            if (change.Before is { } before && string.Equals(before.Host, host, StringComparison.Ordinal))
            {
                bool stillBound = false;
                foreach (var port in index.PortsOnNetwork(before.Network))
                {
                    if (string.Equals(port.Host, host, StringComparison.Ordinal))
                    {
                        stillBound = true;
                        break;
                    }
                }

                if (!stillBound)
                {
                    return false;
                }
            }
        }

        return true;
    }

    // By name, not by reference: after a file reload the changed port's old object is equal to, but not the same
    // object as, the one this index holds (an index derived for a reloaded topology keeps the older objects).
    private static void Remove(PortLists lists, string key, Port port)
    {
        var list = lists.Get(key);
        for (int at = 0; at < list.Length; at++)
        {
            if (string.Equals(list[at].Name, port.Name, StringComparison.Ordinal))
            {
                lists.Set(key, list.RemoveAt(at));
                return;
            }
        }
    }

    private static void Insert(PortLists lists, string key, Port port)
    {
        var list = lists.Get(key);
        int at = 0;
        while (at < list.Length && string.CompareOrdinal(list[at].Name, port.Name) <= 0)
        {
            at++;
        }

        lists.Set(key, list.Insert(at, port));
    }

    private static Dictionary<string, ImmutableArray<Port>> Group(IEnumerable<Port> ports, Func<Port, string> key) =>
        ports.GroupBy(key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToImmutableArray(), StringComparer.Ordinal);

    private static Dictionary<string, ImmutableArray<Port>> Group<T>(IEnumerable<T> items, Func<T, string> key, Func<T, Port> port) =>
        items.GroupBy(key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(port).ToImmutableArray(), StringComparer.Ordinal);

    /// <summary>
    /// Name → ports in name order: a dictionary shared by every index derived (<see cref="WithPortChanges"/>)
    /// from one built from scratch, plus the lists the edits since then replaced, so deriving the index of a
    /// one-port edit copies a few lists rather than a 1,000-entry dictionary. An empty list is no ports.
    /// </summary>
    private sealed class PortLists
    {
        /// <summary>Replaced lists beyond this are folded into a new shared dictionary.</summary>
        private const int MaxReplaced = 64;

        private readonly Dictionary<string, ImmutableArray<Port>> _shared;
        private readonly Dictionary<string, ImmutableArray<Port>>? _replaced;

        public PortLists(Dictionary<string, ImmutableArray<Port>> lists)
            : this(lists, null)
        {
        }

        private PortLists(Dictionary<string, ImmutableArray<Port>> shared, Dictionary<string, ImmutableArray<Port>>? replaced)
        {
            _shared = shared;
            _replaced = replaced;
        }

        public ImmutableArray<Port> Get(string key) =>
            _replaced is not null && _replaced.TryGetValue(key, out var list) ? list : _shared.GetValueOrDefault(key, []);

        /// <summary>A copy for a derived index to <see cref="Set"/> lists in; this one stays as it is.</summary>
        public PortLists Copy() =>
            _replaced is null ? new(_shared, new(StringComparer.Ordinal))
            : _replaced.Count < MaxReplaced ? new(_shared, new(_replaced, StringComparer.Ordinal))
            : new(ToDictionary(), new(StringComparer.Ordinal));

        /// <summary>Only on a fresh <see cref="Copy"/>, before the index that owns it is published.</summary>
        public void Set(string key, ImmutableArray<Port> list) => _replaced![key] = list;

        /// <summary>Every key with ports, as one dictionary.</summary>
        public Dictionary<string, ImmutableArray<Port>> ToDictionary()
        {
            var all = new Dictionary<string, ImmutableArray<Port>>(_shared, StringComparer.Ordinal);
            foreach (var (key, list) in _replaced ?? [])
            {
                if (list.IsEmpty)
                {
                    all.Remove(key);
                }
                else
                {
                    all[key] = list;
                }
            }

            return all;
        }
    }
}
