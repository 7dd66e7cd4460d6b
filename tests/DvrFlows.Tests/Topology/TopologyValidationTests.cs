using NUnit.Framework;
using Dvr.DvrFlows.Topology;
using static Dvr.DvrFlows.Tests.Topology.TopologyTestFiles;

namespace Dvr.DvrFlows.Tests.Topology;

/// <summary>Each validation rule, with the exact file position and field path of its error.</summary>
[TestFixture]
public sealed class TopologyValidationTests
{
    /// <summary>Asserts exactly one error, at (<paramref name="line"/>, <paramref name="column"/>), naming <paramref name="path"/>.</summary>
    private static TopologyError SingleError(string yaml, (int Line, int Column) at, string path, string messagePart)
    {
        var errors = ErrorsOf(yaml);
        Assert.That(errors, Has.Count.EqualTo(1), () => string.Join("\n", errors));
        var error = errors[0];
        Assert.Multiple(() =>
        {
            Assert.That(error.Location.File, Is.EqualTo(FileName));
            Assert.That((error.Location.Line, error.Location.Column), Is.EqualTo(at), error.ToString());
            Assert.That(error.Location.Path, Is.EqualTo(path));
            Assert.That(error.Message, Does.Contain(messagePart));
        });
        return error;
    }

    [Test]
    public void Load_Base_IsValid()
    {
        var topology = TopologyLoader.LoadFromString(Base, FileName);

        Assert.That(topology.Ports, Has.Length.EqualTo(5));
    }

    [Test]
    public void Load_UnknownKey_ReportedAtTheKey()
    {
        string yaml = Base.ReplaceOnce("    tunnel_ip: 192.0.2.3\n", "    tunnel_ip: 192.0.2.3\n    tunel_mtu: 1450\n");

        var error = SingleError(yaml, PositionOf(yaml, "tunel_mtu"), "hosts[1].tunel_mtu", "unknown key 'tunel_mtu'");

        Assert.That(error.Message, Does.Contain("tunnel_ip"));
    }

    [Test]
    public void Load_UnknownTopLevelKey_ReportedAtTheKey()
    {
        string yaml = Base + "\nfloating_ips: []\n";

        SingleError(yaml, PositionOf(yaml, "floating_ips"), "floating_ips", "unknown key 'floating_ips'");
    }

    [Test]
    public void Load_QuotedInteger_IsAWrongType()
    {
        string yaml = Base.ReplaceOnce("segmentation_id: 1001", "segmentation_id: \"1001\"");

        SingleError(yaml, PositionOf(yaml, "\"1001\""), "networks[0].segmentation_id", "unquoted integer");
    }

    [Test]
    public void Load_MappingWhereListExpected_IsAWrongType()
    {
        string yaml = Base.ReplaceOnce("    fixed_ips: [{ subnet: red-v4, ip: 10.0.1.10 }]", "    fixed_ips: { subnet: red-v4, ip: 10.0.1.10 }");

        SingleError(yaml, PositionOf(yaml, "{ subnet: red-v4, ip: 10.0.1.10 }"), "ports[3].fixed_ips", "expected a list");
    }

    [Test]
    public void Load_BadBoolean_IsAWrongType()
    {
        string yaml = Base.ReplaceOnce("router_distributed: true", "router_distributed: yes");

        SingleError(yaml, PositionOf(yaml, "yes"), "global.router_distributed", "expected true or false");
    }

    [Test]
    public void Load_MissingRequiredField_ReportedAtTheEnclosingMapping()
    {
        string yaml = Base.ReplaceOnce("    tunnel_ip: 192.0.2.3\n", string.Empty);

        SingleError(yaml, PositionOf(yaml, "name: nn"), "hosts[1].tunnel_ip", "missing required field 'tunnel_ip'");
    }

    [Test]
    public void Load_MissingHosts_Reported()
    {
        string yaml = "networks: []\n";

        SingleError(yaml, (1, 1), "hosts", "missing required field 'hosts'");
    }

