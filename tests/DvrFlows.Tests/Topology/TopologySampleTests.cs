using System.Net;
using Dvr.DvrFlows.Topology;
using Dvr.OpenFlow;
using NUnit.Framework;
using static Dvr.DvrFlows.Tests.Topology.TopologyTestFiles;

namespace Dvr.DvrFlows.Tests.Topology;

/// <summary>The shipped samples load into exactly the cloud their comments describe.</summary>
[TestFixture]
public sealed class TopologySampleTests
{
    [Test]
    public void Load_WorkedExample_MatchesNeutronDvrFlowsSection5()
    {
        var topology = TopologyLoader.Load(Sample("worked-example.yaml"));

        Assert.Multiple(() =>
        {
            Assert.That(topology.Hosts.Select(h => (h.Name, h.AgentMode, h.TunnelIp.ToString(), h.DvrMac.ToString())), Is.EqualTo(new[]
            {
                ("cn1", AgentMode.Dvr, "192.0.2.11", "fa:16:3f:11:11:11"),
                ("cn2", AgentMode.Dvr, "192.0.2.12", "fa:16:3f:22:22:22"),
                ("nn", AgentMode.DvrSnat, "192.0.2.13", "fa:16:3f:33:33:33"),
            }));
            Assert.That(topology.GetHost("cn1").Integration, Is.EqualTo(new BridgeRef("br-int", 0x111)));
            Assert.That(topology.GetHost("cn1").Tunnel, Is.EqualTo(new BridgeRef("br-tun", 0x211)));
            Assert.That(topology.GetHost("nn").BridgeFor("external"), Is.EqualTo(new BridgeRef("br-ex", 0x313)));
            Assert.That(topology.Networks.Select(n => (n.Name, n.SegmentationId)), Is.EqualTo(new[] { ("green", (uint?)1002), ("red", (uint?)1001) }));
            Assert.That(topology.Ports.Select(p => p.Name), Is.EqualTo(new[] { "dhcp-green", "dhcp-red", "qr-green", "qr-red", "vm1", "vm2" }));
            Assert.That(topology.GetRouter("r").Distributed, Is.True);
            Assert.That(topology.HostsOfRouter(topology.GetRouter("r")), Is.EqualTo(new[] { "cn1", "cn2", "nn" }));
            Assert.That(topology.GetSubnet("red-v4").DhcpPort, Is.EqualTo("dhcp-red"));
            Assert.That(topology.GetPort("vm1").PortSecurity, Is.True);
            Assert.That(topology.GetPort("dhcp-red").PortSecurity, Is.False);
            Assert.That(topology.SourcePath, Does.EndWith("worked-example.yaml"));
        });
    }

    [Test]
    public void LocalVlans_WorkedExample_AreNeutronsNumbers()
    {
        var topology = TopologyLoader.Load(Sample("worked-example.yaml"));

        var byHost = LocalVlanAllocator.LocalVlansByHost(topology);

        Assert.Multiple(() =>
        {
            Assert.That(byHost["cn1"], Is.EqualTo(new Dictionary<string, int> { ["red"] = 1, ["green"] = 2 }));
            Assert.That(byHost["cn2"], Is.EqualTo(new Dictionary<string, int> { ["green"] = 1, ["red"] = 2 }));
            Assert.That(byHost["nn"], Is.EqualTo(new Dictionary<string, int> { ["red"] = 1, ["green"] = 2 }));
        });
    }

