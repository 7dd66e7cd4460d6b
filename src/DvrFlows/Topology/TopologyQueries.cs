using System.Collections.Immutable;

namespace Dvr.DvrFlows.Topology;

/// <summary>
/// Derived facts about a <see cref="Topology"/> that several parts need: which hosts a router lives on, which
/// networks are present on a host. They follow Neutron's scheduling rules (neutron-dvr-flows.md §3, §5).
/// </summary>
public static class TopologyQueries
{
    /// <summary>Ports bound to <paramref name="host"/> (their Host field names it), in name order.</summary>
    public static ImmutableArray<Port> PortsBoundTo(this Topology topology, string host) =>
        topology.Ports.Where(p => string.Equals(p.Host, host, StringComparison.Ordinal)).ToImmutableArray();

    /// <summary>The router's interface ports on tenant subnets (qr-, distributed or legacy), in name order.</summary>
    public static ImmutableArray<Port> RouterInterfaces(this Topology topology, string router) =>
        topology.Ports.Where(p => p.IsRouterInterface && string.Equals(p.Router, router, StringComparison.Ordinal)).ToImmutableArray();

    /// <summary>The centralized SNAT (sg-) ports of a router, in name order.</summary>
    public static ImmutableArray<Port> SnatPorts(this Topology topology, string router) =>
        topology.Ports.Where(p => p.DeviceOwner == DeviceOwner.RouterCentralizedSnat && string.Equals(p.Router, router, StringComparison.Ordinal)).ToImmutableArray();

    /// <summary>
    /// Hosts on which the router exists, sorted by name.
    /// A distributed router lives on every dvr/dvr_snat host with a DVR-serviced port (compute, DHCP, SNAT) that
    /// has a fixed IP on one of the router's subnets (Neutron schedules DVR routers that way, and with
    /// host_dvr_for_dhcp the DHCP host counts), plus the SNAT host of its external gateway.
    /// A legacy router lives on the hosts its interface ports are bound to, plus its gateway host.
    /// </summary>
    public static ImmutableSortedSet<string> HostsOfRouter(this Topology topology, Router router) =>
        PlaceRouters(topology, [router])[router.Name];

    /// <summary>Every router's hosts (<see cref="HostsOfRouter"/>) at once, in one pass over the ports.</summary>
    public static ImmutableSortedDictionary<string, ImmutableSortedSet<string>> HostsOfRouters(this Topology topology) =>
        PlaceRouters(topology, topology.Routers);

    /// <summary>Routers that exist on <paramref name="host"/>, sorted by name.</summary>
    public static ImmutableArray<Router> RoutersOnHost(this Topology topology, string host)
    {
        var placement = topology.HostsOfRouters();
        return topology.Routers.Where(r => placement[r.Name].Contains(host)).ToImmutableArray();
    }

    /// <summary>
    /// Networks present on <paramref name="host"/>, sorted by name: those it has a bound port on, those a router
    /// living on it has an interface on, and the external network of a gateway whose SNAT it does. Each of these
    /// needs a local VLAN there (neutron-dvr-flows.md §4).
    /// </summary>
    public static ImmutableSortedSet<string> NetworksOnHost(this Topology topology, string host) =>
        topology.NetworksByHost().GetValueOrDefault(host) ?? ImmutableSortedSet.Create<string>(StringComparer.Ordinal);

    /// <summary><see cref="NetworksOnHost"/> for every host at once (host name → networks), in one pass.</summary>
    public static ImmutableSortedDictionary<string, ImmutableSortedSet<string>> NetworksByHost(this Topology topology)
    {
        var networks = topology.Hosts.ToDictionary(h => h.Name, _ => ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        void Add(string host, string network)
        {
            if (networks.TryGetValue(host, out var set))
            {
                set.Add(network);
            }
        }

        foreach (var port in topology.Ports)
        {
            if (port.Host is not null)
            {
                Add(port.Host, port.Network);
            }
        }

        var interfacesByRouter = topology.Ports.Where(p => p.IsRouterInterface && p.Router is not null).ToLookup(p => p.Router!, StringComparer.Ordinal);
        foreach (var (routerName, hosts) in topology.HostsOfRouters())
        {
            var router = topology.GetRouter(routerName);
            foreach (string host in hosts)
            {
                foreach (var port in interfacesByRouter[routerName])
                {
                    Add(host, port.Network);
                }

                if (router.ExternalGateway is { } gateway && string.Equals(gateway.SnatHost, host, StringComparison.Ordinal))
                {
                    Add(host, gateway.Network);
                }
            }
        }

        return networks.ToImmutableSortedDictionary(kv => kv.Key, kv => kv.Value.ToImmutable(), StringComparer.Ordinal);
    }

    // One pass over the ports places every router in `routers`; linear in the topology size, so compiling or
    // validating a large cloud does not pay routers × ports × hosts.
    private static ImmutableSortedDictionary<string, ImmutableSortedSet<string>> PlaceRouters(Topology topology, IEnumerable<Router> routers)
    {
        var placement = new Dictionary<string, ImmutableSortedSet<string>.Builder>(StringComparer.Ordinal);
        var distributedBySubnet = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var wanted = new Dictionary<string, Router>(StringComparer.Ordinal);
        foreach (var router in routers)
        {
            wanted[router.Name] = router;
            var hosts = placement[router.Name] = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
            if (router.ExternalGateway is { } gateway)
            {
                hosts.Add(gateway.SnatHost);
            }
        }

        foreach (var port in topology.Ports)
        {
            if (!port.IsRouterInterface || port.Router is null || !wanted.TryGetValue(port.Router, out var router))
            {
                continue;
            }

            if (!router.Distributed)
            {
                if (port.Host is not null)
                {
                    placement[router.Name].Add(port.Host);
                }

                continue;
            }

            foreach (var fixedIp in port.FixedIps)
            {
                if (!distributedBySubnet.TryGetValue(fixedIp.Subnet, out var list))
                {
                    distributedBySubnet[fixedIp.Subnet] = list = [];
                }

                list.Add(router.Name);
            }
        }

        var dvrHosts = topology.Hosts.Where(h => h.AgentMode != AgentMode.Legacy).Select(h => h.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var port in topology.Ports)
        {
            if (port.Host is null || !port.IsDvrServiced || !dvrHosts.Contains(port.Host))
            {
                continue;
            }

            foreach (var fixedIp in port.FixedIps)
            {
                if (distributedBySubnet.TryGetValue(fixedIp.Subnet, out var served))
                {
                    foreach (string routerName in served)
                    {
                        placement[routerName].Add(port.Host);
                    }
                }
            }
        }

        return placement.ToImmutableSortedDictionary(kv => kv.Key, kv => kv.Value.ToImmutable(), StringComparer.Ordinal);
    }
}
