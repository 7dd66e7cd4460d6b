using System.Net;
using Dvr.DvrFlows.Topology;
using Dvr.OvsTestbed;
using Dvr.OvsTestbed.Plan;
using NUnit.Framework;

namespace Dvr.Integration.Tests.Testbed;

/// <summary>What the testbed would build for a topology, checked without root (the planner touches nothing).</summary>
[TestFixture]
public class TestbedPlannerTests
{
    private static TestbedPlan DemoPlan() => TestbedPlanner.Create(TestbedFixtures.Demo(), new TestbedOptions { Prefix = "p-" });

    [Test]
    public void Create_Demo_PlacesRouterNamespacesWhereNeutronSchedulesThem()
    {
        var plan = DemoPlan();

        var names = plan.Namespaces.Select(n => (n.Kind, n.Name)).ToList();

        Assert.That(names, Is.EquivalentTo(new[]
        {
            (NamespaceKind.Port, "p-v-vm1"), (NamespaceKind.Port, "p-v-vm2"), (NamespaceKind.Port, "p-v-vm3"),
            (NamespaceKind.Port, "p-v-vm4"), (NamespaceKind.Port, "p-v-vm5"), (NamespaceKind.Port, "p-v-vm6"),
            (NamespaceKind.DistributedRouter, "p-r-r1-cn1"), (NamespaceKind.DistributedRouter, "p-r-r1-cn2"),
            (NamespaceKind.DistributedRouter, "p-r-r1-nn"), (NamespaceKind.Snat, "p-s-r1"),
            (NamespaceKind.LegacyRouter, "p-r-r-legacy-nn"),
        }));
    }

