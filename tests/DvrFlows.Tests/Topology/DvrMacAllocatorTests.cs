using Dvr.DvrFlows.Topology;
using Dvr.OpenFlow;
using NUnit.Framework;
using static Dvr.DvrFlows.Tests.Topology.TopologyTestFiles;

namespace Dvr.DvrFlows.Tests.Topology;

[TestFixture]
public sealed class DvrMacAllocatorTests
{
    private static readonly MacAddress DefaultBase = GlobalSettings.DefaultDvrBaseMac;

    private static string RandomName(Random random) =>
        new([.. Enumerable.Range(0, random.Next(1, 12)).Select(_ => "abcdefghijklmnopqrstuvwxyz0123456789-"[random.Next(37)])]);

    [Test]
    public void Allocate_ManyRandomHostSets_UniqueInTheBaseAndDeterministic()
    {
        var random = new Random(20261123);
        var violations = new List<string>();
        for (int trial = 0; trial < 300; trial++)
        {
            bool fourthOctet = random.Next(2) == 0;
            var baseMac = fourthOctet ? MacAddress.Parse("fa:16:3f:a5:00:00") : DefaultBase;
            ulong keepMask = fourthOctet ? 0xffff_ffff_0000UL : 0xffff_ff00_0000UL;
            var hosts = Enumerable.Range(0, random.Next(1, 60)).Select(_ => RandomName(random)).Distinct().ToList();
            var taken = Enumerable.Range(0, random.Next(0, 20))
                .Select(_ => new MacAddress((baseMac.Value & keepMask) | ((ulong)random.NextInt64(1, 0x1_0000) & ~keepMask & 0xffff_ffff_ffffUL)))
                .ToHashSet();

            var allocated = DvrMacAllocator.Allocate(baseMac, hosts, taken);
            var again = DvrMacAllocator.Allocate(baseMac, hosts.OrderBy(_ => random.Next()), taken.OrderBy(_ => random.Next()));

            // Collected rather than asserted one by one: thousands of NUnit asserts would dominate the run time.
            if (!allocated.Keys.Order(StringComparer.Ordinal).SequenceEqual(hosts.Order(StringComparer.Ordinal)))
            {
                violations.Add($"trial {trial}: not every host got a MAC");
            }

            if (!again.SequenceEqual(allocated))
            {
                violations.Add($"trial {trial}: input order changed the result");
            }

            if (allocated.Values.Distinct().Count() != hosts.Count)
            {
                violations.Add($"trial {trial}: two hosts got one MAC");
            }

            violations.AddRange(allocated.Values
                .Where(mac => taken.Contains(mac) || (mac.Value & keepMask) != (baseMac.Value & keepMask) || mac == baseMac
                    || mac.IsMulticast || DvrMacAllocator.IsInPortMacRange(mac))
                .Select(mac => $"trial {trial}: {mac} is taken, outside the base {baseMac}, or not a usable DVR MAC"));
        }

        Assert.That(violations, Is.Empty);
    }

    [Test]
    public void Allocate_PreferredMacTaken_ProbesToTheNextOne()
    {
        var preferred = DvrMacAllocator.Allocate(DefaultBase, ["cn1"], [])["cn1"];

        var probed = DvrMacAllocator.Allocate(DefaultBase, ["cn1"], [preferred])["cn1"];

        Assert.That(probed.Value, Is.EqualTo(((preferred.Value + 1) & 0xff_ffffUL) | 0xfa163f_000000UL));
    }

    [Test]
    public void Allocate_AddingAHost_KeepsTheOtherHostsMacsWhenTheyDoNotCollide()
    {
        var before = DvrMacAllocator.Allocate(DefaultBase, ["cn1", "cn2", "nn"], []);

        var after = DvrMacAllocator.Allocate(DefaultBase, ["cn1", "cn2", "cn3", "nn"], []);

        Assert.That(after.Where(kv => kv.Key != "cn3"), Is.EqualTo(before));
    }

    [Test]
    public void Allocate_BaseExhausted_Throws()
    {
        var baseMac = MacAddress.Parse("fa:16:3f:a5:00:00");
        var everything = Enumerable.Range(1, 0xffff).Select(i => new MacAddress(baseMac.Value | (uint)i));

        Assert.That(() => DvrMacAllocator.Allocate(baseMac, ["cn1"], everything), Throws.InvalidOperationException.With.Message.Contains("no free DVR MAC"));
    }

    [Test]
    public void Load_HostsWithoutDvrMac_GetAllocatedMacsDistinctFromEveryOtherMac()
    {
        string yaml = Base.ReplaceOnce("    dvr_mac: fa:16:3f:00:00:01\n", string.Empty).ReplaceOnce("    dvr_mac: fa:16:3f:00:00:03\n", string.Empty);

        var first = TopologyLoader.LoadFromString(yaml, FileName);
        var second = TopologyLoader.LoadFromString(yaml, FileName);

        Assert.That(first.Hosts.Select(h => h.DvrMac), Is.EqualTo(second.Hosts.Select(h => h.DvrMac)));
        Assert.That(first.Hosts.All(h => h.DvrMacAllocated), Is.True);
        Assert.That(first.Hosts.Select(h => h.DvrMac).Distinct().Count(), Is.EqualTo(2));
        Assert.That(first.Hosts.Select(h => h.DvrMac.Value >> 24), Has.All.EqualTo(0xfa163fUL));
        Assert.That(first.Hosts.Select(h => h.DvrMac), Has.None.AnyOf(first.Ports.Select(p => (object)p.Mac).ToArray()));
    }

    [Test]
    public void Load_AllocatedMac_AvoidsAnotherHostsExplicitMac()
    {
        string yaml = Base.ReplaceOnce("    dvr_mac: fa:16:3f:00:00:01\n", string.Empty);
        var cn1Preferred = DvrMacAllocator.Allocate(DefaultBase, ["cn1"], [])["cn1"];
        yaml = yaml.ReplaceOnce("dvr_mac: fa:16:3f:00:00:03", $"dvr_mac: {cn1Preferred}");

        var topology = TopologyLoader.LoadFromString(yaml, FileName);

        Assert.That(topology.GetHost("nn").DvrMac, Is.EqualTo(cn1Preferred));
        Assert.That(topology.GetHost("cn1").DvrMac, Is.Not.EqualTo(cn1Preferred));
        Assert.That(topology.GetHost("cn1").DvrMacAllocated, Is.True);
    }

    [Test]
    public void Load_NonZeroFourthOctetInBase_IsKept()
    {
        string yaml = Base.ReplaceOnce("dvr_base_mac: fa:16:3f:00:00:00", "dvr_base_mac: fa:16:3f:77:00:00").ReplaceOnce("    dvr_mac: fa:16:3f:00:00:01\n", string.Empty);

        var topology = TopologyLoader.LoadFromString(yaml, FileName);

        Assert.That(topology.GetHost("cn1").DvrMac.Value >> 16, Is.EqualTo(0xfa163f77UL));
    }

    [TestCase("fa:16:3f:00:00:00", 24)]
    [TestCase("fa:16:3f:01:00:00", 16)]
    public void RandomBits_FollowNeutronsRule(string baseMac, int bits)
    {
        Assert.That(DvrMacAllocator.RandomBits(MacAddress.Parse(baseMac)), Is.EqualTo(bits));
    }
}