    [Test]
    public void Load_Demo3Host_MatchesTheTestbedLayout()
    {
        var topology = TopologyLoader.Load(Sample("demo-3host.yaml"));

        Assert.Multiple(() =>
        {
            Assert.That(topology.Hosts.Select(h => (h.Name, h.AgentMode)), Is.EqualTo(new[]
            {
                ("cn1", AgentMode.Dvr), ("cn2", AgentMode.Dvr), ("nn", AgentMode.DvrSnat),
            }));
            for (int i = 1; i <= 3; i++)
            {
                var host = topology.Hosts[i - 1];
                Assert.That(host.TunnelIp, Is.EqualTo(IPAddress.Parse($"192.0.2.{i}")));
                Assert.That(host.DvrMac, Is.EqualTo(MacAddress.Parse($"fa:16:3f:00:00:0{i}")));
                Assert.That(host.DvrMacAllocated, Is.False);
                Assert.That(host.Integration, Is.EqualTo(new BridgeRef("br-int", 0x100UL + (ulong)i)));
                Assert.That(host.Tunnel, Is.EqualTo(new BridgeRef("br-tun", 0x200UL + (ulong)i)));
                Assert.That(host.PhysicalBridges.Keys, Is.EqualTo(new[] { "external" }));
                Assert.That(host.BridgeFor("external"), Is.EqualTo(new BridgeRef("br-ex", 0x300UL + (ulong)i)));
            }

            Assert.That(topology.Networks.Select(n => (n.Name, n.Type, n.SegmentationId, n.PhysicalNetwork)), Is.EqualTo(new[]
            {
                ("blue", NetworkType.Vxlan, (uint?)1003, (string?)null),
                ("ext", NetworkType.Flat, null, "external"),
                ("green", NetworkType.Vxlan, 1002, null),
                ("red", NetworkType.Vxlan, 1001, null),
            }));
            Assert.That(topology.Subnets.Select(s => (s.Name, s.Cidr.ToString(), s.GatewayIp?.ToString())), Is.EqualTo(new[]
            {
                ("blue-v4", "10.0.3.0/24", "10.0.3.1"),
                ("ext-v4", "203.0.113.0/24", "203.0.113.1"),
                ("green-v4", "10.0.2.0/24", "10.0.2.1"),
                ("red-v4", "10.0.1.0/24", "10.0.1.1"),
            }));

            var r1 = topology.GetRouter("r1");
            Assert.That(r1.Distributed, Is.True);
            Assert.That(r1.ExternalGateway, Is.EqualTo(new ExternalGateway("ext", IPAddress.Parse("203.0.113.10"), MacAddress.Parse("fa:16:3e:00:ff:01"), "nn", "qg-r1")));
            Assert.That(topology.RouterInterfaces("r1").Select(p => p.Network), Is.EqualTo(new[] { "green", "red" }));
            Assert.That(topology.SnatPorts("r1").Select(p => (p.Network, p.Host)), Is.EqualTo(new[] { ("green", (string?)"nn"), ("red", "nn") }));
            Assert.That(topology.HostsOfRouter(r1), Is.EqualTo(new[] { "cn1", "cn2", "nn" }));

            var legacy = topology.GetRouter("r-legacy");
            Assert.That(legacy.Distributed, Is.False);
            Assert.That(topology.RouterInterfaces("r-legacy").Select(p => (p.Network, p.Host, p.DeviceOwner)), Is.EqualTo(new[] { ("blue", (string?)"nn", DeviceOwner.RouterInterface) }));
            Assert.That(topology.HostsOfRouter(legacy), Is.EqualTo(new[] { "nn" }));

            var vms = new[] { ("vm1", "red", "cn1"), ("vm2", "green", "cn2"), ("vm3", "green", "cn1"), ("vm4", "red", "cn2"), ("vm5", "blue", "cn1"), ("vm6", "blue", "cn2") };
            Assert.That(topology.Ports.Where(p => p.DeviceOwner == DeviceOwner.Compute).Select(p => (p.Name, p.Network, p.Host!)), Is.EqualTo(vms));
            Assert.That(topology.Ports.All(p => p.Interface.Length <= 15 && DvrMacAllocator.IsInPortMacRange(p.Mac)), Is.True);
            Assert.That(topology.Ports.Select(p => p.Mac).Distinct().Count(), Is.EqualTo(topology.Ports.Length));
            Assert.That(topology.Ports.Any(p => p.DeviceOwner == DeviceOwner.Dhcp), Is.False);

            Assert.That(topology.NetworksOnHost("cn1"), Is.EqualTo(new[] { "blue", "green", "red" }));
            Assert.That(topology.NetworksOnHost("cn2"), Is.EqualTo(new[] { "blue", "green", "red" }));
            Assert.That(topology.NetworksOnHost("nn"), Is.EqualTo(new[] { "blue", "ext", "green", "red" }));
        });
    }

    [Test]
    public void LocalVlans_Demo3Host_DistinctPerHostAndConsistentAcrossHosts()
    {
        var topology = TopologyLoader.Load(Sample("demo-3host.yaml"));

        var byHost = LocalVlanAllocator.LocalVlansByHost(topology);

        foreach (var (host, vlans) in byHost)
        {
            Assert.That(vlans.Keys, Is.EqualTo(topology.NetworksOnHost(host)), host);
            Assert.That(vlans.Values.Distinct().Count(), Is.EqualTo(vlans.Count), host);
            Assert.That(vlans.Values, Has.All.InRange(1, 4094), host);
        }

        // No preferred-VLAN collision among these four names, so each network has one VLAN on every host.
        Assert.That(byHost["cn1"]["red"], Is.EqualTo(byHost["nn"]["red"]));
        Assert.That(byHost["cn2"]["blue"], Is.EqualTo(byHost["nn"]["blue"]));
    }

