using System.Collections.Immutable;
using Dvr.DvrFlows.Compiler;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Pipeline;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Match;
using NUnit.Framework;
using OfMatch = Dvr.OpenFlow.Match.Match;

namespace Dvr.DvrFlows.Tests.Compiler;

/// <summary>
/// The compiler sorts each bridge by <see cref="FlowOrder.SortKey"/> and only compares flows fully when their
/// keys are equal: the key must never contradict <see cref="FlowOrder"/>, and the sink's result must be
/// exactly a plain stable sort by <see cref="FlowOrder.CompareIgnoringOwner"/> with the first built of each
/// key kept.
/// </summary>
public class FlowOrderKeyTests
{
    // Fields the key cannot hold whole: past the one-byte encode order, and wider than a 16-byte value (encode
    // orders are unique per field; the real fields end well below 200).
    private static readonly OxmField LateField = new("test_late", 0xffff, 1, 4, true, 300);
    private static readonly OxmField OtherLateField = new("test_late2", 0xffff, 2, 2, true, 260);
    private static readonly OxmField WideField = new("test_wide", 0xffff, 3, 20, true, 200);

    private static readonly OxmField[] Fields =
    [
        OxmFields.InPort, OxmFields.EthDst, OxmFields.EthSrc, OxmFields.EthType, OxmFields.VlanVid, OxmFields.ArpTpa,
        OxmFields.Ipv6NdTarget, OxmFields.TunnelId, LateField, OtherLateField, WideField,
    ];

    [Test]
    public void SortKey_NeverContradictsFlowOrder_OnRandomEntries()
    {
        Assert.That(OxmFields.All.Max(f => f.EncodeOrder), Is.LessThan(WideField.EncodeOrder), "the test fields must not share an encode order with a real one");
        var random = new Random(20261124);
        var flows = Enumerable.Range(0, 700).Select(_ => RandomEntries(random)).ToList();
        int decidedByKey = 0;

        foreach (var a in flows)
        {
            foreach (var b in flows)
            {
                int order = Reference(a, b);
                int byKey = FlowOrder.SortKey(a.Table, a.Priority, a.Entries).CompareTo(FlowOrder.SortKey(b.Table, b.Priority, b.Entries));
                if (byKey == 0)
                {
                    // Equal first keys: the next 16 bytes of the key string decide, under the same rule.
                    byKey = FlowOrder.SortKey(a.Table, a.Priority, a.Entries, skip: 16).CompareTo(FlowOrder.SortKey(b.Table, b.Priority, b.Entries, skip: 16));
                }

                if (byKey != 0)
                {
                    decidedByKey++;
                    Assert.That(Math.Sign(order), Is.EqualTo(byKey), () => $"key order contradicts FlowOrder for {Describe(a)} and {Describe(b)}");
                }
            }
        }

        // The random set has to exercise the key, not leave every pair to the full comparison.
        Assert.That(decidedByKey, Is.GreaterThan(flows.Count * flows.Count / 2));
    }

    [Test]
    public void SortKey_TellsApartEveryL2popEntryOfABridge()
    {
        var unicast = new List<UInt128>();
        var responder = new List<UInt128>();
        for (int vlan = 1; vlan <= 20; vlan++)
        {
            for (int port = 0; port < 20; port++)
            {
                var ucast = MatchBuilder.Of(OxmEntry.Exact(OxmFields.EthDst, 0xfa163e000000UL + (ulong)port), OxmEntry.Exact(OxmFields.VlanVid, 0x1000u | (uint)vlan));
                var arp = MatchBuilder.Of(OxmEntry.Exact(OxmFields.EthType, 0x0806), OxmEntry.Exact(OxmFields.VlanVid, 0x1000u | (uint)vlan), OxmEntry.Exact(OxmFields.ArpTpa, 0x0a000000u + (uint)port));
                unicast.Add(FlowOrder.SortKey(BrTunTables.UcastToTun.Id, BrTunPriority.UnicastEntry, ucast.Entries));
                responder.Add(FlowOrder.SortKey(BrTunTables.ArpResponder.Id, BrTunPriority.ArpResponderEntry, arp.Entries));
            }
        }

        Assert.That(unicast.Concat(responder).Distinct().Count(), Is.EqualTo(unicast.Count + responder.Count));
    }

