using Dvr.DvrFlows.Topology;
using Dvr.OvsTestbed;
using NUnit.Framework;

namespace Dvr.Integration.Tests.Testbed;

/// <summary>
/// Topology changes applied to a running testbed without a controller (RunningTestbed.ApplyAsync): namespaces and
/// br-int ports come and go, a second apply of the same topology changes nothing, and hosts cannot change. Plain L2
/// flows (TestbedFixtures.InstallSimpleL2FlowsAsync) prove the new port forwards.
/// </summary>
[TestFixture]
[Category("Testbed")]
[NonParallelizable]
public class TestbedDynamicsTests
{
    private static readonly TestbedOptions Options = new() { Prefix = "dyn-" };

    [Test]
    public async Task Apply_AddsAndRemovesPortNamespaces_AndIsIdempotent()
    {
        // Arrange: vmc joins red on host b, vmd a new network blue on host a.
        var topology = TestbedFixtures.TwoHosts();
        var grown = TopologyLoader.LoadFromString(GrownYaml(), "two-hosts-grown.yaml");
        try
        {
            await using var testbed = await OvsTestbed.Testbed.UpAsync(topology, Options);

            // Act
            var nothing = await testbed.ApplyAsync(topology);
            var grow = await testbed.ApplyAsync(grown);
            var growAgain = await testbed.ApplyAsync(grown);
            await TestbedFixtures.InstallSimpleL2FlowsAsync(testbed);
            var ping = await testbed.PingAsync("vmc", "10.0.1.10", count: 2);
            var hostB = testbed.Host("b");
            var portsOnB = (await hostB.VsctlAsync("list-ports", "br-int")).Stdout;
            var tag = (await hostB.VsctlAsync("get", "Port", "qvovmc", "tag")).Stdout.Trim();
            var shrink = await testbed.ApplyAsync(topology);
            var shrinkAgain = await testbed.ApplyAsync(topology);
            var portsAfter = (await hostB.VsctlAsync("list-ports", "br-int")).Stdout + (await testbed.Host("a").VsctlAsync("list-ports", "br-int")).Stdout;

            // Assert
            Assert.Multiple(() =>
            {
                Assert.That(nothing.IsEmpty, nothing.ToString());
                Assert.That(grow.CreatedNamespaces, Is.EqualTo(new[] { "dyn-v-vmc", "dyn-v-vmd" }));
                Assert.That(growAgain.IsEmpty, "a second apply of the same topology changes nothing: " + growAgain);
                Assert.That(ping.AllReceived, "the new port forwards across hosts: " + ping.Output);
                Assert.That(portsOnB, Does.Contain("qvovmc"));
                Assert.That(tag, Is.EqualTo(hostB.LocalVlan("red").ToString(System.Globalization.CultureInfo.InvariantCulture)), "the port carries red's local VLAN");
                Assert.That(shrink.RemovedNamespaces, Is.EqualTo(new[] { "dyn-v-vmc", "dyn-v-vmd" }));
                Assert.That(shrink.RemovedPorts, Is.EqualTo(new[] { "a/qvovmd", "b/qvovmc" }));
                Assert.That(shrinkAgain.IsEmpty, shrinkAgain.ToString());
                Assert.That(TestbedFixtures.NamespacesWithPrefix("dyn-v-"), Is.EquivalentTo(new[] { "dyn-v-vma", "dyn-v-vmb" }));
                Assert.That(portsAfter, Does.Not.Contain("qvovmc").And.Not.Contain("qvovmd"));
            });
        }
        finally
        {
            await OvsTestbed.Testbed.DownAsync(Options);
        }

        Assert.That(TestbedFixtures.NamespacesWithPrefix("dyn-"), Is.Empty, "down removes what apply added");
    }

    [Test]
    public async Task ApplyAndAttach_RejectATopologyWithOtherHosts()
    {
        var topology = TestbedFixtures.TwoHosts();
        try
        {
            await using var testbed = await OvsTestbed.Testbed.UpAsync(topology, Options);
            var otherTunnelIp = TopologyLoader.LoadFromString(
                TestbedFixtures.TwoHostsYaml.Replace("tunnel_ip: 192.0.2.2", "tunnel_ip: 192.0.2.9", StringComparison.Ordinal), "moved.yaml");

            Assert.Multiple(() =>
            {
                Assert.That(
                    async () => await testbed.ApplyAsync(otherTunnelIp),
                    Throws.ArgumentException.With.Message.Contains("192.0.2.9"));
                Assert.That(
                    () => OvsTestbed.Testbed.Attach(otherTunnelIp, Options),
                    Throws.InvalidOperationException.With.Message.Contains("192.0.2.9"));
            });
        }
        finally
        {
            await OvsTestbed.Testbed.DownAsync(Options);
        }
    }

    private static string GrownYaml() =>
        TestbedFixtures.TwoHostsYaml
            .Replace("networks:\n", "networks:\n  - { name: blue, type: vxlan, segmentation_id: 1003 }\n", StringComparison.Ordinal)
            .Replace("subnets:\n", "subnets:\n  - { name: blue-v4, network: blue, cidr: 10.0.3.0/24, gateway_ip: 10.0.3.1 }\n", StringComparison.Ordinal)
        + """

          - name: vmc
            network: red
            interface: qvovmc
            mac: fa:16:3e:00:01:0c
            fixed_ips: [{ subnet: red-v4, ip: 10.0.1.12 }]
            device_owner: compute:nova
            host: b
          - name: vmd
            network: blue
            interface: qvovmd
            mac: fa:16:3e:00:03:0d
            fixed_ips: [{ subnet: blue-v4, ip: 10.0.3.13 }]
            device_owner: compute:nova
            host: a

        """;
}