    [Test]
    public void Load_DuplicateHostName_ReportedAtTheSecondName()
    {
        string yaml = Base.ReplaceOnce("name: nn", "name: cn1").Replace("snat_host: nn", "snat_host: cn1", StringComparison.Ordinal).Replace("host: nn", "host: cn1", StringComparison.Ordinal);

        var errors = ErrorsOf(yaml);

        var duplicate = errors.Single(e => e.Message.Contains("duplicate host name", StringComparison.Ordinal));
        Assert.That((duplicate.Location.Line, duplicate.Location.Column), Is.EqualTo(PositionOf(yaml, "  - name: cn1\n    agent_mode: dvr_snat", 10)));
        Assert.That(duplicate.Location.Path, Is.EqualTo("hosts[1].name"));
    }

    [Test]
    public void Load_DuplicatePortName_ReportedAtTheSecondName()
    {
        string yaml = Base.ReplaceOnce("name: vm2", "name: vm1");

        SingleError(yaml, PositionOf(yaml, "vm1\n    network: green"), "ports[4].name", "duplicate port name 'vm1'");
    }

    [Test]
    public void Load_UnknownHostReference_ReportedAtTheReference()
    {
        string yaml = Base.ReplaceOnce("    host: cn1\n  - name: vm2", "    host: cn9\n  - name: vm2");

        SingleError(yaml, PositionOf(yaml, "cn9"), "ports[3].host", "unknown host 'cn9'");
    }

    [Test]
    public void Load_UnknownSubnetReference_ReportedAtTheReference()
    {
        string yaml = Base.ReplaceOnce("{ subnet: green-v4, ip: 10.0.2.20 }", "{ subnet: blue-v4, ip: 10.0.2.20 }");

        SingleError(yaml, PositionOf(yaml, "blue-v4"), "ports[4].fixed_ips[0].subnet", "unknown subnet 'blue-v4'");
    }

    [Test]
    public void Load_UnknownNetworkOfSubnet_ReportedAtTheReference()
    {
        string yaml = Base.ReplaceOnce("{ name: green-v4, network: green,", "{ name: green-v4, network: grene,");

        var errors = ErrorsOf(yaml);

        var unknown = errors.Single(e => e.Message.Contains("unknown network 'grene'", StringComparison.Ordinal));
        Assert.That((unknown.Location.Line, unknown.Location.Column), Is.EqualTo(PositionOf(yaml, "grene")));
        Assert.That(unknown.Location.Path, Is.EqualTo("subnets[1].network"));
    }

    [Test]
    public void Load_UnknownSnatHost_ReportedAtTheReference()
    {
        string yaml = Base.ReplaceOnce("snat_host: nn", "snat_host: nn2").ReplaceOnce("    host: nn\n", "    host: nn2\n").Replace("name: nn", "name: nn2", StringComparison.Ordinal)
            .ReplaceOnce("snat_host: nn2", "snat_host: nx");

        var errors = ErrorsOf(yaml);

        var unknown = errors.First(e => e.Location.Path == "routers[0].external_gateway.snat_host");
        Assert.That(unknown.Message, Does.Contain("unknown host 'nx'"));
        Assert.That((unknown.Location.Line, unknown.Location.Column), Is.EqualTo(PositionOf(yaml, "nx")));
    }

    [Test]
    public void Load_DuplicateMac_ReportedAtTheLaterPort()
    {
        string yaml = Base.ReplaceOnce("mac: fa:16:3e:00:02:20", "mac: fa:16:3e:00:01:10");

        var error = SingleError(yaml, PositionOf(yaml, "fa:16:3e:00:01:10\n    fixed_ips: [{ subnet: green-v4"), "ports[4].mac", "duplicate MAC fa:16:3e:00:01:10");

        Assert.That(error.Message, Does.Contain("port 'vm1'"));
    }

    [Test]
    public void Load_DuplicateIpOnANetwork_ReportedAtTheLaterAddress()
    {
        string yaml = Base.ReplaceOnce("ip: 10.0.1.10", "ip: 10.0.1.3");

        SingleError(yaml, PositionOf(yaml, "10.0.1.3 }]\n    device_owner: compute"), "ports[3].fixed_ips[0].ip", "duplicate IP 10.0.1.3 on network 'red'");
    }

