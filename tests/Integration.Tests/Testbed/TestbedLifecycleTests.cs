using Dvr.OvsTestbed;
using NUnit.Framework;

namespace Dvr.Integration.Tests.Testbed;

/// <summary>
/// Brings real testbeds up (root, Open vSwitch 3.1, no kernel module needed) with --controller none and hand-written
/// L2 flows. Each test uses its own prefix and tears down in finally, so a failure leaves nothing behind.
/// </summary>
[TestFixture]
[Category("Testbed")]
[NonParallelizable]
public class TestbedLifecycleTests
{
    [Test]
    public async Task Up_DemoTopology_CrossHostPingsNeedFlowsAndDownLeavesNothing()
    {
        // Arrange
        var options = new TestbedOptions { Prefix = "tbA-" };
        var testbed = await OvsTestbed.Testbed.UpAsync(TestbedFixtures.Demo(), options);
        try
        {
            var beforeFlows = await testbed.PingAsync("vm1", "10.0.1.40", count: 1, timeout: TimeSpan.FromSeconds(1));

            // Act
            await TestbedFixtures.InstallSimpleL2FlowsAsync(testbed);
            var red = await testbed.PingAsync("vm1", "10.0.1.40", count: 2);
            var green = await testbed.PingAsync("vm2", "10.0.2.30", count: 2);
            var blue = await testbed.PingAsync("vm6", "10.0.3.50", count: 2);
            var legacyGateway = await testbed.PingAsync("vm5", "10.0.3.1", count: 2);
            var snatToGateway = await testbed.PingAsync(testbed.SnatNamespace("r1"), "203.0.113.1", count: 2);
            var snatToInternet = await testbed.PingAsync(testbed.SnatNamespace("r1"), "198.18.0.1", count: 2);

            // Assert
            Assert.Multiple(() =>
            {
                Assert.That(testbed.BringUpTime, Is.LessThan(TimeSpan.FromSeconds(15)), "bring-up of 3 hosts");
                Assert.That(beforeFlows.Received, Is.Zero, "fail_mode=secure bridges without flows must not forward");
                Assert.That(red.AllReceived, Is.True, red.Output);
                Assert.That(green.AllReceived, Is.True, green.Output);
                Assert.That(blue.AllReceived, Is.True, blue.Output);
                Assert.That(legacyGateway.AllReceived, Is.True, "cn1's vm5 to r-legacy's qr- on nn: " + legacyGateway.Output);
                Assert.That(snatToGateway.AllReceived, Is.True, "qg- through br-int, br-ex and the flat network: " + snatToGateway.Output);
                Assert.That(snatToInternet.AllReceived, Is.True, "SNAT namespace default route: " + snatToInternet.Output);
            });
        }
        finally
        {
            await testbed.DownAsync();
        }

        Assert.Multiple(() =>
        {
            Assert.That(TestbedFixtures.NamespacesWithPrefix("tbA-"), Is.Empty);
            Assert.That(TestbedFixtures.ProcessesMentioning(options.ResolvedBaseDirectory + "/"), Is.Empty);
            Assert.That(Directory.Exists(options.ResolvedBaseDirectory), Is.False);
        });
    }

    [Test]
    public async Task Up_DemoTopology_BuildsBridgesPortsAndNamespacesFromTheTopology()
    {
        // Arrange
        var options = new TestbedOptions { Prefix = "tbE-" };
        await using var testbed = await OvsTestbed.Testbed.UpAsync(TestbedFixtures.Demo(), options);
        var nn = testbed.Host("nn");

        // Act
        string bridges = (await nn.VsctlAsync("list-br")).Stdout;
        string dpid = (await nn.VsctlAsync("get", "Bridge", "br-int", "other_config:datapath-id")).Stdout.Trim();
        string tag = (await nn.VsctlAsync("get", "Port", "sg-r1-red", "tag")).Stdout.Trim();
        string tunnels = (await nn.VsctlAsync("list-ports", "br-tun")).Stdout;
        string features = (await nn.OfctlAsync("show", "br-int")).Stdout;
        string neighbours = (await nn.AppctlAsync("tnl/neigh/show")).Stdout;
        var vmRoutes = await testbed.ExecAsync(testbed.PortNamespace("vm1"), "ip", "route", "show", "default");
        var rules = await testbed.ExecAsync(testbed.RouterNamespace("r1", "cn1"), "ip", "rule", "show");

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(bridges.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EquivalentTo(new[] { "br-ex", "br-int", "br-phy", "br-tun" }));
            Assert.That(dpid, Is.EqualTo("\"0000000000000103\""));
            Assert.That(tag, Is.EqualTo(nn.LocalVlan("red").ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(tunnels, Does.Contain("vxlan-c0000201").And.Contain("vxlan-c0000202"));
            Assert.That(features, Does.Contain("dpid:0000000000000103"));
            Assert.That(neighbours, Does.Contain("192.0.2.1").And.Contain("02:00:c0:00:02:01"));
            Assert.That(vmRoutes.Stdout, Does.Contain("default via 10.0.1.1"));
            Assert.That(rules.Stdout, Does.Contain("from 10.0.1.0/24 lookup 167772417"));
            Assert.That(testbed.UnderlayCapturePoint("cn1"), Is.EqualTo(("tbE-under", "ul-cn1")));
        });
    }

