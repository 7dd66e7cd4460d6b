using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Net;
using Dvr.OpenFlow.Errors;

namespace Dvr.OpenFlow.Match;

/// <summary>
/// Builds a <see cref="Match"/>. Entries are kept in Open vSwitch's encode order whatever order they are
/// added in, so a match built here encodes to the same bytes ovs-ofctl produces for the same flow.
/// Setting a field twice is an error (OFPBMC_DUP_FIELD), as on the wire.
/// </summary>
public sealed class MatchBuilder
{
    // Most matches have 2-4 fields; an OxmEntry is 64 bytes, so a smaller first array halves what a match costs
    // to build (the compiler builds ~400,000 per 100-host compile).
    private readonly List<OxmEntry> _entries = new(4);
    private List<OxmEntry>? _expanded;

    /// <summary>
    /// Adds a field in OVS's canonical form (an xreg becomes its two regs, a full vlan_vid mask becomes exact);
    /// a field already present is OFPBMC_DUP_FIELD, a value the field cannot hold OFPBMC_BAD_VALUE.
    /// </summary>
    public MatchBuilder Add(OxmEntry entry)
    {
        MatchNormalizer.CheckValue(entry.Field, entry.Value);
        if (!entry.HasMask && MatchNormalizer.IsKeptAsIs(entry.Field))
        {
            // The common case: an exact entry is its own canonical form, no expansion list needed.
            AddCanonical(entry);
            return this;
        }

        _expanded ??= new List<OxmEntry>(2);
        _expanded.Clear();
        MatchNormalizer.AddExpanded(entry, _expanded);
        foreach (var normalized in _expanded)
        {
            AddCanonical(normalized);
        }

        return this;
    }

    /// <summary>True when the match being built already has <paramref name="field"/>.</summary>
    public bool Contains(OxmField field) => _entries.Exists(e => ReferenceEquals(e.Field, field));

    /// <summary>The entry for <paramref name="field"/> so far, if any.</summary>
    public OxmEntry? Get(OxmField field) => _entries.Find(e => ReferenceEquals(e.Field, field)) is { Field: not null } e ? e : null;

    private void AddCanonical(OxmEntry entry)
    {
        foreach (var existing in _entries)
        {
            if (ReferenceEquals(existing.Field, entry.Field))
            {
                throw new OpenFlowException(OfpError.DupField, $"field {entry.Field.Name} set twice");
            }
        }

        int index = _entries.Count;
        while (index > 0 && _entries[index - 1].Field.EncodeOrder > entry.Field.EncodeOrder)
        {
            index--;
        }

        _entries.Insert(index, entry);
    }

    public MatchBuilder Exact(OxmField field, UInt128 value) => Add(OxmEntry.Exact(field, value));

    public MatchBuilder Masked(OxmField field, UInt128 value, UInt128 mask) => Add(OxmEntry.Masked(field, value, mask));

    public MatchBuilder InPort(uint port) => Exact(OxmFields.InPort, port);

    public MatchBuilder EthSrc(MacAddress mac) => Exact(OxmFields.EthSrc, mac.Value);

    public MatchBuilder EthDst(MacAddress mac) => Exact(OxmFields.EthDst, mac.Value);

    public MatchBuilder EthDst(MacAddress mac, MacAddress mask) => Masked(OxmFields.EthDst, mac.Value, mask.Value);

    public MatchBuilder EthType(ushort ethType) => Exact(OxmFields.EthType, ethType);

    /// <summary>802.1Q VLAN id; sets OFPVID_PRESENT (0x1000) as OpenFlow 1.3.5 §7.2.3.8 requires.</summary>
    public MatchBuilder VlanVid(ushort vlan) => Exact(OxmFields.VlanVid, 0x1000u | vlan);

    /// <summary>Untagged frames only (OFPVID_NONE), ovs-ofctl's <c>vlan_tci=0x0000/0x1fff</c>.</summary>
    public MatchBuilder NoVlan() => Exact(OxmFields.VlanVid, 0);

    public MatchBuilder Arp() => EthType(0x0806);

    public MatchBuilder ArpOp(ushort op) => Exact(OxmFields.ArpOp, op);

    public MatchBuilder ArpSpa(IPAddress address) => Exact(OxmFields.ArpSpa, Ipv4(address));

    public MatchBuilder ArpTpa(IPAddress address) => Exact(OxmFields.ArpTpa, Ipv4(address));

    public MatchBuilder ArpTha(MacAddress mac) => Exact(OxmFields.ArpTha, mac.Value);

    public MatchBuilder TunnelId(ulong tunnelId) => Exact(OxmFields.TunnelId, tunnelId);

    public MatchBuilder IpProto(byte proto) => Exact(OxmFields.IpProto, proto);

    public MatchBuilder Icmpv6Type(byte type) => Exact(OxmFields.Icmpv6Type, type);

    public MatchBuilder Ipv6NdTarget(IPAddress address) => Exact(OxmFields.Ipv6NdTarget, Ipv6(address));

    /// <summary>
    /// The match of <paramref name="entries"/>, exactly as adding each to a new builder and calling
    /// <see cref="Build"/> makes it (same entries, same errors), without the builder's allocations when every
    /// entry is already canonical and the fields are distinct: a compile of a large cloud builds ~400,000 small
    /// matches. Anything else takes the builder path.
    /// </summary>
    public static Match Of(params ReadOnlySpan<OxmEntry> entries)
    {
        for (int i = 0; i < entries.Length; i++)
        {
            if (!MatchNormalizer.IsCanonical(entries[i]))
            {
                return ViaBuilder(entries);
            }

            for (int j = 0; j < i; j++)
            {
                if (ReferenceEquals(entries[j].Field, entries[i].Field))
                {
                    return ViaBuilder(entries);
                }
            }
        }

        var sorted = new OxmEntry[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            // The builder checks each value as it is added, then inserts it at its encode-order position.
            var entry = entries[i];
            MatchNormalizer.CheckValue(entry.Field, entry.Value);
            int at = i;
            while (at > 0 && sorted[at - 1].Field.EncodeOrder > entry.Field.EncodeOrder)
            {
                sorted[at] = sorted[at - 1];
                at--;
            }

            sorted[at] = entry;
        }

        var match = new Match(ImmutableCollectionsMarshal.AsImmutableArray(sorted));
        MatchPrerequisites.Check(match);
        return match;
    }

    private static Match ViaBuilder(ReadOnlySpan<OxmEntry> entries)
    {
        var builder = new MatchBuilder();
        foreach (var entry in entries)
        {
            builder.Add(entry);
        }

        return builder.Build();
    }

    public Match Build()
    {
        var match = new Match(ImmutableArray.CreateRange(_entries));
        MatchPrerequisites.Check(match);
        return match;
    }

    private static uint Ipv4(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || !address.TryWriteBytes(bytes, out _))
        {
            throw new ArgumentException($"{address} is not an IPv4 address", nameof(address));
        }

        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    private static UInt128 Ipv6(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6 || !address.TryWriteBytes(bytes, out _))
        {
            throw new ArgumentException($"{address} is not an IPv6 address", nameof(address));
        }

        return Match.ReadValue(bytes);
    }
}