    [Test]
    public void Load_IpOutsideItsSubnet_Reported()
    {
        string yaml = Base.ReplaceOnce("ip: 10.0.2.20", "ip: 10.0.3.20");

        SingleError(yaml, PositionOf(yaml, "10.0.3.20"), "ports[4].fixed_ips[0].ip", "outside subnet 'green-v4' (10.0.2.0/24)");
    }

    [Test]
    public void Load_GatewayIpOutsideCidr_Reported()
    {
        string yaml = Base.ReplaceOnce("gateway_ip: 10.0.2.1", "gateway_ip: 10.0.9.1");

        SingleError(yaml, PositionOf(yaml, "10.0.9.1"), "subnets[1].gateway_ip", "outside the subnet's cidr");
    }

    [Test]
    public void Load_ExternalGatewayIpOutsideExternalSubnets_Reported()
    {
        string yaml = Base.ReplaceOnce("ip: 203.0.113.10", "ip: 198.51.100.10");

        SingleError(yaml, PositionOf(yaml, "198.51.100.10"), "routers[0].external_gateway.ip", "outside every subnet of network 'ext'");
    }

    [Test]
    public void Load_VmHoldingTheGatewayIp_Reported()
    {
        string yaml = Base.ReplaceOnce("ip: 10.0.2.20", "ip: 10.0.2.1");

        var errors = ErrorsOf(yaml);

        Assert.That(errors.Select(e => e.Location.Path), Does.Contain("ports[4].fixed_ips[0].ip"));
        Assert.That(errors.Any(e => e.Message.Contains("gateway_ip of subnet 'green-v4'", StringComparison.Ordinal)), Is.True, () => string.Join("\n", errors));
    }

    [TestCase("segmentation_id: 1001", "segmentation_id: 16777216", "16777216", "networks[0].segmentation_id", "VNI 16777216 is out of range 1..16777215")]
    [TestCase("segmentation_id: 1001", "segmentation_id: 0", "segmentation_id: 0 }", "networks[0].segmentation_id", "VNI 0 is out of range")]
    [TestCase("segmentation_id: 1002", "segmentation_id: 1001", "1001 }\n  - { name: ext", "networks[1].segmentation_id", "VNI 1001 is already used by network 'red'")]
    public void Load_VniOutOfRangeOrReused_Reported(string from, string to, string marker, string path, string message)
    {
        string yaml = Base.ReplaceOnce(from, to);
        int valueOffset = marker.StartsWith("segmentation_id: ", StringComparison.Ordinal) ? "segmentation_id: ".Length : 0;

        SingleError(yaml, PositionOf(yaml, marker, valueOffset), path, message);
    }

    private const string VlanNetworks = """
          - { name: prov1, type: vlan, physical_network: external, segmentation_id: 101 }
          - { name: prov2, type: vlan, physical_network: external, segmentation_id: 102 }

        """;

    [Test]
    public void Load_VlanIdOutOfRange_Reported()
    {
        string yaml = Base.ReplaceOnce("subnets:\n", VlanNetworks + "subnets:\n").ReplaceOnce("segmentation_id: 102", "segmentation_id: 4095");

        SingleError(yaml, PositionOf(yaml, "4095"), "networks[4].segmentation_id", "VLAN id 4095 is out of range 1..4094");
    }

    [Test]
    public void Load_VlanIdReusedOnOnePhysnet_Reported()
    {
        string yaml = Base.ReplaceOnce("subnets:\n", VlanNetworks + "subnets:\n").ReplaceOnce("segmentation_id: 102", "segmentation_id: 101");
        const string secondNetwork = "prov2, type: vlan, physical_network: external, segmentation_id: ";

        SingleError(yaml, PositionOf(yaml, secondNetwork, secondNetwork.Length), "networks[4].segmentation_id", "VLAN 101 on physical network 'external' is already used by network 'prov1'");
    }

    [Test]
    public void Load_SameVlanIdOnDifferentPhysnets_IsValid()
    {
        string yaml = Base.ReplaceOnce("subnets:\n", VlanNetworks + "subnets:\n")
            .ReplaceOnce("prov2, type: vlan, physical_network: external, segmentation_id: 102", "prov2, type: vlan, physical_network: other, segmentation_id: 101");

        Assert.That(() => TopologyLoader.LoadFromString(yaml, FileName), Throws.Nothing);
    }

