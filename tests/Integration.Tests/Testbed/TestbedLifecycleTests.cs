using Dvr.OvsTestbed;
using NUnit.Framework;

namespace Dvr.Integration.Tests.Testbed;

/// <summary>
/// Brings real testbeds up and down (root, Open vSwitch 3.1, no kernel module needed) with --controller none and
/// hand-written L2 flows. Each test uses its own prefix and tears down in finally, so a failure leaves nothing behind.
/// </summary>
[TestFixture]
[Category("Testbed")]
[NonParallelizable]
public class TestbedLifecycleTests
{
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
            var attached = OvsTestbed.Testbed.Attach(topology, options);
            await TestbedFixtures.InstallSimpleL2FlowsAsync(attached);
            var ping = await attached.PingAsync("vma", "10.0.1.11", count: 2);
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
                Assert.That(() => OvsTestbed.Testbed.Attach(topology, options), Throws.InvalidOperationException);
                Assert.That(TestbedFixtures.NamespacesWithPrefix("tbB-"), Is.Empty);
                Assert.That(TestbedFixtures.ProcessesMentioning(options.ResolvedBaseDirectory + "/"), Is.Empty);
                Assert.That(Directory.Exists(options.ResolvedBaseDirectory), Is.False);
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
