using Dvr.OpenFlow.Match;
using OfMatch = Dvr.OpenFlow.Match.Match;
using NUnit.Framework;

namespace Dvr.OpenFlow.Tests.Match;

/// <summary>
/// <see cref="MatchBuilder.Of"/> is the compiler's allocation-light shortcut for building a match: for any list
/// of entries it must give exactly what adding them one by one to a <see cref="MatchBuilder"/> gives, including
/// the same error (type and message) when the builder refuses them.
/// </summary>
[TestFixture]
public class MatchBuilderOfTests
{
    private static readonly OxmField[] Fields =
    [
        OxmFields.InPort, OxmFields.EthSrc, OxmFields.EthDst, OxmFields.EthType, OxmFields.VlanVid, OxmFields.IpProto,
        OxmFields.Ipv4Dst, OxmFields.TunnelId, OxmFields.Metadata, OxmFields.CtState, OxmFields.Reg0, OxmFields.Reg1,
    ];

    [Test]
    public void Of_RandomEntryLists_EqualsTheBuilderResultOrError()
    {
        var random = new Random(20261124);
        int built = 0, refused = 0;
        for (int round = 0; round < 5_000; round++)
        {
            var entries = new OxmEntry[random.Next(0, 6)];
            for (int i = 0; i < entries.Length; i++)
            {
                entries[i] = RandomEntry(random);
            }

            var viaBuilder = Outcome(() => Builder(entries));

            var viaOf = Outcome(() => MatchBuilder.Of(entries));

            Assert.That(viaOf, Is.EqualTo(viaBuilder), $"round {round}: {string.Join(", ", entries.Select(e => $"{e.Field.Name}={e.Value:x}/{e.Mask:x}"))}");
            if (viaBuilder.StartsWith("ok:", StringComparison.Ordinal))
            {
                built++;
            }
            else
            {
                refused++;
            }
        }

        // Both paths must have been exercised, or the comparison proves little.
        Assert.That((built > 500, refused > 500), Is.EqualTo((true, true)), $"built {built}, refused {refused}");
    }

    [Test]
    public void Of_CanonicalDistinctFields_SortsIntoEncodeOrder()
    {
        var match = MatchBuilder.Of(OxmEntry.Exact(OxmFields.EthDst, 0xfa163e000220), OxmEntry.Exact(OxmFields.InPort, 3), OxmEntry.Exact(OxmFields.VlanVid, 0x1000 | 5));

        Assert.That(match.Entries.Select(e => e.Field.Name), Is.EqualTo(new[] { "in_port", "eth_dst", "vlan_vid" }));
    }

    private static OfMatch Builder(OxmEntry[] entries)
    {
        var builder = new MatchBuilder();
        foreach (var entry in entries)
        {
            builder.Add(entry);
        }

        return builder.Build();
    }

    private static string Outcome(Func<OfMatch> build)
    {
        try
        {
            var match = build();
            return "ok: " + string.Join(", ", match.Entries.Select(e => $"{e.Field.Name}={e.Value:x}/{e.Mask:x}/{e.HasMask}"));
        }
        catch (Exception e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }

    private static OxmEntry RandomEntry(Random random)
    {
        var field = Fields[random.Next(Fields.Length)];
        UInt128 ones = OxmEntry.AllOnes(field.Length);
        UInt128 value = random.Next(4) switch
        {
            0 => 0,
            1 => (UInt128)(ulong)random.Next(1, 8),
            2 => field == OxmFields.EthType ? (random.Next(2) == 0 ? 0x0800u : 0x0806u) : (UInt128)(ulong)random.NextInt64() & ones,
            _ => field == OxmFields.VlanVid ? 0x1000u | (uint)random.Next(4096) : (UInt128)(ulong)random.NextInt64(),
        };
        if (!field.Maskable || random.Next(3) != 0)
        {
            return OxmEntry.Exact(field, value);
        }

        UInt128 mask = random.Next(3) switch
        {
            0 => ones,
            1 => ones >> 1,
            _ => (UInt128)(ulong)random.NextInt64() & ones,
        };
        return OxmEntry.Masked(field, value & mask, mask);
    }
}