    [Test]
    public void Load_VlanNetworkWithoutPhysicalNetwork_Reported()
    {
        string yaml = Base.ReplaceOnce("subnets:\n", "  - { name: prov1, type: vlan, segmentation_id: 101 }\nsubnets:\n");

        SingleError(yaml, PositionOf(yaml, "{ name: prov1"), "networks[3].physical_network", "missing required field 'physical_network'");
    }

    [Test]
    public void Load_TwoFlatNetworksOnOnePhysnet_Reported()
    {
        string yaml = Base.ReplaceOnce("subnets:\n", "  - { name: ext2, type: flat, physical_network: external }\nsubnets:\n");

        SingleError(yaml, PositionOf(yaml, "external }\nsubnets"), "networks[3].physical_network", "already carries flat network 'ext'");
    }

    [Test]
    public void Load_TwoHostsWithOneDvrMac_Reported()
    {
        string yaml = Base.ReplaceOnce("dvr_mac: fa:16:3f:00:00:03", "dvr_mac: fa:16:3f:00:00:01");

        var error = SingleError(yaml, PositionOf(yaml, "fa:16:3f:00:00:01\n    bridges:\n      integration: { name: br-int, datapath_id: 0x103"), "hosts[1].dvr_mac", "two hosts with one DVR MAC");

        Assert.That(error.Message, Does.Contain("host 'cn1'"));
    }

    [Test]
    public void Load_DvrMacInsidePortMacRange_Reported()
    {
        string yaml = Base.ReplaceOnce("dvr_mac: fa:16:3f:00:00:03", "dvr_mac: fa:16:3e:99:00:03");

        SingleError(yaml, PositionOf(yaml, "fa:16:3e:99:00:03"), "hosts[1].dvr_mac", "inside Neutron's port MAC range fa:16:3e:00:00:00/ff:ff:ff:00:00:00");
    }

    [Test]
    public void Load_DvrBaseMacInsidePortMacRange_Reported()
    {
        string yaml = Base.ReplaceOnce("dvr_base_mac: fa:16:3f:00:00:00", "dvr_base_mac: fa:16:3e:00:00:00");

        SingleError(yaml, PositionOf(yaml, "fa:16:3e:00:00:00"), "global.dvr_base_mac", "port MAC range");
    }

    [Test]
    public void Load_RouterInterfaceOnTwoSubnetsOfOneNetwork_Reported()
    {
        string yaml = Base
            .ReplaceOnce("  - { name: ext-v4,", "  - { name: red-v4b, network: red, cidr: 10.0.11.0/24, gateway_ip: 10.0.11.1 }\n  - { name: ext-v4,")
            .ReplaceOnce("  - name: vm1\n", """
                  - name: qr-red-b
                    network: red
                    interface: qr-red-b
                    mac: fa:16:3e:00:11:01
                    fixed_ips: [{ subnet: red-v4b, ip: 10.0.11.1 }]
                    device_owner: network:router_interface_distributed
                    router: r1
                  - name: vm1

                """);

        var error = SingleError(yaml, PositionOf(yaml, "r1\n  - name: vm1"), "ports[3].router", "router 'r1' already has an interface on network 'red'");

        Assert.That(error.Message, Does.Contain("port 'qr-red'"));
    }

    [Test]
    public void Load_OneRouterInterfaceWithTwoSubnetsOfItsNetwork_Reported()
    {
        string yaml = Base
            .ReplaceOnce("  - { name: ext-v4,", "  - { name: red-v4b, network: red, cidr: 10.0.11.0/24, gateway_ip: 10.0.11.1 }\n  - { name: ext-v4,")
            .ReplaceOnce("fixed_ips: [{ subnet: red-v4, ip: 10.0.1.1 }]", "fixed_ips: [{ subnet: red-v4, ip: 10.0.1.1 }, { subnet: red-v4b, ip: 10.0.11.1 }]");

        SingleError(yaml, PositionOf(yaml, "[{ subnet: red-v4, ip: 10.0.1.1 }"), "ports[0].fixed_ips", "on 2 subnets (red-v4, red-v4b) of network 'red'");
    }

