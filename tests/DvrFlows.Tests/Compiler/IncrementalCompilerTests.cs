using System.Collections.Immutable;
using System.Net;
using Dvr.DvrFlows.Compiler;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Topology;
using Dvr.OpenFlow;
using NUnit.Framework;
using static Dvr.DvrFlows.Tests.Compiler.TestTopologies;
using TopologyModel = Dvr.DvrFlows.Topology.Topology;

namespace Dvr.DvrFlows.Tests.Compiler;

public class IncrementalCompilerTests
{
    /// <summary>
    /// The property: for many random single-port edits (add, remove, move to another host or network, new MAC,
    /// new IP, admin state, port security) of random topologies, the incremental result equals a full compile
    /// of the edited topology on every host and bridge (flows, waiting flows, conflicts), and the reported
    /// change set equals the owner diff of the two full compiles.
    /// </summary>
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(4)]
    [TestCase(5)]
    [TestCase(6)]
    [TestCase(7)]
    [TestCase(8)]
    public void Apply_RandomSinglePortEdits_EqualsFullRecompile(int seed)
    {
        var random = new Random(seed);
        var topology = RandomTopology(random);
        var maps = HashMaps(topology);
        var compiler = new IncrementalCompiler(topology, maps);
        int incremental = 0;

        for (int step = 0; step < 60; step++)
        {
            var (next, change) = RandomEdit(random, topology, step);
            var before = topology.Hosts.ToDictionary(h => h.Name, h => DvrFlowCompiler.Compile(topology, h.Name, maps[h.Name]), StringComparer.Ordinal);

            var update = compiler.Apply(next, [change]);

            string what = $"seed {seed} step {step}: {Describe(change)}";
            foreach (var host in next.Hosts)
            {
                var full = DvrFlowCompiler.Compile(next, host.Name, maps[host.Name]);
                var actual = compiler[host.Name];
                Assert.That(actual.Bridges.Keys, Is.EqualTo(full.Bridges.Keys), what);
                foreach (var (bridge, set) in full.Bridges)
                {
                    Assert.That(actual[bridge].Flows, Is.EqualTo(set.Flows), $"{what}: {host.Name} {bridge}");
                    Assert.That(actual[bridge].ByOwner.Keys, Is.EqualTo(set.ByOwner.Keys), $"{what}: {host.Name} {bridge} owners");
                }

                Assert.That(actual.Waiting, Is.EqualTo(full.Waiting), $"{what}: {host.Name} waiting");
                Assert.That(actual.Conflicts, Is.EqualTo(full.Conflicts), $"{what}: {host.Name} conflicts");
                var expectedChanges = FlowCompiler.Diff(before[host.Name], full)
                    .Select(c => (c.BridgeName, c.Owner, Before: string.Join("\n", c.Before), After: string.Join("\n", c.After)));
                var reported = update.Changes.Where(c => c.HostName == host.Name)
                    .Select(c => (c.BridgeName, c.Owner, Before: string.Join("\n", c.Before), After: string.Join("\n", c.After)));
                Assert.That(reported, Is.EquivalentTo(expectedChanges), $"{what}: {host.Name} change set");
            }

            Assert.That(TopologyIndex.For(next).SameLookupsAs(TopologyIndex.BuildUncached(next), out string difference), Is.True, $"{what}: derived index differs in {difference}");
            if (update.WasIncremental)
            {
                incremental++;
            }

            topology = next;
        }

        // Router interface edits fall back on purpose; everything else must take the incremental path.
        Assert.That(incremental, Is.GreaterThan(40), $"seed {seed}: only {incremental} of 60 edits were incremental");
    }

    [Test]
    public void Apply_PortOnANetworkAlreadyPresent_PatchesOnlyThatPortsOwner()
    {
        var topology = WorkedExample();
        var vm9 = Port("vm9", "red", "qvovm9", "fa:16:3e:00:01:99", DeviceOwner.Compute, "cn2", null, ("red-v4", "10.0.1.99"));
        var next = topology with { Ports = [.. topology.Ports.Add(vm9).OrderBy(p => p.Name, StringComparer.Ordinal)] };

        // The switch numbers the new port; no other port is renumbered: the maps of the edited topology.
        var maps = next.Hosts.ToDictionary(h => h.Name, h => (IPortMap)SyntheticPortMap.For(next, h.Name), StringComparer.Ordinal);
        var compiler = new IncrementalCompiler(topology, maps);

        var update = compiler.Update(next);

        Assert.That(update.WasIncremental, Is.True, update.FullRecompileReason);
        Assert.That(update.HostsRecompiled, Is.Empty);
        Assert.That(update.Changes.Select(c => c.Owner).Distinct(), Is.EqualTo(new[] { FlowOwner.Port("vm9") }));
        Assert.That(update.Changes.Select(c => c.HostName).Distinct(), Is.EquivalentTo(topology.Hosts.Where(h => topology.NetworksOnHost(h.Name).Contains("red")).Select(h => h.Name)));
    }

    [Test]
    public void Update_RouterChange_FallsBackToAFullRecompileWithTheReason()
    {
        var topology = WorkedExample();
        var maps = topology.Hosts.ToDictionary(h => h.Name, h => (IPortMap)SyntheticPortMap.For(topology, h.Name), StringComparer.Ordinal);
        var compiler = new IncrementalCompiler(topology, maps);
        var next = topology with { Routers = [.. topology.Routers.Select(r => r with { Distributed = !r.Distributed })] };

        var update = compiler.Update(next);

        Assert.That(update.FullRecompileReason, Is.EqualTo("routers changed"));
        Assert.That(update.HostsRecompiled, Is.EquivalentTo(topology.Hosts.Select(h => h.Name)));
        foreach (var host in next.Hosts)
        {
            Assert.That(compiler[host.Name].AllFlows, Is.EqualTo(DvrFlowCompiler.Compile(next, host.Name, maps[host.Name]).AllFlows), host.Name);
        }
    }

    [Test]
    public void TryDiff_FindsAddedRemovedAndChangedPorts()
    {
        var topology = WorkedExample();
        var vm9 = Port("vm9", "red", "qvovm9", "fa:16:3e:00:01:99", DeviceOwner.Compute, "cn2", null, ("red-v4", "10.0.1.99"));
        var first = topology.Ports.First(p => p.DeviceOwner == DeviceOwner.Compute);
        var last = topology.Ports.Last(p => p.DeviceOwner == DeviceOwner.Compute && p != first);
        var next = topology with
        {
            Ports = [.. topology.Ports.Where(p => p != last).Select(p => p == first ? p with { AdminStateUp = !p.AdminStateUp } : p).Append(vm9).OrderBy(p => p.Name, StringComparer.Ordinal)],
        };

        bool ok = IncrementalCompiler.TryDiff(topology, next, out var changes, out string? reason);

        Assert.That(ok, Is.True, reason);
        Assert.That(changes.Select(Describe), Is.EquivalentTo(new[] { $"change {first.Name}", $"remove {last.Name}", "add vm9" }));
    }

    /// <summary>
    /// The controller's path after a file reload: every record of the new topology is a new object (equal by value
    /// where unchanged), so the diff compares by value and the derived index must find the changed port's older
    /// object by name. Random single-port edits, each reloaded, through <see cref="IncrementalCompiler.Update"/>.
    /// </summary>
    [TestCase(11)]
    [TestCase(12)]
    [TestCase(13)]
    [TestCase(14)]
    public void Update_RandomEditsOfReloadedTopologies_EqualsFullRecompile(int seed)
    {
        var random = new Random(seed);
        var topology = RandomTopology(random);
        var maps = HashMaps(topology);
        var compiler = new IncrementalCompiler(Reloaded(topology), maps);

        for (int step = 0; step < 40; step++)
        {
            var (edited, change) = RandomEdit(random, topology, step);
            var next = Reloaded(edited);

            var update = compiler.Update(next);

            string what = $"seed {seed} step {step}: {Describe(change)}";
            Assert.That(update.WasIncremental, Is.True, $"{what}: {update.FullRecompileReason}");
            // Some edits change nothing (a port moved to the host it is on): no port differs then.
            string[] changed = Equals(change.Before, change.After) ? [] : [change.Name];
            Assert.That(update.Ports.Select(p => p.Name), Is.EqualTo(changed), what);
            foreach (var host in next.Hosts)
            {
                var full = DvrFlowCompiler.Compile(next, host.Name, maps[host.Name]);
                Assert.That(compiler[host.Name].AllFlows, Is.EqualTo(full.AllFlows), $"{what}: {host.Name}");
                Assert.That(compiler[host.Name].Waiting, Is.EqualTo(full.Waiting), $"{what}: {host.Name} waiting");
            }

            Assert.That(TopologyIndex.For(next).SameLookupsAs(TopologyIndex.BuildUncached(next), out string difference), Is.True, $"{what}: derived index differs in {difference}");
            topology = next;
        }
    }

    /// <summary>
    /// The name-order walk of <see cref="IncrementalCompiler.TryDiff"/> finds exactly the changes a comparison by
    /// name and value finds, for random edits of up to four ports (some undoing each other) between topologies that
    /// share unchanged ports, that were reloaded (no port shared), or whose ports are out of name order (shuffled, or
    /// two neighbours swapped, which only the walk's own order checks can notice).
    /// </summary>
    [TestCase(21)]
    [TestCase(22)]
    [TestCase(23)]
    [TestCase(24)]
    public void TryDiff_RandomMultiPortEdits_FindsExactlyTheChangesByNameAndValue(int seed)
    {
        var random = new Random(seed);
        var topology = RandomTopology(random);
        int added = 0;
        for (int step = 0; step < 60; step++)
        {
            var next = RandomPortEdits(random, topology, ref added);
            var shuffled = next with { Ports = [.. next.Ports.OrderBy(_ => random.Next())] };
            int swap = random.Next(next.Ports.Length - 1);
            var swapped = next with { Ports = next.Ports.SetItem(swap, next.Ports[swap + 1]).SetItem(swap + 1, next.Ports[swap]) };
            var cases = new[]
            {
                ("shared", topology, next),
                ("reloaded", topology, Reloaded(next)),
                ("after shuffled", topology, shuffled),
                ("after with two neighbours swapped", topology, swapped),
                ("before shuffled", topology with { Ports = [.. topology.Ports.OrderBy(_ => random.Next())] }, next),
            };
            foreach (var (label, from, to) in cases)
            {
                bool ok = IncrementalCompiler.TryDiff(from, to, out var changes, out string? reason);

                Assert.That(ok, Is.True, $"seed {seed} step {step} {label}: {reason}");
                Assert.That(changes.Select(c => (c.Name, c.Before, c.After)), Is.EqualTo(ChangesByName(from, to)), $"seed {seed} step {step} {label}");
            }

            topology = random.Next(2) == 0 ? next : Reloaded(next);
        }
    }

    /// <summary>
    /// A derived index keeps the lists edits replaced on top of a shared dictionary and folds them into a new one
    /// past a limit: 100 successive edits, each on another network, subnet and (for some) host, keep every lookup
    /// equal to an index built from scratch.
    /// </summary>
    [Test]
    public void WithPortChanges_ManySuccessiveEditsOnDifferentLists_SameLookupsAsAFreshIndex()
    {
        const int Count = 100;
        var hosts = Enumerable.Range(0, 4).Select(h => Host($"h{h}", AgentMode.Dvr, $"192.0.2.{10 + h}", $"fa:16:3f:00:00:{h + 1:x2}", h));
        var networks = Enumerable.Range(0, Count).Select(n => new Network($"n{n:D3}", NetworkType.Vxlan, 1000u + (uint)n, null));
        var subnets = Enumerable.Range(0, Count).Select(n => Subnet($"s{n:D3}", $"n{n:D3}", $"10.{n}.0.0/24", $"10.{n}.0.1"));
        var ports = Enumerable.Range(0, Count).Select(n => Port($"p{n:D3}", $"n{n:D3}", $"tap{n:D3}", $"fa:16:3e:00:00:{n:x2}", DeviceOwner.Compute, $"h{n % 4}", null, ($"s{n:D3}", $"10.{n}.0.10")));
        var topology = Make(hosts, networks, subnets, [], ports);
        var index = TopologyIndex.BuildUncached(topology);

        for (int n = 0; n < Count; n++)
        {
            var port = topology.Ports[n];
            var moved = port with { Host = n % 3 == 0 ? $"h{(n + 1) % 4}" : port.Host, Mac = MacAddress.Parse($"fa:16:3e:00:01:{n:x2}") };
            var next = topology with { Ports = topology.Ports.SetItem(n, moved) };

            index = index.WithPortChanges(next, [new PortChange(port, moved)], out _, out _);

            Assert.That(index.SameLookupsAs(TopologyIndex.BuildUncached(next), out string difference), Is.True, $"edit {n}: {difference}");
            topology = next;
        }
    }

    [Test]
    public void TryDiff_PortListedTwice_IsNotIncremental()
    {
        var topology = WorkedExample();
        var vm1 = topology.GetPort("vm1");
        var twice = topology with { Ports = [.. topology.Ports.Add(vm1 with { Mac = MacAddress.Parse("fa:16:3e:00:01:11") }).OrderBy(p => p.Name, StringComparer.Ordinal)] };

        bool ok = IncrementalCompiler.TryDiff(topology, twice, out var changes, out string? reason);

        Assert.That(ok, Is.False);
        Assert.That(reason, Is.EqualTo("port vm1 is listed twice"));
        Assert.That(changes, Is.Empty);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void TryDiff_MoreThanMaxPortsChanged_IsNotIncremental(bool shuffled)
    {
        var topology = WorkedExample();
        var extra = Enumerable.Range(0, IncrementalCompiler.MaxIncrementalPorts + 1)
            .Select(i => Port($"vm-x{i:D3}", "red", $"qvox{i:D3}", $"fa:16:3e:00:09:{i:x2}", DeviceOwner.Compute, "cn1", null, ("red-v4", $"10.0.1.{100 + i}")));
        var ports = topology.Ports.Concat(extra).OrderBy(p => p.Name, StringComparer.Ordinal);
        var next = topology with { Ports = [.. shuffled ? ports.Reverse() : ports] };

        bool ok = IncrementalCompiler.TryDiff(topology, next, out var changes, out string? reason);

        Assert.That(ok, Is.False);
        Assert.That(reason, Is.EqualTo($"more than {IncrementalCompiler.MaxIncrementalPorts} ports changed"));
        Assert.That(changes, Is.Empty);
    }

    /// <summary>Every record a new object equal to the old one (strings copied too), as loading the same file again makes them.</summary>
    private static TopologyModel Reloaded(TopologyModel topology)
    {
        static string Copy(string text) => new(text.AsSpan());
        return topology with
        {
            Global = topology.Global with { },
            Hosts = [.. topology.Hosts.Select(h => h with { Name = Copy(h.Name) })],
            Networks = [.. topology.Networks.Select(n => n with { Name = Copy(n.Name) })],
            Subnets = [.. topology.Subnets.Select(s => s with { Name = Copy(s.Name) })],
            Routers = [.. topology.Routers.Select(r => r with { Name = Copy(r.Name) })],
            Ports = [.. topology.Ports.Select(p => p with
            {
                Name = Copy(p.Name),
                Network = Copy(p.Network),
                FixedIps = [.. p.FixedIps.Select(f => new FixedIp(Copy(f.Subnet), IPAddress.Parse(f.Ip.ToString())))],
                AllowedAddressPairs = [.. p.AllowedAddressPairs.Select(a => a with { })],
            })],
        };
    }

    /// <summary>Up to four random port edits (add, remove, change MAC, admin state, host or fixed IPs; an edit may undo another), ports kept in name order.</summary>
    private static TopologyModel RandomPortEdits(Random random, TopologyModel topology, ref int added)
    {
        var ports = topology.Ports.ToList();
        int edits = random.Next(0, 5);
        for (int i = 0; i < edits; i++)
        {
            int at = random.Next(ports.Count);
            var port = ports[at];
            switch (ports.Count < 2 ? 0 : random.Next(6))
            {
                case 0:
                    ports.Add(port with { Name = $"x{added:D4}", Interface = $"tapx{added:D4}", Mac = MacAddress.Parse($"fa:16:3e:77:{added >> 8:x2}:{added & 0xff:x2}") });
                    added++;
                    break;
                case 1:
                    ports.RemoveAt(at);
                    break;
                case 2:
                    ports[at] = port with { Mac = MacAddress.Parse($"fa:16:3e:66:{random.Next(4):x2}:{random.Next(4):x2}") };
                    break;
                case 3:
                    ports[at] = port with { AdminStateUp = !port.AdminStateUp };
                    break;
                case 4:
                    ports[at] = port with { Host = random.Next(3) == 0 ? null : topology.Hosts[random.Next(topology.Hosts.Length)].Name };
                    break;
                default:
                    ports[at] = port with { FixedIps = [.. port.FixedIps.Take(random.Next(port.FixedIps.Length + 1))] };
                    break;
            }
        }

        return topology with { Ports = [.. ports.OrderBy(p => p.Name, StringComparer.Ordinal)] };
    }

    /// <summary>The reference: ports matched by name through dictionaries, compared by value, in name order.</summary>
    private static List<(string Name, Port? Before, Port? After)> ChangesByName(TopologyModel before, TopologyModel after)
    {
        var old = before.Ports.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var now = after.Ports.ToDictionary(p => p.Name, StringComparer.Ordinal);
        return [.. old.Keys.Union(now.Keys)
            .Order(StringComparer.Ordinal)
            .Select(name => (Name: name, Before: old.GetValueOrDefault(name), After: now.GetValueOrDefault(name)))
            .Where(c => c.Before is null || c.After is null || !c.Before.Equals(c.After))];
    }

    private static string Describe(PortChange change) =>
        change.Before is null ? $"add {change.Name}" : change.After is null ? $"remove {change.Name}" : $"change {change.Name}";

    private static TopologyModel RandomTopology(Random random)
    {
        int hostCount = random.Next(3, 7);
        var hosts = new List<Host>();
        for (int h = 0; h < hostCount; h++)
        {
            var mode = h == 0 ? AgentMode.DvrSnat : random.Next(6) == 0 ? AgentMode.Legacy : AgentMode.Dvr;
            string[] physnets = random.Next(3) == 0 ? [] : ["physnet1"];
            hosts.Add(Host($"h{h}", mode, $"192.0.2.{10 + h}", $"fa:16:3f:00:00:{h + 1:x2}", h, physnets));
        }

        var networks = new List<Network>();
        var subnets = new List<Subnet>();
        int networkCount = random.Next(3, 7);
        for (int n = 0; n < networkCount; n++)
        {
            var type = random.Next(4) switch { 0 => NetworkType.Vlan, 1 when n % 2 == 0 => NetworkType.Flat, _ => NetworkType.Vxlan };
            if (type == NetworkType.Flat && networks.Any(x => x.Type == NetworkType.Flat))
            {
                type = NetworkType.Vxlan;
            }

            networks.Add(new Network($"n{n}", type, type switch { NetworkType.Vxlan => 1000u + (uint)n, NetworkType.Vlan => 100u + (uint)n, _ => null }, type == NetworkType.Vxlan ? null : "physnet1"));
            subnets.Add(Subnet($"s{n}", $"n{n}", $"10.0.{n}.0/24", $"10.0.{n}.1"));
            if (random.Next(3) == 0)
            {
                subnets.Add(Subnet($"s{n}-v6", $"n{n}", $"2001:db8:{n}::/64", $"2001:db8:{n}::1"));
            }
        }

        var routers = new List<Router> { new("r0", true, null), new("r1", true, null), new("lr", false, null) };
        var ports = new List<Port>();
        for (int n = 0; n < networkCount; n++)
        {
            int pick = random.Next(5);
            if (pick < 3)
            {
                string router = pick == 2 ? "r1" : "r0";
                var ips = new List<(string, string)> { ($"s{n}", $"10.0.{n}.1") };
                if (subnets.Any(s => s.Name == $"s{n}-v6"))
                {
                    ips.Add(($"s{n}-v6", $"2001:db8:{n}::1"));
                }

                ports.Add(Port($"qr-n{n}", $"n{n}", $"qr-n{n}", $"fa:16:3e:ff:00:{n:x2}", DeviceOwner.RouterInterfaceDistributed, null, router, [.. ips]));
            }
            else if (pick == 3)
            {
                ports.Add(Port($"qr-n{n}", $"n{n}", $"qr-n{n}", $"fa:16:3e:ff:00:{n:x2}", DeviceOwner.RouterInterface, "h0", "lr", ($"s{n}", $"10.0.{n}.1")));
            }
        }

        var topology = Make(hosts, networks, subnets, routers, ports);
        int portCount = random.Next(4, 14);
        for (int i = 0; i < portCount; i++)
        {
            topology = AddPort(random, topology, i + 100);
        }

        return topology;
    }

    private static TopologyModel AddPort(Random random, TopologyModel topology, int id)
    {
        var port = NewPort(random, topology, id);
        return topology with { Ports = [.. topology.Ports.Add(port).OrderBy(p => p.Name, StringComparer.Ordinal)] };
    }

    private static Port NewPort(Random random, TopologyModel topology, int id)
    {
        var network = topology.Networks[random.Next(topology.Networks.Length)];
        var host = topology.Hosts[random.Next(topology.Hosts.Length)];
        var owner = random.Next(6) switch { 0 => DeviceOwner.Dhcp, 1 when host.AgentMode == AgentMode.DvrSnat => DeviceOwner.RouterCentralizedSnat, _ => DeviceOwner.Compute };
        // Initial ports (id 100..) end in 10.., added ones (id 1000 + step) in 70..; edits use 140.. (below).
        var ips = FixedIps(random, topology, network.Name, id >= 1000 ? 70 + (id - 1000) : 10 + (id - 100));
        var port = Port($"p{id}", network.Name, $"tap{id}", $"fa:16:3e:00:{id >> 8:x2}:{id & 0xff:x2}", owner, host.Name, owner == DeviceOwner.RouterCentralizedSnat ? "r0" : null, ips);
        if (random.Next(4) == 0)
        {
            port = port with { AllowedAddressPairs = [new AllowedAddressPair(IpPrefix.Parse($"{ips[0].Ip}/32"), MacAddress.Parse($"fa:16:3e:aa:{id >> 8:x2}:{id & 0xff:x2}"))] };
        }

        return port;
    }

    /// <summary>Fixed IPs ending in <paramref name="host"/> (2..254) on the network's subnets: the first always, others at random.</summary>
    private static (string Subnet, string Ip)[] FixedIps(Random random, TopologyModel topology, string network, int host)
    {
        var result = new List<(string, string)>();
        foreach (var subnet in topology.Subnets.Where(s => s.Network == network))
        {
            if (result.Count == 0 || random.Next(2) == 0)
            {
                string ip = subnet.Cidr.IsIpv6 ? $"{subnet.Cidr.Address.ToString().TrimEnd(':')}::{host:x}" : $"{string.Join('.', subnet.Cidr.Address.ToString().Split('.')[..3])}.{host}";
                result.Add((subnet.Name, ip));
            }
        }

        return [.. result];
    }

    private static (TopologyModel Next, PortChange Change) RandomEdit(Random random, TopologyModel topology, int step)
    {
        var editable = topology.Ports.Where(p => !p.IsRouterInterface).ToList();
        int kind = editable.Count == 0 ? 0 : random.Next(8);
        if (kind == 0)
        {
            var added = NewPort(random, topology, 1000 + step);
            return (topology with { Ports = [.. topology.Ports.Add(added).OrderBy(p => p.Name, StringComparer.Ordinal)] }, new PortChange(null, added));
        }

        var port = editable[random.Next(editable.Count)];
        if (kind == 1)
        {
            return (topology with { Ports = topology.Ports.Remove(port) }, new PortChange(port, null));
        }

        Port changed;
        switch (kind)
        {
            case 2:
                changed = port with { Host = topology.Hosts[random.Next(topology.Hosts.Length)].Name };
                break;
            case 3:
                var network = topology.Networks[random.Next(topology.Networks.Length)].Name;
                changed = port with { Network = network, FixedIps = [.. FixedIps(random, topology, network, 140 + step).Select(i => new FixedIp(i.Subnet, IPAddress.Parse(i.Ip)))], AllowedAddressPairs = [] };
                break;
            case 4:
                changed = port with { Mac = MacAddress.Parse($"fa:16:3e:10:{step >> 8:x2}:{step & 0xff:x2}") };
                break;
            case 5:
                changed = port with { FixedIps = [.. FixedIps(random, topology, port.Network, 140 + step).Select(i => new FixedIp(i.Subnet, IPAddress.Parse(i.Ip)))] };
                break;
            case 6:
                changed = port with { AdminStateUp = !port.AdminStateUp };
                break;
            default:
                changed = port with { PortSecurity = !port.PortSecurity, Host = random.Next(3) == 0 ? null : port.Host };
                break;
        }

        return (topology with { Ports = topology.Ports.Replace(port, changed) }, new PortChange(port, changed));
    }

    private static Dictionary<string, IPortMap> HashMaps(TopologyModel topology) =>
        topology.Hosts.ToDictionary(h => h.Name, h => (IPortMap)new HashPortMap(h.Name), StringComparer.Ordinal);

    /// <summary>Port numbers from a hash of the name, stable across edits; about one interface in 13 is missing (waiting flows).</summary>
    private sealed class HashPortMap(string host) : IPortMap
    {
        public bool TryGetOfPort(string bridgeName, string interfaceName, out uint ofPort)
        {
            uint hash = (uint)StableHash.Fnv1a64(host + "/" + bridgeName + "/" + interfaceName);
            ofPort = 1 + (hash % 60000);
            return hash % 13 != 0;
        }
    }
}
