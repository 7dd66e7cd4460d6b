using System.Globalization;
using Dvr.OvsTestbed;
using NUnit.Framework;

namespace Dvr.Integration.Tests.Testbed;

/// <summary>
/// One testbed of samples/demo-3host.yaml (--controller none) shared by the tests of this fixture; each test installs
/// the flows it needs (replace-flows), so their order does not matter.
/// </summary>
[TestFixture]
[Category("Testbed")]
[NonParallelizable]
public class DemoTestbedTests
{
    private RunningTestbed _testbed = null!;

    [OneTimeSetUp]
    public async Task BringUpDemo() =>
        _testbed = await OvsTestbed.Testbed.UpAsync(TestbedFixtures.Demo(), new TestbedOptions { Prefix = "tbA-" });

    [OneTimeTearDown]
    public async Task TearDownDemo() => await OvsTestbed.Testbed.DownAsync(new TestbedOptions { Prefix = "tbA-" });

    [Test]
    public void Up_Demo_BringsThreeHostsUpInUnder15Seconds() =>
        Assert.That(_testbed.BringUpTime, Is.LessThan(TimeSpan.FromSeconds(15)));

    [Test]
    public async Task Up_Demo_BuildsBridgesPortsAndNamespacesFromTheTopology()
    {
        // Arrange
        var nn = _testbed.Host("nn");

        // Act
        string bridges = (await nn.VsctlAsync("list-br")).Stdout;
        string dpid = (await nn.VsctlAsync("get", "Bridge", "br-int", "other_config:datapath-id")).Stdout.Trim();
        string tag = (await nn.VsctlAsync("get", "Port", "sg-r1-red", "tag")).Stdout.Trim();
        string tunnels = (await nn.VsctlAsync("list-ports", "br-tun")).Stdout;
        string features = (await nn.OfctlAsync("show", "br-int")).Stdout;
        string neighbours = (await nn.AppctlAsync("tnl/neigh/show")).Stdout;
        var vmRoutes = await _testbed.ExecAsync(_testbed.PortNamespace("vm1"), "ip", "route", "show", "default");
        var rules = await _testbed.ExecAsync(_testbed.RouterNamespace("r1", "cn1"), "ip", "rule", "show");

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(bridges.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EquivalentTo(new[] { "br-ex", "br-int", "br-phy", "br-tun" }));
            Assert.That(dpid, Is.EqualTo("\"0000000000000103\""));
            Assert.That(tag, Is.EqualTo(nn.LocalVlan("red").ToString(CultureInfo.InvariantCulture)));
            Assert.That(tunnels, Does.Contain("vxlan-c0000201").And.Contain("vxlan-c0000202"));
            Assert.That(features, Does.Contain("dpid:0000000000000103"));
            Assert.That(neighbours, Does.Contain("192.0.2.1").And.Contain("02:00:c0:00:02:01"));
            Assert.That(vmRoutes.Stdout, Does.Contain("default via 10.0.1.1"));
            Assert.That(rules.Stdout, Does.Contain("from 10.0.1.0/24 lookup 167772417"));
            Assert.That(_testbed.UnderlayCapturePoint("cn1"), Is.EqualTo(("tbA-under", "ul-cn1")));
        });
    }

    [Test]
    public async Task NoFlows_SecureBridgesDoNotForward()
    {
        // Arrange
        await TestbedFixtures.ClearFlowsAsync(_testbed);

        // Act
        var ping = await _testbed.PingAsync("vm1", "10.0.1.40", count: 1, timeout: TimeSpan.FromSeconds(1));

        // Assert
        Assert.That(ping.Received, Is.Zero, "fail_mode=secure bridges without flows must not forward: " + ping.Output);
    }

    [Test]
    public async Task SimpleL2Flows_SameSubnetPingsCrossHostsAndSnatReachesTheInternet()
    {
        // Arrange
        await TestbedFixtures.InstallSimpleL2FlowsAsync(_testbed);

        // Act
        var red = await _testbed.PingAsync("vm1", "10.0.1.40", count: 2);
        var green = await _testbed.PingAsync("vm2", "10.0.2.30", count: 2);
        var blue = await _testbed.PingAsync("vm6", "10.0.3.50", count: 2);
        var legacyGateway = await _testbed.PingAsync("vm5", "10.0.3.1", count: 2);
        var snatToGateway = await _testbed.PingAsync(_testbed.SnatNamespace("r1"), "203.0.113.1", count: 2);
        var snatToInternet = await _testbed.PingAsync(_testbed.SnatNamespace("r1"), "198.18.0.1", count: 2);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(red.AllReceived, Is.True, red.Output);
            Assert.That(green.AllReceived, Is.True, green.Output);
            Assert.That(blue.AllReceived, Is.True, blue.Output);
            Assert.That(legacyGateway.AllReceived, Is.True, "cn1's vm5 to r-legacy's qr- on nn: " + legacyGateway.Output);
            Assert.That(snatToGateway.AllReceived, Is.True, "qg- through br-int, br-ex and the flat network: " + snatToGateway.Output);
            Assert.That(snatToInternet.AllReceived, Is.True, "SNAT namespace default route: " + snatToInternet.Output);
        });
    }

    [Test]
    public async Task DvrFlows_EastWestRoutingCrossesHostsWithTheDvrMac()
    {
        // Arrange
        await TestbedFixtures.InstallDvrFlowsAsync(_testbed);
        var cn2 = _testbed.Host("cn2");

        // Act: red on cn1 → green on cn2 and red on cn2 → green on cn1, routed by each sender's local r1.
        var cn1ToCn2 = await _testbed.PingAsync("vm1", "10.0.2.20", count: 2);
        var cn2ToCn1 = await _testbed.PingAsync("vm4", "10.0.2.30", count: 2);
        string delivered = (await cn2.OfctlAsync("dump-flows", "br-int", "table=1,dl_dst=fa:16:3e:00:02:20")).Stdout;

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(cn1ToCn2.AllReceived, Is.True, cn1ToCn2.Output);
            Assert.That(cn2ToCn1.AllReceived, Is.True, cn2ToCn1.Output);
            Assert.That(delivered, Does.Match(@"n_packets=[1-9]"), "cn2 delivered vm2's frames from cn1's DVR MAC: " + delivered);
        });
    }

    [Test]
    public async Task DvrFlows_NorthSouthLeavesThroughTheSnatNamespaceOnTheNetworkNode()
    {
        // Arrange
        await TestbedFixtures.InstallDvrFlowsAsync(_testbed);
        string snat = _testbed.SnatNamespace("r1");
        await _testbed.ExecAsync(snat, "iptables", "-t", "nat", "-Z", "POSTROUTING");

        // Act: vm2 (cn2) → cn2's r1 → policy route to sg-r1-green on nn → SNAT → qg-r1 → br-ex → the external namespace.
        var ping = await _testbed.PingAsync("vm2", "198.18.0.1", count: 2);
        string counters = (await _testbed.ExecAsync(snat, "iptables", "-t", "nat", "-L", "POSTROUTING", "-v", "-n", "-x")).Stdout;

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(ping.AllReceived, Is.True, ping.Output);
            Assert.That(counters, Does.Match(@"\n\s*[1-9]\d*\s+\d+\s+SNAT"), "the SNAT rule saw the flow: " + counters);
        });
    }
}