    [Test]
    public void Load_BridgeMappingMissingForAFlatNetworkOnTheHost_Reported()
    {
        string yaml = Base.ReplaceOnce("    bridge_mappings:\n      external: { name: br-ex, datapath_id: 0x303 }\n", string.Empty);

        SingleError(yaml, PositionOf(yaml, "name: nn"), "hosts[1].bridge_mappings", "carries flat network 'ext'");
    }

    [Test]
    public void Load_BridgeMappingMissingForAVlanPortsNetwork_ReportedAtTheMapping()
    {
        string yaml = Base
            .ReplaceOnce("subnets:\n", "  - { name: prov, type: vlan, physical_network: physnet2, segmentation_id: 200 }\nsubnets:\n")
            .ReplaceOnce("      external: { name: br-ex, datapath_id: 0x301 }", "      external: { name: br-ex, datapath_id: 0x301 }\n      physnet9: { name: br-p9, datapath_id: 0x401 }")
            .ReplaceOnce("    network: green\n    interface: qvovm2", "    network: prov\n    interface: qvovm2")
            .ReplaceOnce("    fixed_ips: [{ subnet: green-v4, ip: 10.0.2.20 }]\n", string.Empty);

        var error = SingleError(yaml, PositionOf(yaml, "external: { name: br-ex, datapath_id: 0x301 }"), "hosts[0].bridge_mappings", "no bridge for its physical network 'physnet2'");

        Assert.That(error.Message, Does.Contain("port 'vm2'"));
    }

    [Test]
    public void Load_DuplicateDatapathId_Reported()
    {
        string yaml = Base.ReplaceOnce("datapath_id: 0x203", "datapath_id: 0x201");

        SingleError(yaml, PositionOf(yaml, "0x201 }\n    bridge_mappings:\n      external: { name: br-ex, datapath_id: 0x303"), "hosts[1].bridges.tunnel.datapath_id", "already used by hosts[0].bridges.tunnel");
    }

    [Test]
    public void Load_DatapathIdDecimalAndHex_AreTheSameNumber()
    {
        string yaml = Base.ReplaceOnce("datapath_id: 0x203", "datapath_id: 515");

        var topology = TopologyLoader.LoadFromString(yaml, FileName);

        Assert.That(topology.GetHost("nn").Tunnel.DatapathId, Is.EqualTo(0x203UL));
    }

    [Test]
    public void Load_InterfaceNameUsedTwiceOnAHost_Reported()
    {
        string yaml = Base.ReplaceOnce("interface: qvovm2", "interface: qvovm1");

        SingleError(yaml, PositionOf(yaml, "qvovm1\n    mac: fa:16:3e:00:02:20"), "ports[4].interface", "interface name 'qvovm1' on host 'cn1' is already used by port 'vm1'");
    }

    [Test]
    public void Load_SameInterfaceNameOnDifferentHosts_IsValid()
    {
        string yaml = Base.ReplaceOnce("interface: qvovm2", "interface: qvovm1").ReplaceOnce("    host: cn1\n  - name: vm2", "    host: nn\n  - name: vm2");

        Assert.That(() => TopologyLoader.LoadFromString(yaml, FileName), Throws.Nothing);
    }

    [Test]
    public void Load_DistributedRouterInterfaceNameClashesWithAVm_Reported()
    {
        string yaml = Base.ReplaceOnce("interface: qvovm2", "interface: qr-red");

        var errors = ErrorsOf(yaml);

        Assert.That(errors, Has.Count.EqualTo(1), () => string.Join("\n", errors));
        Assert.That(errors[0].Location.Path, Is.EqualTo("ports[4].interface"));
        Assert.That(errors[0].Message, Does.Contain("port 'qr-red'"));
    }

    [Test]
    public void Load_InterfaceNameLongerThanLinuxAllows_Reported()
    {
        string yaml = Base.ReplaceOnce("interface: qvovm2", "interface: qvo0123456789abc");

        SingleError(yaml, PositionOf(yaml, "qvo0123456789abc"), "ports[4].interface", "16 characters; Linux allows at most 15");
    }

