using System.Collections.Immutable;
using System.Net;
using Dvr.DvrFlows.Topology;
using Dvr.OpenFlow;

namespace Dvr.DvrFlows.Tests.Compiler;

/// <summary>Topologies built in code: the worked example of neutron-dvr-flows.md §5 and variants of it.</summary>
internal static class TestTopologies
{
    public static Host Host(string name, AgentMode mode, string ip, string dvrMac, int index, params string[] physnets) =>
        new(name, mode, IPAddress.Parse(ip), MacAddress.Parse(dvrMac),
            new BridgeRef("br-int", 0x100UL + (ulong)index), new BridgeRef("br-tun", 0x200UL + (ulong)index),
            physnets.ToImmutableSortedDictionary(p => p, p => new BridgeRef(p == "external" ? "br-ex" : "br-" + p, 0x300UL + (ulong)index), StringComparer.Ordinal));

    public static Port Port(string name, string network, string iface, string mac, DeviceOwner owner, string? host, string? router, params (string Subnet, string Ip)[] ips) =>
        new(name, network, iface, MacAddress.Parse(mac), [.. ips.Select(i => new FixedIp(i.Subnet, IPAddress.Parse(i.Ip)))],
            owner, host, router, [], AdminStateUp: true, PortSecurity: owner == DeviceOwner.Compute);

    public static Subnet Subnet(string name, string network, string cidr, string? gateway) =>
        new(name, network, IpPrefix.Parse(cidr), gateway is null ? null : IPAddress.Parse(gateway), null);

    /// <summary>Sorts every collection by name, as the loader does.</summary>
    public static global::Dvr.DvrFlows.Topology.Topology Make(IEnumerable<Host> hosts, IEnumerable<Network> networks, IEnumerable<Subnet> subnets, IEnumerable<Router> routers, IEnumerable<Port> ports) =>
        new(GlobalSettings.Default,
            [.. hosts.OrderBy(h => h.Name, StringComparer.Ordinal)],
            [.. networks.OrderBy(n => n.Name, StringComparer.Ordinal)],
            [.. subnets.OrderBy(s => s.Name, StringComparer.Ordinal)],
            [.. routers.OrderBy(r => r.Name, StringComparer.Ordinal)],
            [.. ports.OrderBy(p => p.Name, StringComparer.Ordinal)]);

    /// <summary>
    /// neutron-dvr-flows.md §5, with the local VLANs of the replay pinned (CN1 RED=1 GREEN=2, CN2 GREEN=1 RED=2).
    /// </summary>
    public static global::Dvr.DvrFlows.Topology.Topology WorkedExample()
    {
        var hosts = new[]
        {
            Host("cn1", AgentMode.Dvr, "192.0.2.11", "fa:16:3f:11:11:11", 0x11, "external") with { LocalVlanPins = Pins(("red", 1), ("green", 2)) },
            Host("cn2", AgentMode.Dvr, "192.0.2.12", "fa:16:3f:22:22:22", 0x12, "external") with { LocalVlanPins = Pins(("green", 1), ("red", 2)) },
            Host("nn", AgentMode.DvrSnat, "192.0.2.13", "fa:16:3f:33:33:33", 0x13, "external") with { LocalVlanPins = Pins(("green", 1), ("red", 2)) },
        };
        var networks = new[] { new Network("red", NetworkType.Vxlan, 1001, null), new Network("green", NetworkType.Vxlan, 1002, null) };
        var subnets = new[] { Subnet("red-v4", "red", "10.0.1.0/24", "10.0.1.1") with { DhcpPort = "dhcp-red" }, Subnet("green-v4", "green", "10.0.2.0/24", "10.0.2.1") with { DhcpPort = "dhcp-green" } };
        var routers = new[] { new Router("r", true, null) };
        var ports = new[]
        {
            Port("qr-red", "red", "qr-red", "fa:16:3e:00:01:01", DeviceOwner.RouterInterfaceDistributed, null, "r", ("red-v4", "10.0.1.1")),
            Port("qr-green", "green", "qr-green", "fa:16:3e:00:02:01", DeviceOwner.RouterInterfaceDistributed, null, "r", ("green-v4", "10.0.2.1")),
            Port("vm1", "red", "qvovm1", "fa:16:3e:00:01:10", DeviceOwner.Compute, "cn1", null, ("red-v4", "10.0.1.10")),
            Port("vm2", "green", "qvovm2", "fa:16:3e:00:02:20", DeviceOwner.Compute, "cn2", null, ("green-v4", "10.0.2.20")),
            Port("dhcp-red", "red", "tapdhcp-red", "fa:16:3e:00:01:02", DeviceOwner.Dhcp, "nn", null, ("red-v4", "10.0.1.2")),
            Port("dhcp-green", "green", "tapdhcp-green", "fa:16:3e:00:02:02", DeviceOwner.Dhcp, "nn", null, ("green-v4", "10.0.2.2")),
        };
        return Make(hosts, networks, subnets, routers, ports);
    }

