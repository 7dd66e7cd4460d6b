using System.Collections.Immutable;
using Dvr.DvrFlows.Compiler;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Pipeline;
using Dvr.DvrFlows.Topology;
using Dvr.OpenFlow.Instructions;
using NUnit.Framework;
using static Dvr.DvrFlows.Tests.Compiler.TestTopologies;

namespace Dvr.DvrFlows.Tests.Compiler;

public class CompilerPropertyTests
{
    public static IEnumerable<TestCaseData> AllHosts()
    {
        foreach (var (name, topology) in new[] { ("worked-example", WorkedExample()), ("mixed", Mixed()) })
        {
            foreach (var host in topology.Hosts)
            {
                yield return new TestCaseData(name, host.Name).SetName($"{{m}}({name},{host.Name})");
            }
        }
    }

    private static global::Dvr.DvrFlows.Topology.Topology Named(string name) => name == "mixed" ? Mixed() : WorkedExample();

    private static CompiledHost Compile(global::Dvr.DvrFlows.Topology.Topology topology, string host) =>
        DvrFlowCompiler.Compile(topology, host, SyntheticPortMap.For(topology, host));

    [TestCaseSource(nameof(AllHosts))]
    public void Compile_IsIndependentOfInputOrder(string topologyName, string host)
    {
        var topology = Named(topologyName);
        var expected = Compile(topology, host);

        for (int seed = 1; seed <= 5; seed++)
        {
            var random = new Random(seed);
            var shuffled = topology with
            {
                Hosts = [.. topology.Hosts.OrderBy(_ => random.Next())],
                Networks = [.. topology.Networks.OrderBy(_ => random.Next())],
                Subnets = [.. topology.Subnets.OrderBy(_ => random.Next())],
                Routers = [.. topology.Routers.OrderBy(_ => random.Next())],
                Ports = [.. topology.Ports.OrderBy(_ => random.Next())],
            };

            var actual = Compile(shuffled, host);

            Assert.That(actual.AllFlows, Is.EqualTo(expected.AllFlows), $"seed {seed}");
        }
    }

    [TestCaseSource(nameof(AllHosts))]
    public void Compile_EveryGotoTargetsADeclaredLaterTable(string topologyName, string host)
    {
        var compiled = Compile(Named(topologyName), host);

        var bad = compiled.AllFlows
            .SelectMany(f => f.Instructions.Instructions.OfType<GotoTableInstruction>().Select(g => (Flow: f, g.TableId)))
            .Where(x => x.TableId <= x.Flow.TableId || !x.Flow.Table.MayGoto(x.TableId) || !PipelineSpec.For(x.Flow.Bridge).Contains(x.TableId))
            .Select(x => x.Flow.Role)
            .ToList();

        Assert.That(bad, Is.Empty);
    }