    [Test]
    public void Load_DuplicateTunnelIp_Reported()
    {
        string yaml = Base.ReplaceOnce("tunnel_ip: 192.0.2.3", "tunnel_ip: 192.0.2.1");

        SingleError(yaml, PositionOf(yaml, "192.0.2.1\n    dvr_mac: fa:16:3f:00:00:03"), "hosts[1].tunnel_ip", "already the tunnel endpoint of host 'cn1'");
    }

    [Test]
    public void Load_SnatPortOnAnotherHostThanTheGateway_Reported()
    {
        string yaml = Base.ReplaceOnce("    host: nn\n", "    host: cn1\n");

        SingleError(yaml, PositionOf(yaml, "cn1\n  - name: vm1"), "ports[2].host", "live on its snat_host 'nn'");
    }

    [Test]
    public void Load_DistributedRouterSnatOnADvrHost_Reported()
    {
        string yaml = Base.ReplaceOnce("snat_host: nn", "snat_host: cn1").ReplaceOnce("    host: nn\n", "    host: cn1\n");

        SingleError(yaml, PositionOf(yaml, "cn1, interface"), "routers[0].external_gateway.snat_host", "needs a dvr_snat host");
    }

    [Test]
    public void Load_DistributedInterfaceWithAHost_Reported()
    {
        string yaml = Base.ReplaceOnce("    router: r1\n  - name: qr-green", "    router: r1\n    host: cn1\n  - name: qr-green");

        SingleError(yaml, PositionOf(yaml, "cn1\n  - name: qr-green"), "ports[0].host", "remove 'host'");
    }

    [Test]
    public void Load_ComputePortWithoutHost_ReportedAtThePort()
    {
        string yaml = Base.ReplaceOnce("    device_owner: compute:nova\n    host: cn1\n  - name: vm2", "    device_owner: compute:nova\n  - name: vm2");

        SingleError(yaml, PositionOf(yaml, "name: vm1"), "ports[3].host", "missing required field 'host'");
    }

    [Test]
    public void Load_LegacyRouterOnADvrHost_Reported()
    {
        string yaml = Base
            .ReplaceOnce("routers:\n", "routers:\n  - { name: old, distributed: false }\n")
            .ReplaceOnce("  - name: vm1\n", """
                  - name: qr-old
                    network: green
                    interface: qr-old
                    mac: fa:16:3e:00:02:02
                    fixed_ips: [{ subnet: green-v4, ip: 10.0.2.2 }]
                    device_owner: network:router_interface
                    router: old
                    host: cn1
                  - name: vm1

                """);

        SingleError(yaml, PositionOf(yaml, "cn1\n  - name: vm1"), "ports[3].host", "cannot host a legacy router");
    }

    [Test]
    public void Load_RouterGatewayPortUnderPorts_ExplainsWhereItGoes()
    {
        string yaml = Base.ReplaceOnce("device_owner: compute:nova\n    host: cn1\n  - name: vm2", "device_owner: network:router_gateway\n    host: cn1\n  - name: vm2");

        SingleError(yaml, PositionOf(yaml, "network:router_gateway"), "ports[3].device_owner", "routers[].external_gateway");
    }

    [Test]
    public void Load_UnknownDeviceOwner_ListsTheAcceptedSpellings()
    {
        string yaml = Base.ReplaceOnce("device_owner: compute:nova\n    host: cn1\n  - name: vm2", "device_owner: compute\n    host: cn1\n  - name: vm2");

        SingleError(yaml, PositionOf(yaml, "compute\n"), "ports[3].device_owner", "network:router_centralized_snat");
    }

    [Test]
    public void Load_LocalVlanPinForUnknownNetworkOrReusedVlan_Reported()
    {
        string yaml = Base.ReplaceOnce("    dvr_mac: fa:16:3f:00:00:01\n", "    dvr_mac: fa:16:3f:00:00:01\n    local_vlans: { red: 7, green: 7, blue: 3 }\n");

        var errors = ErrorsOf(yaml);

        Assert.That(errors.Select(e => (e.Location.Path, e.Location.Line, e.Location.Column)), Is.EquivalentTo(new[]
        {
            ("hosts[0].local_vlans.blue", PositionOf(yaml, "blue: 3", 6).Line, PositionOf(yaml, "blue: 3", 6).Column),
            ("hosts[0].local_vlans.green", PositionOf(yaml, "green: 7", 7).Line, PositionOf(yaml, "green: 7", 7).Column),
        }));
    }