    [Test]
    public void Finish_GivesAPlainStableSortWithTheFirstBuiltKept_OnRandomFlows()
    {
        for (int seed = 1; seed <= 20; seed++)
        {
            // Arrange: flows of two bridges with repeated keys (same flow of two owners, and conflicts).
            var random = new Random(seed);
            var factories = new[] { new FlowFactory(BridgeKind.Integration, "br-int", 7), new FlowFactory(BridgeKind.Tunnel, "br-tun", 7) };
            var built = new List<DesiredFlow>();
            for (int i = 0; i < 600; i++)
            {
                built.Add(random.Next(5) == 0 && built.Count > 0 ? Again(random, built[random.Next(built.Count)], factories) : RandomFlow(random, factories));
            }

            var sink = new FlowSink(new NoPorts());

            // Act
            foreach (var flow in built)
            {
                sink.Add(flow);
            }

            var result = sink.Finish();

            // Assert
            foreach (var bridge in new[] { "br-int", "br-tun" })
            {
                var expected = new List<DesiredFlow>();
                foreach (var flow in built.Where(f => f.BridgeName == bridge).Select((f, i) => (f, i)).OrderBy(p => p.f, Comparer<DesiredFlow>.Create(FlowOrder.CompareIgnoringOwner)).ThenBy(p => p.i).Select(p => p.f))
                {
                    if (expected.Count == 0 || FlowOrder.CompareIgnoringOwner(expected[^1], flow) != 0)
                    {
                        expected.Add(flow);
                    }
                }

                Assert.That(result.Flows[bridge], Is.EqualTo(expected).Using<DesiredFlow>(ReferenceEquals), $"seed {seed}, {bridge}");
                Assert.DoesNotThrow(() => DesiredFlowSet.FromSorted(factories[bridge == "br-int" ? 0 : 1].Bridge, bridge, result.Flows[bridge]));
            }

            var conflicts = built.Select((f, i) => (f, i))
                .Where(p => built.Take(p.i).FirstOrDefault(e => e.Key == p.f.Key) is { } first && !first.SameOnSwitch(p.f))
                .Select(p => p.f);
            Assert.That(result.Conflicts.Select(c => c.Dropped), Is.EqualTo(conflicts).Using<DesiredFlow>(ReferenceEquals), $"seed {seed}");
        }
    }

    [TestCase(0, TestName = "SortByKey_OrdersLongRunsOfEqualKeysByTheFullComparison(targets differ past 32 key bytes)")]
    [TestCase(100, TestName = "SortByKey_OrdersLongRunsOfEqualKeysByTheFullComparison(targets differ in the second 16 key bytes)")]
    public void SortByKey_OrdersLongRunsOfEqualKeysByTheFullComparison(int targetShift)
    {
        // Arrange: neighbour-advertisement targets of one port share their first 16 key bytes (in_port,
        // eth_type, ip_proto), so the second 16 bytes (icmpv6_type, the target's first 12 bytes) or only the
        // full comparison order them: a run longer than the insertion-sort limit, in reverse build order, with duplicates.
        var factory = new FlowFactory(BridgeKind.Integration, "br-int", 7);
        var flows = new List<(DesiredFlow Flow, int Sequence)>();
        for (int i = 60; i > 0; i--)
        {
            var match = MatchBuilder.Of(OxmEntry.Exact(OxmFields.InPort, 5), OxmEntry.Exact(OxmFields.EthType, 0x86dd), OxmEntry.Exact(OxmFields.IpProto, 58),
                OxmEntry.Exact(OxmFields.Icmpv6Type, 136), OxmEntry.Exact(OxmFields.Ipv6NdTarget, (UInt128)(i % 25) << targetShift));
            flows.Add((factory.Flow(BrIntTables.ArpSpoof, 2, match, Instr.Drop, FlowOwner.Port($"p{i}"), "test"), flows.Count));
        }

        var keys = new UInt128[flows.Count];
        var order = new int[flows.Count];

        // Act
        FlowSink.SortByKey(flows.ToArray(), keys, order);

        // Assert
        var expected = Enumerable.Range(0, flows.Count).OrderBy(i => flows[i].Flow, Comparer<DesiredFlow>.Create(FlowOrder.CompareIgnoringOwner)).ThenBy(i => i);
        Assert.That(order, Is.EqualTo(expected));
        Assert.That(keys.Distinct().Count(), Is.EqualTo(1), "the run should be one key");
    }

    [Test]
    public void CompiledFlows_HaveKeysThatDecideTheirOrder()
    {
        // The compiler's own flows: neighbours in a compiled set almost always differ in their keys already.
        var topology = TestTopologies.WorkedExample();
        int neighbours = 0, decided = 0;
        foreach (var host in topology.Hosts)
        {
            foreach (var set in DvrFlowCompiler.Compile(topology, host.Name, SyntheticPortMap.For(topology, host.Name)).Bridges.Values)
            {
                for (int i = 1; i < set.Flows.Length; i++)
                {
                    neighbours++;
                    int byKey = set.Flows[i - 1].OrderKey.CompareTo(set.Flows[i].OrderKey);
                    Assert.That(byKey, Is.LessThanOrEqualTo(0), $"{host.Name} {set.BridgeName} at {i}");
                    decided += byKey < 0 ? 1 : 0;
                }
            }
        }

        Assert.That(decided, Is.GreaterThan(neighbours * 9 / 10));
    }

    private sealed record KeyedMatch(byte Table, ushort Priority, ImmutableArray<OxmEntry> Entries);

