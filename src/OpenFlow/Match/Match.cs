using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Match;

/// <summary>
/// An OpenFlow 1.3 match: the OXM entries in Open vSwitch's canonical form and encode order. Equality ignores order (two matches with the same
/// fields in another order are the same match), so a flow read back from a switch equals the flow we built.
/// Immutable; build one with <see cref="MatchBuilder"/>, decode one with <see cref="Decode"/>.
/// </summary>
public sealed partial class Match : IEquatable<Match>
{
    /// <summary>OFPMT_OXM (OpenFlow 1.3.5 §7.2.3.1).</summary>
    public const ushort TypeOxm = 1;

    /// <summary>type (2) + length (2) of struct ofp_match before the OXM fields.</summary>
    public const int HeaderLength = 4;

    public static readonly Match Any = new([]);

    /// <summary>Computed on first use: a decoded match is usually encoded or printed, not hashed.</summary>
    private int _hash;
    private bool _hashed;

    internal Match(ImmutableArray<OxmEntry> entries) => Entries = entries;

    /// <summary>The fields in Open vSwitch's encode order (lib/nx-match.c nx_put_raw).</summary>
    public ImmutableArray<OxmEntry> Entries { get; }

    public int Count => Entries.Length;

    public bool IsEmpty => Entries.IsEmpty;

    public OxmEntry? Get(OxmField field)
    {
        foreach (var entry in Entries)
        {
            if (ReferenceEquals(entry.Field, field))
            {
                return entry;
            }
        }

        return null;
    }

    public bool Contains(OxmField field) => Get(field) is not null;

    /// <summary>Length of the OXM TLVs without the ofp_match header and padding.</summary>
    public int OxmLength
    {
        get
        {
            int length = 0;
            foreach (var entry in Entries)
            {
                length += EntryLength(entry);
            }

            return length;
        }
    }

    /// <summary>Bytes of struct ofp_match on the wire, padded to a multiple of 8 (OpenFlow 1.3.5 §7.2.3.1).</summary>
    public int EncodedLength => SpanWriter.Align(HeaderLength + OxmLength, 8);

    private static int EntryLength(OxmEntry entry) =>
        4 + (entry.Field.Experimenter != 0 ? 4 : 0) + (entry.HasMask ? entry.Field.Length * 2 : entry.Field.Length);

    /// <summary>
    /// struct ofp_match (OpenFlow 1.3.5 §7.2.3.1):
    /// <code>
    ///  +--------------+--------------+------------------------+--------------+
    ///  | type (=1 OXM)| length       | oxm_fields[length - 4]  | pad to 8     |
    ///  +--------------+--------------+------------------------+--------------+
    /// </code>
    /// <c>length</c> excludes the padding.
    /// </summary>
    public void Encode(ref SpanWriter writer)
    {
        int start = writer.Position;
        writer.WriteUInt16(TypeOxm);
        writer.WriteUInt16((ushort)(HeaderLength + OxmLength));
        EncodeOxm(ref writer);
        writer.PadTo(start, 8);
    }

    /// <summary>Writes only the OXM TLVs (as in a set_field action or an NXM match).</summary>
    public void EncodeOxm(ref SpanWriter writer)
    {
        foreach (var entry in Entries)
        {
            WriteEntry(ref writer, entry);
        }
    }

    internal static void WriteEntry(ref SpanWriter writer, OxmEntry entry, bool withMask = true)
    {
        var field = entry.Field;
        bool masked = withMask && entry.HasMask;
        int payload = (field.Experimenter != 0 ? 4 : 0) + (masked ? field.Length * 2 : field.Length);
        writer.WriteUInt32(field.TypeKey | (masked ? 0x100u : 0u) | (uint)payload);
        if (field.Experimenter != 0)
        {
            writer.WriteUInt32(field.Experimenter);
        }

        WriteValue(ref writer, entry.Value, field.Length);
        if (masked)
        {
            WriteValue(ref writer, entry.Mask, field.Length);
        }
    }