    [Test]
    public void Load_CookieZero_Reported()
    {
        string yaml = Base.ReplaceOnce("  dvr_base_mac: fa:16:3f:00:00:00\n", "  dvr_base_mac: fa:16:3f:00:00:00\n  cookie: 0\n");

        SingleError(yaml, PositionOf(yaml, "0\nhosts"), "global.cookie", "must not be 0");
    }

    [Test]
    public void Load_YamlSyntaxError_ReportedWithItsPosition()
    {
        string yaml = "hosts:\n  - name: cn1\n    bridges: { integration: [\n";

        var errors = ErrorsOf(yaml);

        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0].Location.Line, Is.GreaterThan(0));
        Assert.That(errors[0].Location.Path, Is.EqualTo("(yaml)"));
    }

    [Test]
    public void Load_DuplicateYamlKey_ReportedAtTheSecondKey()
    {
        string yaml = Base.ReplaceOnce("    tunnel_ip: 192.0.2.3\n", "    tunnel_ip: 192.0.2.3\n    tunnel_ip: 192.0.2.4\n");

        var errors = ErrorsOf(yaml);

        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That((errors[0].Location.Line, errors[0].Location.Column), Is.EqualTo(PositionOf(yaml, "tunnel_ip: 192.0.2.4")));
        Assert.That(errors[0].Message, Does.Contain("Duplicate key").IgnoreCase);
    }

    [Test]
    public void Load_ManyErrors_AllReportedInFileOrder()
    {
        string yaml = Base
            .ReplaceOnce("tunnel_ip: 192.0.2.3", "tunnel_ip: 192.0.2.1")
            .ReplaceOnce("segmentation_id: 1002", "segmentation_id: 1001")
            .ReplaceOnce("ip: 10.0.2.20", "ip: 10.0.3.20")
            .ReplaceOnce("    host: cn1\n  - name: vm2", "    host: cn7\n  - name: vm2");

        var errors = ErrorsOf(yaml);

        Assert.That(errors.Select(e => e.Location.Path), Is.EqualTo(new[]
        {
            "hosts[1].tunnel_ip",
            "networks[1].segmentation_id",
            "ports[3].host",
            "ports[4].fixed_ips[0].ip",
        }));
    }

    [Test]
    public void Error_ToString_IsFileLineColumnPathMessage()
    {
        string yaml = Base.ReplaceOnce("ip: 10.0.2.20", "ip: 10.0.3.20");
        var (line, column) = PositionOf(yaml, "10.0.3.20");

        var error = ErrorsOf(yaml).Single();

        Assert.That(error.ToString(), Is.EqualTo($"test.yaml:{line}:{column}: ports[4].fixed_ips[0].ip: ip 10.0.3.20 is outside subnet 'green-v4' (10.0.2.0/24)"));
    }

    [Test]
    public void Load_InvalidSampleFile_ReportsEveryErrorWithItsPosition()
    {
        string path = Data("invalid-topology.yaml");

        var e = Assert.Throws<TopologyValidationException>(() => TopologyLoader.Load(path));

        Assert.That(e!.Errors.Select(x => $"{x.Location.Line}:{x.Location.Column}: {x.Location.Path}"), Is.EqualTo(new[]
        {
            "3:3: global.colour",
            "9:14: hosts[0].dvr_mac",
            "12:44: hosts[0].bridges.tunnel.datapath_id",
            "15:17: hosts[1].agent_mode",
            "23:48: networks[0].segmentation_id",
            "25:49: networks[2].segmentation_id",
            "27:70: subnets[0].gateway_ip",
            "31:16: ports[0].interface",
            "33:41: ports[0].fixed_ips[0].ip",
            "35:11: ports[0].host",
            "39:10: ports[1].mac",
        }));
        Assert.That(e.Errors.All(x => x.Location.File == path), Is.True);
    }
}
