using System.Collections.Immutable;
using Dvr.DvrFlows.Topology;
using NUnit.Framework;
using static Dvr.DvrFlows.Tests.Topology.TopologyTestFiles;

namespace Dvr.DvrFlows.Tests.Topology;

[TestFixture]
public sealed class LocalVlanAllocatorTests
{
    private static readonly ImmutableSortedDictionary<string, int> NoPins = ImmutableSortedDictionary<string, int>.Empty;

    /// <summary>Two distinct names with the same preferred VLAN, found by search (the hash is fixed, so this is deterministic).</summary>
    private static (string First, string Second) CollidingNames()
    {
        var seen = new Dictionary<int, string>();
        for (int i = 0; ; i++)
        {
            string name = $"net{i}";
            if (seen.TryGetValue(LocalVlanAllocator.PreferredVlan(name), out string? other))
            {
                return string.CompareOrdinal(other, name) < 0 ? (other, name) : (name, other);
            }

            seen[LocalVlanAllocator.PreferredVlan(name)] = name;
        }
    }

    [Test]
    public void Allocate_SingleNetwork_GetsItsPreferredVlan()
    {
        var vlans = LocalVlanAllocator.Allocate(["red"], NoPins);

        Assert.That(vlans["red"], Is.EqualTo(LocalVlanAllocator.PreferredVlan("red")));
        Assert.That(vlans["red"], Is.InRange(1, 4094));
    }

    [Test]
    public void Allocate_Pins_AreUsedAndReservedEvenForAbsentNetworks()
    {
        int redPreferred = LocalVlanAllocator.PreferredVlan("red");
        var pins = ImmutableSortedDictionary.CreateRange(new Dictionary<string, int> { ["green"] = 7, ["absent"] = redPreferred });

        var vlans = LocalVlanAllocator.Allocate(["red", "green"], pins);

        Assert.That(vlans, Is.EqualTo(new Dictionary<string, int> { ["green"] = 7, ["red"] = redPreferred == 4094 ? 1 : redPreferred + 1 }));
    }

    [Test]
    public void Allocate_CollidingPreferences_TheNameSortingFirstKeepsTheSlot()
    {
        var (first, second) = CollidingNames();
        int slot = LocalVlanAllocator.PreferredVlan(first);

        var vlans = LocalVlanAllocator.Allocate([second, first], NoPins);

        Assert.That(vlans[first], Is.EqualTo(slot));
        Assert.That(vlans[second], Is.EqualTo(slot == 4094 ? 1 : slot + 1));
    }

    /// <summary>
    /// The stability rule, checked over many random network sets: adding network N changes no existing
    /// assignment unless the VLAN N ends up with (its preferred one, or the next free one after a collision) is the
    /// VLAN a network sorting after N had before; that network is then the only one that moves (documented in
    /// LocalVlanAllocator and docs/topology.md).
    /// </summary>
    [Test]
    public void Allocate_AddingAnUnrelatedNetwork_NeverRenumbersExistingOnesOutsideTheDocumentedCollision()
    {
        var random = new Random(4094);
        int displaced = 0;
        for (int trial = 0; trial < 500; trial++)
        {
            var existing = Enumerable.Range(0, random.Next(1, 200)).Select(_ => $"n{random.Next(100000)}").Distinct().ToList();
            string added = $"n{random.Next(100000)}";
            if (existing.Contains(added))
            {
                continue;
            }

            var before = LocalVlanAllocator.Allocate(existing, NoPins);
            var after = LocalVlanAllocator.Allocate([.. existing, added], NoPins);

            var victim = before.Where(kv => string.CompareOrdinal(kv.Key, added) > 0 && kv.Value == after[added]).Select(kv => kv.Key).ToList();
            var moved = existing.Where(n => before[n] != after[n]).ToList();
            if (victim.Count > 0)
            {
                displaced++;
                Assert.That(moved, Does.Contain(victim[0]), $"trial {trial}");
            }
            else
            {
                Assert.That(moved, Is.Empty, $"trial {trial}: adding {added} moved {string.Join(", ", moved)}");
            }

            Assert.That(after.Values.Distinct().Count(), Is.EqualTo(after.Count), $"trial {trial}: duplicate VLAN");
        }

        // The collision case exists but is rare with 4094 slots; if it were common the rule would be useless.
        Assert.That(displaced, Is.LessThan(50));
    }

    [Test]
    public void LocalVlans_AddingANetworkAndPortElsewhere_ChangesNothingOnExistingHosts()
    {
        var before = TopologyLoader.LoadFromString(Base, FileName);
        string yaml = Base
            .ReplaceOnce("subnets:\n", "  - { name: orange, type: vxlan, segmentation_id: 1005 }\nsubnets:\n")
            .ReplaceOnce("  - { name: ext-v4,", "  - { name: orange-v4, network: orange, cidr: 10.0.5.0/24 }\n  - { name: ext-v4,")
            + """

              - name: vm9
                network: orange
                interface: qvovm9
                mac: fa:16:3e:00:05:90
                fixed_ips: [{ subnet: orange-v4, ip: 10.0.5.90 }]
                device_owner: compute:nova
                host: nn

            """;
        var after = TopologyLoader.LoadFromString(yaml, FileName);

        var cn1Before = LocalVlanAllocator.LocalVlans(before, "cn1");
        var nnBefore = LocalVlanAllocator.LocalVlans(before, "nn");
        var nnAfter = LocalVlanAllocator.LocalVlans(after, "nn");

        Assert.That(LocalVlanAllocator.LocalVlans(after, "cn1"), Is.EqualTo(cn1Before));
        Assert.That(nnAfter.Keys, Does.Contain("orange"));
        Assert.That(nnAfter.Where(kv => kv.Key != "orange"), Is.EqualTo(nnBefore));
    }

    [Test]
    public void LocalVlans_AddingAPortOnAPresentNetwork_ChangesNothing()
    {
        var before = TopologyLoader.LoadFromString(Base, FileName);
        string yaml = Base + """

              - name: vm3
                network: green
                interface: qvovm3
                mac: fa:16:3e:00:02:30
                fixed_ips: [{ subnet: green-v4, ip: 10.0.2.30 }]
                device_owner: compute:nova
                host: cn1

            """;
        var after = TopologyLoader.LoadFromString(yaml, FileName);

        Assert.That(LocalVlanAllocator.LocalVlansByHost(after), Is.EqualTo(LocalVlanAllocator.LocalVlansByHost(before)));
    }

    [Test]
    public void LocalVlans_NetworksOnHost_FollowPortsRoutersAndSnat()
    {
        var topology = TopologyLoader.LoadFromString(Base, FileName);

        Assert.That(LocalVlanAllocator.LocalVlans(topology, "cn1").Keys, Is.EqualTo(new[] { "green", "red" }));
        Assert.That(LocalVlanAllocator.LocalVlans(topology, "nn").Keys, Is.EqualTo(new[] { "ext", "green", "red" }), "nn hosts r1 (its SNAT port), so green via r1's interface and ext via the gateway");
    }

    [Test]
    public void LocalVlans_UnknownHost_Throws()
    {
        var topology = TopologyLoader.LoadFromString(Base, FileName);

        Assert.That(() => LocalVlanAllocator.LocalVlans(topology, "cn9"), Throws.InstanceOf<KeyNotFoundException>());
    }
}
