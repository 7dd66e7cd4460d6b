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
    public static ImmutableSortedSet<string> HostsOfRouter(this Topology topology, Router router)
    {
        var hosts = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
        if (router.ExternalGateway is { } gateway)
        {
            hosts.Add(gateway.SnatHost);
        }

        var interfaces = topology.RouterInterfaces(router.Name);
        if (!router.Distributed)
        {
            foreach (var port in interfaces)
            {
                if (port.Host is not null)
                {
                    hosts.Add(port.Host);
                }
            }

            return hosts.ToImmutable();
        }

        var routedSubnets = interfaces.SelectMany(p => p.FixedIps).Select(f => f.Subnet).ToHashSet(StringComparer.Ordinal);
        foreach (var port in topology.Ports)
        {
            if (port.Host is null || !port.IsDvrServiced || !port.FixedIps.Any(f => routedSubnets.Contains(f.Subnet)))
            {
                continue;
            }

            var host = topology.FindHost(port.Host);
            if (host is not null && host.AgentMode != AgentMode.Legacy)
            {
                hosts.Add(port.Host);
            }
        }

        return hosts.ToImmutable();
    }

    /// <summary>Routers that exist on <paramref name="host"/>, sorted by name.</summary>
    public static ImmutableArray<Router> RoutersOnHost(this Topology topology, string host) =>
        topology.Routers.Where(r => topology.HostsOfRouter(r).Contains(host)).ToImmutableArray();

    /// <summary>
    /// Networks present on <paramref name="host"/>, sorted by name: those it has a bound port on, those a router
    /// living on it has an interface on, and the external network of a gateway whose SNAT it does. Each of these
    /// needs a local VLAN there (neutron-dvr-flows.md §4).
    /// </summary>
    public static ImmutableSortedSet<string> NetworksOnHost(this Topology topology, string host)
    {
        var networks = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
        foreach (var port in topology.Ports)
        {
            if (string.Equals(port.Host, host, StringComparison.Ordinal))
            {
                networks.Add(port.Network);
            }
        }

        foreach (var router in topology.RoutersOnHost(host))
        {
            foreach (var port in topology.RouterInterfaces(router.Name))
            {
                networks.Add(port.Network);
            }

            if (router.ExternalGateway is { } gateway && string.Equals(gateway.SnatHost, host, StringComparison.Ordinal))
            {
                networks.Add(gateway.Network);
            }
        }

        return networks.ToImmutable();
    }
}