    [Test]
    public async Task UpTwice_DownTwice_IsIdempotent()
    {
        // Arrange
        var options = new TestbedOptions { Prefix = "tbB-" };
        var topology = TestbedFixtures.TwoHosts();
        try
        {
            await OvsTestbed.Testbed.UpAsync(topology, options);
            var firstDaemons = TestbedFixtures.ProcessesMentioning(options.ResolvedBaseDirectory + "/");

            // Act
            var second = await OvsTestbed.Testbed.UpAsync(topology, options);
            var secondDaemons = TestbedFixtures.ProcessesMentioning(options.ResolvedBaseDirectory + "/");
            await TestbedFixtures.InstallSimpleL2FlowsAsync(second);
            var ping = await second.PingAsync("vma", "10.0.1.11", count: 2);
            var firstDown = await OvsTestbed.Testbed.DownAsync(options);
            var secondDown = await OvsTestbed.Testbed.DownAsync(options);

            // Assert
            Assert.Multiple(() =>
            {
                Assert.That(firstDaemons, Has.Count.EqualTo(4), "ovsdb-server and ovs-vswitchd on each of 2 hosts");
                Assert.That(secondDaemons, Has.Count.EqualTo(4));
                Assert.That(secondDaemons.Intersect(firstDaemons), Is.Empty, "the second up replaced the first one's daemons");
                Assert.That(ping.AllReceived, Is.True, ping.Output);
                Assert.That(firstDown.SignalledProcesses, Has.Count.EqualTo(4));
                Assert.That(firstDown.DeletedNamespaces, Has.Count.EqualTo(5), "2 hosts, 2 VMs, underlay");
                Assert.That(secondDown.NothingFound, Is.True, secondDown.ToString());
                Assert.That(TestbedFixtures.NamespacesWithPrefix("tbB-"), Is.Empty);
            });
        }
        finally
        {
            await OvsTestbed.Testbed.DownAsync(options);
        }
    }

    [Test]
    public async Task TwoPrefixes_Coexist_AndDownOfOneLeavesTheOther()
    {
        // Arrange
        var optionsC = new TestbedOptions { Prefix = "tbC-" };
        var optionsD = new TestbedOptions { Prefix = "tbD-" };
        var topology = TestbedFixtures.TwoHosts();
        try
        {
            var c = await OvsTestbed.Testbed.UpAsync(topology, optionsC);
            var d = await OvsTestbed.Testbed.UpAsync(topology, optionsD);
            await TestbedFixtures.InstallSimpleL2FlowsAsync(c);
            await TestbedFixtures.InstallSimpleL2FlowsAsync(d);

            // Act
            var pingC = await c.PingAsync("vma", "10.0.1.11", count: 2);
            var pingD = await d.PingAsync("vma", "10.0.1.11", count: 2);
            await c.DownAsync();
            var pingDAfter = await d.PingAsync("vma", "10.0.1.11", count: 2);

            // Assert
            Assert.Multiple(() =>
            {
                Assert.That(pingC.AllReceived, Is.True, pingC.Output);
                Assert.That(pingD.AllReceived, Is.True, pingD.Output);
                Assert.That(TestbedFixtures.NamespacesWithPrefix("tbC-"), Is.Empty);
                Assert.That(TestbedFixtures.NamespacesWithPrefix("tbD-"), Has.Count.EqualTo(5));
                Assert.That(TestbedFixtures.ProcessesMentioning(optionsD.ResolvedBaseDirectory + "/"), Has.Count.EqualTo(4));
                Assert.That(pingDAfter.AllReceived, Is.True, pingDAfter.Output);
            });
        }
        finally
        {
            await OvsTestbed.Testbed.DownAsync(optionsC);
            await OvsTestbed.Testbed.DownAsync(optionsD);
        }
    }

    [Test]
    public async Task Down_AfterRunDirectoryLost_StillFindsDaemonsAndNamespaces()
    {
        // Arrange: a "crash" that lost the pidfiles and the manifest.
        var options = new TestbedOptions { Prefix = "tbF-" };
        try
        {
            await OvsTestbed.Testbed.UpAsync(TestbedFixtures.TwoHosts(), options);
            Directory.Delete(options.ResolvedBaseDirectory, recursive: true);

            // Act
            var report = await OvsTestbed.Testbed.DownAsync(options);

            // Assert
            Assert.Multiple(() =>
            {
                Assert.That(report.SignalledProcesses, Has.Count.EqualTo(4));
                Assert.That(TestbedFixtures.ProcessesMentioning(options.ResolvedBaseDirectory + "/"), Is.Empty);
                Assert.That(TestbedFixtures.NamespacesWithPrefix("tbF-"), Is.Empty);
            });
        }
        finally
        {
            await OvsTestbed.Testbed.DownAsync(options);
        }
    }
}