    internal static void WriteValue(ref SpanWriter writer, UInt128 value, int length)
    {
        var span = writer.Reserve(length);
        switch (length)
        {
            case 1:
                span[0] = (byte)value;
                return;
            case 2:
                BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)value);
                return;
            case 4:
                BinaryPrimitives.WriteUInt32BigEndian(span, (uint)value);
                return;
            case 6:
                BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)(ulong)(value >> 32));
                BinaryPrimitives.WriteUInt32BigEndian(span[2..], (uint)value);
                return;
            case 8:
                BinaryPrimitives.WriteUInt64BigEndian(span, (ulong)value);
                return;
            case 16:
                BinaryPrimitives.WriteUInt64BigEndian(span, (ulong)(value >> 64));
                BinaryPrimitives.WriteUInt64BigEndian(span[8..], (ulong)value);
                return;
        }

        for (int i = length - 1; i >= 0; i--)
        {
            span[i] = (byte)value;
            value >>= 8;
        }
    }

    /// <summary>A big-endian value of 1..16 bytes, right-aligned; the common widths are one load each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static UInt128 ReadValue(ReadOnlySpan<byte> bytes)
    {
        switch (bytes.Length)
        {
            case 1:
                return bytes[0];
            case 2:
                return BinaryPrimitives.ReadUInt16BigEndian(bytes);
            case 4:
                return BinaryPrimitives.ReadUInt32BigEndian(bytes);
            case 6:
                return ((ulong)BinaryPrimitives.ReadUInt16BigEndian(bytes) << 32) | BinaryPrimitives.ReadUInt32BigEndian(bytes[2..]);
            case 8:
                return BinaryPrimitives.ReadUInt64BigEndian(bytes);
            case 16:
                return new UInt128(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
        }

        UInt128 value = 0;
        foreach (byte b in bytes)
        {
            value = (value << 8) | b;
        }

        return value;
    }

    /// <summary>Decodes struct ofp_match including its padding.</summary>
    public static Match Decode(ref SpanReader reader, DecodeMode mode)
    {
        var start = reader.Rest;
        ushort type = reader.ReadUInt16();
        ushort length = reader.ReadUInt16();
        if (type != TypeOxm)
        {
            throw new OpenFlowException(OfpError.BadMatchType, $"match type {type} is not OXM (1)", start[..Math.Min(start.Length, 64)]);
        }

        if (length < HeaderLength)
        {
            throw new OpenFlowException(OfpError.BadMatchLen, $"match length {length} is below 4", start[..Math.Min(start.Length, 64)]);
        }

        var oxm = reader.ReadSub(length - HeaderLength, OfpError.BadMatchLen);
        int padded = SpanWriter.Align(length, 8) - length;
        reader.SkipPadding(padded);
        return DecodeOxm(ref oxm, mode);
    }

    /// <summary>
    /// Decodes a run of OXM TLVs (the body of ofp_match, or an NXM match) as lib/nx-match.c nx_pull_raw does:
    /// each field's prerequisites must be met by the fields before it (OFPBMC_BAD_PREREQ), a field may appear
    /// once (OFPBMC_DUP_FIELD), and the result is put in Open vSwitch's canonical form and order, so encoding
    /// it again gives the bytes OVS would send for the same match.
    /// </summary>
    /// <remarks>
    /// A match OVS wrote is already canonical: fields in encode order, each one that it keeps as one entry.
    /// Those entries go straight into an array sized by the TLV count, in wire order, with no copy and no sort;
    /// a strictly rising <see cref="OxmField.EncodeOrder"/> (unique per field) also proves there is no duplicate.
    /// The first entry that breaks this (out of order, expanded, packet_type) hands everything decoded so far to
    /// <see cref="DecodeOxmGeneral"/>, which runs the same checks in the same order on the rest.
    /// </remarks>
    public static Match DecodeOxm(ref SpanReader reader, DecodeMode mode)
    {
        int capacity = CountEntries(reader.Rest);
        if (capacity == 0 && reader.IsEmpty)
        {
            return Any;
        }

        var entries = new OxmEntry[capacity];
        int count = 0;
        int lastOrder = -1;
        while (!reader.IsEmpty)
        {
            if (count == entries.Length)
            {
                // Not reached with a well-formed run (the count saw every TLV); the general path reports it.
                return DecodeOxmGeneral(entries.AsSpan(0, count), pending: false, default, ref reader, mode);
            }

            // Decoded straight into its slot: an entry is 48 bytes, worth not copying.
            ref var entry = ref entries[count];
            if (!TryDecodeEntry(ref reader, mode, out entry))
            {
                continue;
            }

            var field = entry.Field;
            if (field.EncodeOrder <= lastOrder || !MatchNormalizer.IsKeptAsIs(field) || ReferenceEquals(field, OxmFields.PacketType))
            {
                return DecodeOxmGeneral(entries.AsSpan(0, count), pending: true, entry, ref reader, mode);
            }

            if (entry.HasMask)
            {
                // The one normalisation of a field kept as is: a mask covering OVS's exact bits is exact.
                entry = MatchNormalizer.CanonicalMasked(entry);
            }

            if (field.Prerequisite != FieldPrerequisite.None)
            {
                MatchPrerequisites.CheckAgainst(entries.AsSpan(0, count), field);
            }

            count++;
            lastOrder = field.EncodeOrder;
        }

        if (count != entries.Length)
        {
            // Fields skipped (loose mode) or wildcarded away (all-zero mask).
            Array.Resize(ref entries, count);
        }

        return new Match(ImmutableCollectionsMarshal.AsImmutableArray(entries));
    }

    /// <summary>
    /// How many TLVs the run holds, from the length bytes alone, so the fast path's array is allocated once at
    /// its size. A malformed length stops the count; decoding then reports it.
    /// </summary>
    private static int CountEntries(ReadOnlySpan<byte> oxm)
    {
        int count = 0;
        int offset = 0;
        while (oxm.Length - offset >= 4)
        {
            offset += 4 + oxm[offset + 3];
            count++;
        }

        return count;
    }

    /// <summary>
    /// The general decode: <paramref name="decoded"/> (already checked, in wire order) and, when
    /// <paramref name="pending"/>, <paramref name="next"/> (decoded, not yet checked) are followed by the rest of
    /// <paramref name="reader"/>; every entry is expanded to its canonical form, checked for duplicates and
    /// prerequisites against the entries before it, and the result sorted into encode order.
    /// </summary>
    private static Match DecodeOxmGeneral(ReadOnlySpan<OxmEntry> decoded, bool pending, OxmEntry next, ref SpanReader reader, DecodeMode mode)
    {
        var entries = DecodeScratch ??= new List<OxmEntry>(16);
        entries.Clear();
        entries.AddRange(decoded);
        bool packetType = false;
        var entry = next;
        while (pending || NextEntry(ref reader, mode, out entry))
        {
            pending = false;
            packetType |= ReferenceEquals(entry.Field, OxmFields.PacketType);
            int first = entries.Count;
            if (!entry.HasMask && MatchNormalizer.IsKeptAsIs(entry.Field))
            {
                // The common case: an exact field OVS stores and writes back unchanged.
                entries.Add(entry);
            }
            else
            {
                MatchNormalizer.AddExpanded(entry, entries);
            }

            var all = CollectionsMarshal.AsSpan(entries);
            for (int i = first; i < all.Length; i++)
            {
                var field = all[i].Field;
                for (int j = 0; j < i; j++)
                {
                    if (ReferenceEquals(all[j].Field, field))
                    {
                        throw new OpenFlowException(OfpError.DupField, $"field {field.Name} appears twice");
                    }
                }

                if (field.Prerequisite != FieldPrerequisite.None)
                {
                    MatchPrerequisites.CheckAgainst(all[..i], field);
                }
            }
        }

        if (packetType)
        {
            MatchNormalizer.DropImpliedPacketType(entries);
        }

        return new Match(MatchNormalizer.Sort(entries));
    }

    /// <summary>The next entry to keep from <paramref name="reader"/>, skipping ignored TLVs; false at the end.</summary>
    private static bool NextEntry(ref SpanReader reader, DecodeMode mode, out OxmEntry entry)
    {
        while (!reader.IsEmpty)
        {
            if (TryDecodeEntry(ref reader, mode, out entry))
            {
                return true;
            }
        }

        entry = default;
        return false;
    }

    /// <summary>
    /// The entries of the match being decoded on this thread by <see cref="DecodeOxmGeneral"/>, reused so
    /// decoding allocates only the result. It never re-enters itself and copies the entries out before returning.
    /// </summary>
    [ThreadStatic]
    private static List<OxmEntry>? DecodeScratch;

    /// <summary>
    /// Decodes one TLV; returns null for a field to ignore: an unknown field in loose mode (a header OVS does
    /// not know, including a known field with the wrong length, as nx_pull_header does), or an all-zero mask.
    /// </summary>
    internal static OxmEntry? DecodeEntry(ref SpanReader reader, DecodeMode mode) =>
        TryDecodeEntry(ref reader, mode, out var entry) ? entry : null;

    /// <summary><see cref="DecodeEntry"/> without the nullable copy: false for a field to ignore.</summary>
    private static bool TryDecodeEntry(ref SpanReader reader, DecodeMode mode, out OxmEntry entry)
    {
        uint header = reader.ReadUInt32();
        int payloadLength = (int)(header & 0xff);
        bool hasMask = (header & 0x100) != 0;
        var payload = reader.ReadBytes(payloadLength, OfpError.BadMatchLen);
        uint experimenter = 0;
        if ((header >> 16) == OxmFields.ExperimenterClass)
        {
            if (payload.Length < 4)
            {
                throw new OpenFlowException(OfpError.BadMatchLen, $"experimenter match field 0x{header:x8} has {payload.Length} byte(s), needs 4 for the experimenter id");
            }

            experimenter = BinaryPrimitives.ReadUInt32BigEndian(payload);
            payload = payload[4..];
        }

        var field = OxmFields.FromHeader(header, experimenter);
        int expected = field is null ? -1 : (hasMask ? field.Length * 2 : field.Length);
        if (field is null || !field.KnownToOvs || payload.Length != expected)
        {
            if (mode == DecodeMode.Strict)
            {
                string why = field is null || !field.KnownToOvs ? "unknown match field" : $"match field {field.Name} with {payload.Length} byte(s) of value, expected {expected}:";
                throw new OpenFlowException(OfpError.BadField, $"{why} 0x{header:x8}");
            }

            entry = default;
            return false;
        }

        var value = ReadValue(payload[..field.Length]);
        var ones = field.OnesMask;
        var mask = hasMask ? ReadValue(payload[field.Length..]) : ones;
        if (hasMask && !field.Maskable && mask != ones)
        {
            // nx_pull_entry: a mask on a field without one is accepted only when it is all ones.
            throw new OpenFlowException(OfpError.BadMask, $"field {field.Name} cannot be masked");
        }

        if ((value & ~mask) != 0)
        {
            // OpenFlow 1.3.5 §7.2.3.5: value bits outside the mask must be zero.
            throw new OpenFlowException(OfpError.BadWildcards, $"field {field.Name} has value bits set outside its mask");
        }

        MatchNormalizer.CheckValue(field, value);
        if (mask == 0)
        {
            // An all-wildcard field matches everything: OVS keeps nothing of it.
            entry = default;
            return false;
        }

        entry = mask == ones ? new OxmEntry(field, value, ones, false) : new OxmEntry(field, value, mask, true);
        return true;
    }

    public bool Equals(Match? other)
    {
        if (other is null || other.Entries.Length != Entries.Length || other.GetHashCode() != GetHashCode())
        {
            return false;
        }

        if (ReferenceEquals(this, other))
        {
            return true;
        }

        // Fast path: same order. Otherwise each of ours must appear in theirs (no duplicates by construction).
        var mine = Entries.AsSpan();
        var theirs = other.Entries.AsSpan();
        if (mine.SequenceEqual(theirs))
        {
            return true;
        }

        foreach (var entry in mine)
        {
            if (other.Get(entry.Field) is not { } found || found != entry)
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is Match other && Equals(other);

    public override int GetHashCode()
    {
        if (!Volatile.Read(ref _hashed))
        {
            int hash = Entries.Length;
            foreach (var entry in Entries)
            {
                // Order-independent: fields combine by addition.
                hash += HashCode.Combine(entry.Field, entry.Value, entry.HasMask ? entry.Mask : UInt128.Zero);
            }

            // Idempotent, so threads racing here store the same value; the flag is published after the hash.
            _hash = hash;
            Volatile.Write(ref _hashed, true);
        }

        return _hash;
    }
}