    private static int Reference(KeyedMatch a, KeyedMatch b)
    {
        int c = a.Table.CompareTo(b.Table);
        if (c == 0)
        {
            c = b.Priority.CompareTo(a.Priority);
        }

        return c != 0 ? c : FlowOrder.CompareEntries(a.Entries, b.Entries);
    }

    private static string Describe(KeyedMatch e) =>
        $"table {e.Table} priority {e.Priority} [{string.Join(", ", e.Entries.Select(x => $"{x.Field.Name}={x.Value:x}/{x.Mask:x}{(x.HasMask ? " masked" : string.Empty)}"))}]";

    // Small value sets so that flows agree deep into their keys, plus the values the key cannot hold.
    private static KeyedMatch RandomEntries(Random random)
    {
        var fields = Fields.OrderBy(_ => random.Next()).Take(random.Next(0, 5)).ToList();
        if (random.Next(4) != 0)
        {
            fields.Sort((p, q) => p.EncodeOrder.CompareTo(q.EncodeOrder));
        }

        var entries = fields.Select(field =>
        {
            var ones = OxmEntry.AllOnes(field.Length);
            UInt128 value = random.Next(8) switch
            {
                0 => ones,
                1 => ones + 1 + (UInt128)random.Next(2),
                _ => (UInt128)random.Next(3),
            };
            return random.Next(6) switch
            {
                0 => new OxmEntry(field, value, (UInt128)random.Next(4), true),
                1 => new OxmEntry(field, value, ones + (UInt128)random.Next(3), true),
                2 => new OxmEntry(field, value, random.Next(2) == 0 ? ones - 1 : ones + 1, false),
                _ => new OxmEntry(field, value, ones, false),
            };
        });
        return new KeyedMatch((byte)random.Next(3), (ushort)(random.Next(3) * 0x7fff), [.. entries]);
    }

    private static readonly TableSpec[] IntTables = [BrIntTables.LocalSwitching, BrIntTables.ArpSpoof, BrIntTables.Transient];
    private static readonly TableSpec[] TunTables = [BrTunTables.UcastToTun, BrTunTables.ArpResponder, BrTunTables.FloodToTun];

    private static DesiredFlow RandomFlow(Random random, FlowFactory[] factories)
    {
        int bridge = random.Next(2);
        var table = (bridge == 0 ? IntTables : TunTables)[random.Next(3)];
        var vlan = OxmEntry.Exact(OxmFields.VlanVid, 0x1000u | (uint)random.Next(1, 4));
        var inPort = OxmEntry.Exact(OxmFields.InPort, (uint)random.Next(1, 4));
        OfMatch match = random.Next(6) switch
        {
            0 => MatchBuilder.Of(OxmEntry.Exact(OxmFields.EthDst, 0xfa163e000000UL + (ulong)random.Next(6)), vlan),
            1 => MatchBuilder.Of(OxmEntry.Exact(OxmFields.EthType, 0x0806), vlan, OxmEntry.Exact(OxmFields.ArpTpa, 0x0a000000u + (uint)random.Next(6))),
            2 => MatchBuilder.Of(inPort, OxmEntry.Exact(OxmFields.EthType, 0x0806), OxmEntry.Masked(OxmFields.ArpSpa, 0x0a000000u + (uint)random.Next(4), 0xffffff00u | (uint)random.Next(2) * 0xffu)),
            3 => MatchBuilder.Of(inPort, OxmEntry.Exact(OxmFields.EthType, 0x86dd), OxmEntry.Exact(OxmFields.IpProto, 58), OxmEntry.Exact(OxmFields.Icmpv6Type, 136),
                OxmEntry.Masked(OxmFields.Ipv6NdTarget, (UInt128)random.Next(6) << 100, random.Next(2) == 0 ? UInt128.MaxValue : UInt128.MaxValue << 64)),
            4 => MatchBuilder.Of(inPort),
            _ => OfMatch.Any,
        };
        var instructions = random.Next(3) == 0 ? Instr.Drop : Instr.Apply(new OutputAction((uint)random.Next(1, 3)));
        return factories[bridge].Flow(table, (ushort)random.Next(1, 4), match, instructions, FlowOwner.Port($"p{random.Next(30)}"), "random");
    }

    // The same key again: the very same flow, the same flow of another owner, or other instructions (a conflict).
    private static DesiredFlow Again(Random random, DesiredFlow flow, FlowFactory[] factories)
    {
        var factory = factories[flow.Bridge == BridgeKind.Integration ? 0 : 1];
        return random.Next(3) switch
        {
            0 => flow,
            1 => factory.Flow(flow.Table, flow.Priority, flow.Match, flow.Instructions, FlowOwner.Network($"n{random.Next(5)}"), "again"),
            _ => factory.Flow(flow.Table, flow.Priority, flow.Match, Instr.Apply(new OutputAction(99)), flow.Owner, "conflict"),
        };
    }

    private sealed class NoPorts : IPortMap
    {
        public bool TryGetOfPort(string bridgeName, string interfaceName, out uint ofPort)
        {
            ofPort = 0;
            return false;
        }
    }
}