    /// <summary>
    /// A richer cloud: tunnel + VLAN + flat networks, an IPv6 subnet, allowed address pairs, an admin-down port,
    /// a router with an external gateway and SNAT port on the dvr_snat host, a legacy router, a legacy-mode host.
    /// </summary>
    public static global::Dvr.DvrFlows.Topology.Topology Mixed()
    {
        var hosts = new[]
        {
            Host("cn1", AgentMode.Dvr, "192.0.2.11", "fa:16:3f:11:11:11", 0x11, "external", "physnet1"),
            Host("cn2", AgentMode.Dvr, "192.0.2.12", "fa:16:3f:22:22:22", 0x12, "external", "physnet1"),
            Host("nn", AgentMode.DvrSnat, "192.0.2.13", "fa:16:3f:33:33:33", 0x13, "external", "physnet1"),
            Host("old", AgentMode.Legacy, "192.0.2.14", "fa:16:3f:44:44:44", 0x14, "physnet1"),
        };
        var networks = new[]
        {
            new Network("red", NetworkType.Vxlan, 1001, null),
            new Network("blue", NetworkType.Vlan, 101, "physnet1"),
            new Network("flat", NetworkType.Flat, null, "physnet1"),
            new Network("ext", NetworkType.Flat, null, "external"),
            new Network("legacy-net", NetworkType.Vxlan, 2001, null),
        };
        var subnets = new[]
        {
            Subnet("red-v4", "red", "10.0.1.0/24", "10.0.1.1"),
            Subnet("red-v6", "red", "2001:db8:1::/64", "2001:db8:1::1"),
            Subnet("blue-v4", "blue", "10.0.3.0/24", "10.0.3.1"),
            Subnet("flat-v4", "flat", "10.0.4.0/24", "10.0.4.1"),
            Subnet("ext-v4", "ext", "203.0.113.0/24", "203.0.113.1"),
            Subnet("legacy-v4", "legacy-net", "10.9.0.0/24", "10.9.0.1"),
        };
        var routers = new[]
        {
            new Router("r", true, new ExternalGateway("ext", IPAddress.Parse("203.0.113.10"), MacAddress.Parse("fa:16:3e:99:00:01"), "nn", "qg-r")),
            new Router("lr", false, null),
        };
        var vm1 = Port("vm1", "red", "qvovm1", "fa:16:3e:00:01:10", DeviceOwner.Compute, "cn1", null, ("red-v4", "10.0.1.10"), ("red-v6", "2001:db8:1::10")) with
        {
            AllowedAddressPairs = [new AllowedAddressPair(IpPrefix.Parse("10.0.1.100/32"), MacAddress.Parse("fa:16:3e:00:01:aa")), new AllowedAddressPair(IpPrefix.Parse("10.0.1.128/25"), null)],
        };
        var ports = new[]
        {
            Port("qr-red", "red", "qr-red", "fa:16:3e:00:01:01", DeviceOwner.RouterInterfaceDistributed, null, "r", ("red-v4", "10.0.1.1"), ("red-v6", "2001:db8:1::1")),
            Port("qr-blue", "blue", "qr-blue", "fa:16:3e:00:03:01", DeviceOwner.RouterInterfaceDistributed, null, "r", ("blue-v4", "10.0.3.1")),
            Port("qr-flat", "flat", "qr-flat", "fa:16:3e:00:04:01", DeviceOwner.RouterInterfaceDistributed, null, "r", ("flat-v4", "10.0.4.1")),
            Port("sg-red", "red", "sg-red", "fa:16:3e:00:01:05", DeviceOwner.RouterCentralizedSnat, "nn", "r", ("red-v4", "10.0.1.5")),
            Port("qg-r", "ext", "qg-r", "fa:16:3e:99:00:01", DeviceOwner.RouterGateway, "nn", "r", ("ext-v4", "203.0.113.10")),
            vm1,
            Port("vm2", "blue", "qvovm2", "fa:16:3e:00:03:20", DeviceOwner.Compute, "cn2", null, ("blue-v4", "10.0.3.20")),
            Port("vm3", "flat", "qvovm3", "fa:16:3e:00:04:30", DeviceOwner.Compute, "cn2", null, ("flat-v4", "10.0.4.30")),
            Port("vm4", "red", "qvovm4", "fa:16:3e:00:01:40", DeviceOwner.Compute, "cn2", null, ("red-v4", "10.0.1.40")) with { PortSecurity = false },
            Port("vm5", "blue", "qvovm5", "fa:16:3e:00:03:50", DeviceOwner.Compute, "cn1", null, ("blue-v4", "10.0.3.50")) with { AdminStateUp = false },
            Port("vm6", "legacy-net", "qvovm6", "fa:16:3e:00:09:60", DeviceOwner.Compute, "old", null, ("legacy-v4", "10.9.0.60")),
            Port("vm7", "legacy-net", "qvovm7", "fa:16:3e:00:09:70", DeviceOwner.Compute, "cn1", null, ("legacy-v4", "10.9.0.70")),
            Port("qr-legacy", "legacy-net", "qr-legacy", "fa:16:3e:00:09:01", DeviceOwner.RouterInterface, "nn", "lr", ("legacy-v4", "10.9.0.1")),
            Port("vm8", "red", "qvovm8", "fa:16:3e:00:01:80", DeviceOwner.Compute, "old", null, ("red-v4", "10.0.1.80")),
        };
        return Make(hosts, networks, subnets, routers, ports);
    }

    private static ImmutableSortedDictionary<string, int> Pins(params (string Network, int Vlan)[] pins) =>
        pins.ToImmutableSortedDictionary(p => p.Network, p => p.Vlan, StringComparer.Ordinal);
}
