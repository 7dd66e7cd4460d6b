using Dvr.DvrFlows.Compiler;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Topology;
using NUnit.Framework;
using static Dvr.DvrFlows.Tests.Compiler.TestTopologies;
using TopologyModel = Dvr.DvrFlows.Topology.Topology;

namespace Dvr.DvrFlows.Tests.Compiler;

/// <summary>
/// A full compile adds each network's l2pop entries as a block shared by the hosts that reach the same port hosts
/// through the same tunnel ofports (<see cref="L2popBlocks"/>). A block must be exactly what the per-port path
/// builds on that host, whichever host built it first.
/// </summary>
public class SharedL2popTests
{
    /// <summary>
    /// 12 hosts (one legacy), 24 vxlan networks with 4 ports each on hosts 2n … 2n+3 (one port admin down, one
    /// unbound), 3 distributed routers on 8 networks each: networks span a third of the hosts, so the tunnel
    /// ofports to a network's port hosts differ between hosts and the same block serves only some of them.
    /// </summary>
    private static TopologyModel Cloud()
    {
        var hosts = Enumerable.Range(0, 12).Select(h =>
            Host($"h{h:D2}", h == 11 ? AgentMode.Legacy : h == 10 ? AgentMode.DvrSnat : AgentMode.Dvr, $"192.0.2.{10 + h}", $"fa:16:3f:00:00:{h:x2}", 0x40 + h));
        var networks = Enumerable.Range(0, 24).Select(n => new Network($"n{n:D2}", NetworkType.Vxlan, (uint)(500 + n), null));
        var subnets = Enumerable.Range(0, 24).Select(n => Subnet($"s{n:D2}", $"n{n:D2}", $"10.1.{n}.0/24", $"10.1.{n}.1"));
        var routers = Enumerable.Range(0, 3).Select(r => new Router($"r{r}", true, null));
        var ports = new List<Port>();
        for (int n = 0; n < 24; n++)
        {
            ports.Add(Port($"qr-n{n:D2}", $"n{n:D2}", $"qr-n{n:D2}", $"fa:16:3e:ff:00:{n:x2}", DeviceOwner.RouterInterfaceDistributed, null, $"r{n / 8}", ($"s{n:D2}", $"10.1.{n}.1")));
            for (int k = 0; k < 4; k++)
            {
                var port = Port($"vm{n:D2}{k}", $"n{n:D2}", $"qvo{n:D2}{k}", $"fa:16:3e:00:{n:x2}:{k:x2}", DeviceOwner.Compute, $"h{((2 * n) + k) % 12:D2}", null, ($"s{n:D2}", $"10.1.{n}.{10 + k}"));
                ports.Add(n == 5 && k == 1 ? port with { AdminStateUp = false } : n == 7 && k == 2 ? port with { Host = null } : port);
            }
        }

        return Make(hosts, networks, subnets, routers, ports);
    }

    private static IEnumerable<(string Name, TopologyModel Topology)> Topologies() =>
        [("cloud", Cloud()), ("worked-example", WorkedExample()), ("mixed", Mixed())];

    [Test]
    public void FullCompile_EqualsThePerPortPathOnEveryHost()
    {
        foreach (var (name, topology) in Topologies())
        {
            foreach (var host in topology.Hosts)
            {
                // Arrange: the per-port path runs when the sink keeps only some owners; keeping every owner of the
                // full compile must give the same flows.
                var ports = SyntheticPortMap.For(topology, host.Name);
                var full = DvrFlowCompiler.Compile(topology, host.Name, ports);
                var owners = full.Bridges.Values.SelectMany(b => b.ByOwner.Keys).Concat(full.Waiting.Select(w => w.Owner)).ToHashSet();

                // Act
                var perPort = DvrFlowCompiler.Run(HostPlan.Create(topology, host.Name), new FlowSink(ports, owners));

                // Assert
                foreach (var (bridge, set) in full.Bridges)
                {
                    Assert.That(perPort.Flows.GetValueOrDefault(bridge, []), Is.EqualTo(set.Flows), $"{name} {host.Name} {bridge}");
                }

                Assert.That(perPort.Waiting, Is.EqualTo(full.Waiting), $"{name} {host.Name}");
            }
        }
    }

    [Test]
    public void FullCompile_DoesNotDependOnWhichHostBuiltABlockFirst()
    {
        var topology = Cloud();
        var maps = topology.Hosts.ToDictionary(h => h.Name, h => SyntheticPortMap.For(topology, h.Name));

        // Arrange: each host alone with a memo of its own, then all hosts in two orders sharing one memo each.
        var alone = topology.Hosts.ToDictionary(h => h.Name, h => DvrFlowCompiler.Compile(topology with { }, h.Name, maps[h.Name]));
        var forward = topology with { };
        var backward = topology with { };

        // Act
        var inOrder = topology.Hosts.ToDictionary(h => h.Name, h => DvrFlowCompiler.Compile(forward, h.Name, maps[h.Name]));
        var reversed = topology.Hosts.Reverse().ToDictionary(h => h.Name, h => DvrFlowCompiler.Compile(backward, h.Name, maps[h.Name]));

        // Assert
        foreach (var host in topology.Hosts)
        {
            Assert.That(inOrder[host.Name].AllFlows, Is.EqualTo(alone[host.Name].AllFlows), host.Name);
            Assert.That(reversed[host.Name].AllFlows, Is.EqualTo(alone[host.Name].AllFlows), host.Name);
        }

        var blocks = TopologyIndex.For(forward).Memo.L2popBlockCount;
        var networksOnHosts = topology.Hosts.Sum(h => TopologyIndex.For(forward).NetworksByHost[h.Name].Count);
        Assert.That(blocks, Is.InRange(1, networksOnHosts - 1), "some blocks should be shared, and more than one built");
    }

    [Test]
    public void FullCompile_MissingTunnelPort_EntriesWaitAsOnThePerPortPath()
    {
        // Arrange: h00 has no tunnel port to h03 yet (a port map without it).
        var topology = Cloud();
        var map = SyntheticPortMap.For(topology, "h00");
        var tunnelToH03 = map.Interfaces.Single(i => i.RemoteIp?.ToString() == "192.0.2.13").Name;
        var ports = new WithoutInterface(map, tunnelToH03);

        // Act
        var compiled = DvrFlowCompiler.Compile(topology, "h00", ports);

        // Assert: the ports on h03 wait for the tunnel; the others of their networks are still there.
        var waiting = compiled.Waiting.Where(w => w.MissingInterface == tunnelToH03 && w.Owner.Kind == FlowOwnerKind.Port).Select(w => w.Owner.Id).ToList();
        Assert.That(waiting, Is.Not.Empty);
        Assert.That(waiting, Is.All.Matches<string>(p => topology.GetPort(p).Host == "h03"));
        var tunnel = compiled["br-tun"];
        Assert.That(tunnel.ByOwner.Keys.Select(o => o.Id), Has.None.AnyOf(waiting.Cast<object>().ToArray()).And.Contains("vm001"));
    }

    private sealed class WithoutInterface(IPortMap inner, string missing) : IPortMap
    {
        public bool TryGetOfPort(string bridgeName, string interfaceName, out uint ofPort)
        {
            ofPort = 0;
            return interfaceName != missing && inner.TryGetOfPort(bridgeName, interfaceName, out ofPort);
        }
    }
}