    [Test]
    public void Load_OptionalFields_GetTheirDocumentedDefaults()
    {
        string yaml = Base
            .ReplaceOnce("global:\n  router_distributed: true\n  dvr_base_mac: fa:16:3f:00:00:00\n", "global:\n  router_distributed: false\n")
            .ReplaceOnce("routers:\n  - name: r1\n", "routers:\n  - name: r2\n  - name: r1\n    distributed: true\n")
            .ReplaceOnce("integration: { name: br-int, datapath_id: 0x101 }", "integration: { datapath_id: 0x101 }")
            .ReplaceOnce("device_owner: compute:nova\n    host: cn1\n  - name: vm2", "device_owner: compute:az-1\n    host: cn1\n    admin_state_up: false\n  - name: vm2");

        var topology = TopologyLoader.LoadFromString(yaml, FileName);

        Assert.Multiple(() =>
        {
            Assert.That(topology.Global, Is.EqualTo(GlobalSettings.Default with { RouterDistributed = false }));
            Assert.That(topology.GetRouter("r1").Distributed, Is.True);
            Assert.That(topology.GetRouter("r2").Distributed, Is.False, "router_distributed: false is the default");
            Assert.That(topology.GetHost("cn1").Integration.Name, Is.EqualTo("br-int"));
            Assert.That(topology.GetPort("vm1").DeviceOwner, Is.EqualTo(DeviceOwner.Compute));
            Assert.That(topology.GetPort("vm1").AdminStateUp, Is.False);
            Assert.That(topology.GetPort("vm2").AdminStateUp, Is.True);
            Assert.That(topology.GetPort("vm2").PortSecurity, Is.True, "compute ports default to port security on");
            Assert.That(topology.GetPort("sg-red").PortSecurity, Is.False, "network:* ports default to port security off");
            Assert.That(topology.GetPort("qr-red").Host, Is.Null);
            Assert.That(topology.GetPort("vm2").AllowedAddressPairs, Is.Empty);
        });
    }

    [Test]
    public void Load_AllowedAddressPairs_AcceptAddressesAndPrefixes()
    {
        string yaml = Base.ReplaceOnce("    host: cn1\n  - name: vm2", """
                host: cn1
                allowed_address_pairs:
                  - { ip_address: 10.0.1.100 }
                  - { ip_address: 10.0.1.128/25, mac_address: fa:16:3e:00:01:99 }
                port_security: false
              - name: vm2
            """);

        var vm1 = TopologyLoader.LoadFromString(yaml, FileName).GetPort("vm1");

        Assert.That(vm1.AllowedAddressPairs, Is.EqualTo(new[]
        {
            new AllowedAddressPair(IpPrefix.Parse("10.0.1.100/32"), null),
            new AllowedAddressPair(IpPrefix.Parse("10.0.1.128/25"), MacAddress.Parse("fa:16:3e:00:01:99")),
        }));
        Assert.That(vm1.PortSecurity, Is.False);
    }

    [Test]
    public void Load_Ipv6Subnet_Accepted()
    {
        string yaml = Base
            .ReplaceOnce("  - { name: ext-v4,", "  - { name: red-v6, network: red, cidr: 2001:db8:1::/64, gateway_ip: 2001:db8:1::1 }\n  - { name: ext-v4,")
            .ReplaceOnce("fixed_ips: [{ subnet: red-v4, ip: 10.0.1.10 }]", "fixed_ips: [{ subnet: red-v4, ip: 10.0.1.10 }, { subnet: red-v6, ip: 2001:db8:1::10 }]");

        var topology = TopologyLoader.LoadFromString(yaml, FileName);

        Assert.That(topology.GetSubnet("red-v6").Cidr.IsIpv6, Is.True);
        Assert.That(topology.GetPort("vm1").FixedIps[1], Is.EqualTo(new FixedIp("red-v6", IPAddress.Parse("2001:db8:1::10"))));
    }

    [Test]
    public void Load_Collections_AreSortedByName()
    {
        var topology = TopologyLoader.Load(Sample("demo-3host.yaml"));

        Assert.Multiple(() =>
        {
            Assert.That(topology.Hosts.Select(h => h.Name), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
            Assert.That(topology.Networks.Select(n => n.Name), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
            Assert.That(topology.Subnets.Select(s => s.Name), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
            Assert.That(topology.Routers.Select(r => r.Name), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
            Assert.That(topology.Ports.Select(p => p.Name), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
        });
    }

    [Test]
    public void Load_MissingFile_ThrowsFileNotFound()
    {
        Assert.That(() => TopologyLoader.Load(Path.Combine(RepoRoot, "samples", "no-such-file.yaml")), Throws.InstanceOf<FileNotFoundException>());
    }
}