    [TestCaseSource(nameof(AllHosts))]
    public void Compile_NoTwoFlowsShareTablePriorityMatch_AndNothingWaitsOrConflicts(string topologyName, string host)
    {
        var compiled = Compile(Named(topologyName), host);

        var duplicates = compiled.AllFlows.GroupBy(f => f.Key).Where(g => g.Count() > 1).Select(g => g.Key).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(duplicates, Is.Empty);
            Assert.That(compiled.Conflicts, Is.Empty);
            Assert.That(compiled.Waiting, Is.Empty);
        });
    }

    [TestCaseSource(nameof(AllHosts))]
    public void Compile_FlowsAreSortedByTableThenDescendingPriority(string topologyName, string host)
    {
        var compiled = Compile(Named(topologyName), host);

        foreach (var set in compiled.Bridges.Values)
        {
            var order = set.Flows.Select(f => (f.TableId, -f.Priority)).ToList();
            Assert.That(order, Is.Ordered, set.BridgeName);
        }
    }

    [Test]
    public void Compile_UnknownHost_NamesTheHostAndTheKnownOnes()
    {
        var topology = WorkedExample();

        var error = Assert.Throws<UnknownHostException>(() => DvrFlowCompiler.Compile(topology, "cn9", SyntheticPortMap.For(topology, "cn1")));

        Assert.That(error!.Message, Is.EqualTo("unknown host 'cn9'; the topology has: cn1, cn2, nn"));
    }

    [Test]
    public void Compile_MissingPort_FlowWaitsInsteadOfBeingEmitted()
    {
        var topology = WorkedExample();
        var ports = new MapWithout(SyntheticPortMap.For(topology, "cn1"), "br-int", "qvovm1");

        var compiled = DvrFlowCompiler.Compile(topology, "cn1", ports);

        Assert.Multiple(() =>
        {
            Assert.That(compiled["br-int"].OwnedBy(FlowOwner.Port("vm1")), Is.Empty);
            Assert.That(compiled.Waiting.Select(w => (w.BridgeName, w.MissingInterface, w.Owner)).Distinct(),
                Is.EqualTo(new[] { ("br-int", "qvovm1", FlowOwner.Port("vm1")) }));
        });
    }

    public static IEnumerable<TestCaseData> Additions()
    {
        var extraVm = Port("vm9", "red", "qvovm9", "fa:16:3e:00:01:99", DeviceOwner.Compute, "cn1", null, ("red-v4", "10.0.1.99"));
        yield return new TestCaseData("port", (Func<global::Dvr.DvrFlows.Topology.Topology, global::Dvr.DvrFlows.Topology.Topology>)(t => t with { Ports = Sorted(t.Ports.Add(extraVm)) }));

        yield return new TestCaseData("remote port", (Func<global::Dvr.DvrFlows.Topology.Topology, global::Dvr.DvrFlows.Topology.Topology>)(t =>
            t with { Ports = Sorted(t.Ports.Add(extraVm with { Host = "cn2" })) }));

        var blueNet = new Network("blue9", NetworkType.Vxlan, 3009, null);
        var blueSubnet = Subnet("blue9-v4", "blue9", "10.0.9.0/24", "10.0.9.1");
        var qrBlue = Port("qr-blue9", "blue9", "qr-blue9", "fa:16:3e:00:09:01", DeviceOwner.RouterInterfaceDistributed, null, "r", ("blue9-v4", "10.0.9.1"));
        var vmBlue = Port("vm-blue9", "blue9", "qvoblue9", "fa:16:3e:00:09:10", DeviceOwner.Compute, "cn2", null, ("blue9-v4", "10.0.9.10"));
        yield return new TestCaseData("subnet with a router interface and a VM", (Func<global::Dvr.DvrFlows.Topology.Topology, global::Dvr.DvrFlows.Topology.Topology>)(t => t with
        {
            Networks = [.. t.Networks.Add(blueNet).OrderBy(n => n.Name, StringComparer.Ordinal)],
            Subnets = [.. t.Subnets.Add(blueSubnet).OrderBy(s => s.Name, StringComparer.Ordinal)],
            Ports = Sorted(t.Ports.Add(qrBlue).Add(vmBlue)),
        }));

        var ipv6 = Subnet("red-v6b", "red", "2001:db8:9::/64", "2001:db8:9::1");
        yield return new TestCaseData("router interface on a new IPv6 subnet", (Func<global::Dvr.DvrFlows.Topology.Topology, global::Dvr.DvrFlows.Topology.Topology>)(t => t with
        {
            Subnets = [.. t.Subnets.Add(ipv6).OrderBy(s => s.Name, StringComparer.Ordinal)],
            Ports = Sorted(t.Ports.Add(Port("qr-red6", "red", "qr-red6", "fa:16:3e:00:01:06", DeviceOwner.RouterInterfaceDistributed, null, "r", ("red-v6b", "2001:db8:9::1")))),
        }));

        var cn3 = Host("cn3", AgentMode.Dvr, "192.0.2.21", "fa:16:3f:55:55:55", 0x21, "external");
        yield return new TestCaseData("host with a VM", (Func<global::Dvr.DvrFlows.Topology.Topology, global::Dvr.DvrFlows.Topology.Topology>)(t => t with
        {
            Hosts = [.. t.Hosts.Add(cn3).OrderBy(h => h.Name, StringComparer.Ordinal)],
            Ports = Sorted(t.Ports.Add(extraVm with { Host = "cn3" })),
        }));
    }

    private static ImmutableArray<Port> Sorted(ImmutableArray<Port> ports) => [.. ports.OrderBy(p => p.Name, StringComparer.Ordinal)];

    [TestCaseSource(nameof(Additions))]
    public void AddThenRemove_RestoresTheExactFlowsOnEveryHost(string what, Func<global::Dvr.DvrFlows.Topology.Topology, global::Dvr.DvrFlows.Topology.Topology> add)
    {
        foreach (var baseline in new[] { WorkedExample(), Mixed() })
        {
            var extended = add(baseline);
            var removed = extended with
            {
                Hosts = [.. extended.Hosts.Where(h => baseline.FindHost(h.Name) is not null)],
                Networks = [.. extended.Networks.Where(n => baseline.FindNetwork(n.Name) is not null)],
                Subnets = [.. extended.Subnets.Where(s => baseline.FindSubnet(s.Name) is not null)],
                Ports = [.. extended.Ports.Where(p => baseline.FindPort(p.Name) is not null)],
            };

            foreach (var host in baseline.Hosts)
            {
                var compiler = new FlowCompiler(host.Name);
                compiler.Update(baseline, SyntheticPortMap.For(baseline, host.Name));
                var before = compiler.Current;
                var addChanges = compiler.Update(extended, SyntheticPortMap.For(extended, host.Name));
                var removeChanges = compiler.Update(removed, SyntheticPortMap.For(removed, host.Name));

                Assert.That(compiler.Current.AllFlows, Is.EqualTo(before.AllFlows), $"{what}: {host.Name}");
                Assert.That(removeChanges.Select(c => (c.BridgeName, c.Owner, c.After)),
                    Is.EqualTo(addChanges.Select(c => (c.BridgeName, c.Owner, c.Before))), $"{what}: removal undoes exactly the addition on {host.Name}");
            }
        }
    }

    [Test]
    public void AddPortOnANetworkAlreadyPresent_ChangesOnlyThatPortsOwnerOnEveryHost()
    {
        var baseline = WorkedExample();
        var vm9 = Port("vm9", "red", "qvovm9", "fa:16:3e:00:01:99", DeviceOwner.Compute, "cn1", null, ("red-v4", "10.0.1.99"));
        var extended = baseline with { Ports = Sorted(baseline.Ports.Add(vm9)) };

        foreach (var host in baseline.Hosts)
        {
            // The port map of the extended topology, so only the topology change is measured.
            var ports = SyntheticPortMap.For(extended, host.Name);
            var before = DvrFlowCompiler.Compile(baseline, host.Name, ports);
            var after = DvrFlowCompiler.Compile(extended, host.Name, ports);

            var changes = FlowCompiler.Diff(before, after);

            Assert.That(changes.Select(c => c.Owner).Distinct(), Is.EqualTo(new[] { FlowOwner.Port("vm9") }), host.Name);
        }
    }

    [TestCase("vm1")]
    [TestCase("qr-red")]
    [TestCase("dhcp-red")]
    public void RemovingAnEntity_RemovesExactlyTheFlowsItOwnsOnCn1(string portName)
    {
        // Removing one port that leaves every network and router placement as it was removes exactly its owner's flows.
        var baseline = WorkedExample();
        var extra = Port("vm9", "red", "qvovm9", "fa:16:3e:00:01:99", DeviceOwner.Compute, "cn1", null, ("red-v4", "10.0.1.99"));
        var extraNn = Port("dhcp9", "red", "tapdhcp9", "fa:16:3e:00:01:98", DeviceOwner.Dhcp, "nn", null, ("red-v4", "10.0.1.98"));
        // A green VM on cn1 keeps router r on cn1 when qr-red goes (DVR scheduling needs a serviced port on one of its subnets).
        var green = Port("vm8", "green", "qvovm8", "fa:16:3e:00:02:88", DeviceOwner.Compute, "cn1", null, ("green-v4", "10.0.2.88"));
        // A red VM on cn2 keeps red present on cn2 (so the flood list of red on cn1 stays) when qr-red goes.
        var red = Port("vm7", "red", "qvovm7", "fa:16:3e:00:01:77", DeviceOwner.Compute, "cn2", null, ("red-v4", "10.0.1.77"));
        var topology = baseline with { Ports = Sorted(baseline.Ports.Add(extra).Add(extraNn).Add(green).Add(red)) };
        var ports = SyntheticPortMap.For(topology, "cn1");
        var full = DvrFlowCompiler.Compile(topology, "cn1", ports);
        var owner = portName.StartsWith("qr-", StringComparison.Ordinal) ? FlowOwner.RouterInterface(portName) : FlowOwner.Port(portName);
        var without = topology with { Ports = [.. topology.Ports.Where(p => p.Name != portName)] };
        var compiled = DvrFlowCompiler.Compile(without, "cn1", ports);

        var expected = full.AllFlows.Where(f => f.Owner != owner && !(owner.Kind == FlowOwnerKind.RouterInterface && IsDeliveryOnRedSubnet(f))).ToList();
        Assert.That(compiled.AllFlows, Is.EqualTo(expected));
        Assert.That(full.AllFlows.Count(f => f.Owner == owner), Is.GreaterThan(0));
    }

    // Removing the router interface also ends DVR delivery (1/20 + 60/20, owned by the local ports) on its subnet.
    private static bool IsDeliveryOnRedSubnet(DesiredFlow flow) =>
        flow.Priority == BrIntPriority.DvrDirectDelivery && flow.Role.Contains(" on red-v4", StringComparison.Ordinal);

    private sealed class MapWithout(IPortMap inner, string bridge, string name) : IPortMap
    {
        public bool TryGetOfPort(string bridgeName, string interfaceName, out uint ofPort)
        {
            ofPort = 0;
            return !(bridgeName == bridge && interfaceName == name) && inner.TryGetOfPort(bridgeName, interfaceName, out ofPort);
        }
    }
}