    [Test]
    public void Create_Demo_SnatNamespaceHasSgAndQgLegsAndSnatsToTheGatewayIp()
    {
        var plan = DemoPlan();

        var snat = plan.Namespaces.Single(n => n.Kind == NamespaceKind.Snat);
        var nnAttachments = plan.GetHost("nn").Attachments.Where(a => a.Namespace == snat.Name).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(snat.Host, Is.EqualTo("nn"));
            Assert.That(nnAttachments.Select(a => a.Interface), Is.EquivalentTo(new[] { "sg-r1-red", "sg-r1-green", "qg-r1" }));
            Assert.That(nnAttachments.Single(a => a.Interface == "qg-r1").Addresses, Is.EqualTo(new[] { "203.0.113.10/24" }));
            Assert.That(snat.Iptables, Is.EqualTo(new[] { "-t nat -A POSTROUTING -o qg-r1 -j SNAT --to-source 203.0.113.10" }));
            Assert.That(snat.IpBatch, Does.Contain("route add default via 203.0.113.1 dev qg-r1"));
        });
    }

    [Test]
    public void Create_Demo_DistributedRouterSendsEachSubnetToItsSnatPortAndKnowsEveryVm()
    {
        var plan = DemoPlan();

        var router = plan.Namespaces.Single(n => n.Name == "p-r-r1-cn2");

        Assert.Multiple(() =>
        {
            // 10.0.1.1 = 0x0a000101 = 167772417: Neutron names the table after the qr- address.
            Assert.That(router.IpBatch, Does.Contain("rule add from 10.0.1.0/24 lookup 167772417 priority 167772417"));
            Assert.That(router.IpBatch, Does.Contain("route add default via 10.0.1.3 dev qr-r1-red table 167772417"));
            Assert.That(router.IpBatch, Does.Contain("neigh replace 10.0.1.10 lladdr fa:16:3e:00:01:10 dev qr-r1-red nud permanent"));
            Assert.That(router.IpBatch, Does.Contain("neigh replace 10.0.2.30 lladdr fa:16:3e:00:02:30 dev qr-r1-green nud permanent"));
            Assert.That(router.IpBatch.Count(l => l.StartsWith("neigh ", StringComparison.Ordinal)), Is.EqualTo(6), "vm1-vm4 and the two sg- ports");
            Assert.That(router.IpForward, Is.True);
        });
    }

    [Test]
    public void Create_Demo_HostsGetTunnelsToEveryPeerAndTagsFromTheLocalVlanAllocator()
    {
        var topology = TestbedFixtures.Demo();
        var plan = TestbedPlanner.Create(topology, new TestbedOptions { Prefix = "p-" });

        var cn1 = plan.GetHost("cn1");

        Assert.Multiple(() =>
        {
            Assert.That(cn1.Namespace, Is.EqualTo("p-h-cn1"));
            Assert.That(cn1.Peers.Select(p => p.PortName), Is.EqualTo(new[] { "vxlan-c0000202", "vxlan-c0000203" }));
            Assert.That(cn1.BrPhyMac.ToString(), Is.EqualTo("02:00:c0:00:02:01"));
            Assert.That(cn1.TunnelPrefixLength, Is.EqualTo(24));
            Assert.That(cn1.PhysicalBridges.Single().IntegrationPatch, Is.EqualTo("int-br-ex"));
            Assert.That(cn1.PhysicalBridges.Single().PhysicalPatch, Is.EqualTo("phy-br-ex"));
            foreach (var attachment in cn1.Attachments)
            {
                Assert.That(attachment.LocalVlan, Is.EqualTo(LocalVlanAllocator.LocalVlans(topology, "cn1")[attachment.Network]), attachment.Interface);
            }

            Assert.That(plan.External!.Legs.Single().Address, Is.EqualTo("203.0.113.1/24"));
        });
    }

    [Test]
    public void TunnelPrefixLength_ShrinksUntilEveryVtepIsOnLink()
    {
        int sameSlash24 = TestbedPlanner.TunnelPrefixLength([IPAddress.Parse("192.0.2.1"), IPAddress.Parse("192.0.2.200")]);
        int acrossSlash24 = TestbedPlanner.TunnelPrefixLength([IPAddress.Parse("192.0.2.1"), IPAddress.Parse("192.0.3.1")]);

        Assert.Multiple(() =>
        {
            Assert.That(sameSlash24, Is.EqualTo(24));
            Assert.That(acrossSlash24, Is.EqualTo(23));
        });
    }

    [Test]
    public void Create_RejectsPrefixTooLongForRootLinkNames()
    {
        var options = new TestbedOptions { Prefix = "much-too-long-" };

        Assert.That(
            () => TestbedPlanner.Create(TestbedFixtures.TwoHosts(), options),
            Throws.ArgumentException.With.Message.Contains("much-too-long-"));
    }

    [Test]
    public void IsOwnNamespace_MatchesOnlyThisPrefixesKinds()
    {
        Assert.Multiple(() =>
        {
            Assert.That(TestbedNames.IsOwnNamespace("tb-", "tb-h-cn1"), Is.True);
            Assert.That(TestbedNames.IsOwnNamespace("tb-", "tb-under"), Is.True);
            Assert.That(TestbedNames.IsOwnNamespace("tb-", "tb-x-cn1"), Is.False);
            Assert.That(TestbedNames.IsOwnNamespace("tb-", "tb2-h-cn1"), Is.False);
            Assert.That(TestbedNames.IsOwnRootLink("tb-", "tb-c12"), Is.True);
            Assert.That(TestbedNames.IsOwnRootLink("tb-", "tb-cx"), Is.False);
        });
    }

    [Test]
    public void IsAttachmentNamespace_MatchesPortRouterAndSnatNamespacesOnly()
    {
        Assert.Multiple(() =>
        {
            Assert.That(TestbedNames.IsAttachmentNamespace("tb-", "tb-v-vm1"), Is.True);
            Assert.That(TestbedNames.IsAttachmentNamespace("tb-", "tb-r-r1-cn1"), Is.True);
            Assert.That(TestbedNames.IsAttachmentNamespace("tb-", "tb-s-r1"), Is.True);
            Assert.That(TestbedNames.IsAttachmentNamespace("tb-", "tb-h-cn1"), Is.False, "hosts stay");
            Assert.That(TestbedNames.IsAttachmentNamespace("tb-", "tb-under"), Is.False);
            Assert.That(TestbedNames.IsAttachmentNamespace("tb-", "tb-ext"), Is.False);
            Assert.That(TestbedNames.IsAttachmentNamespace("tb-", "tb2-v-vm1"), Is.False, "another prefix");
        });
    }
}
