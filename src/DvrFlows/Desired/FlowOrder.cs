using System.Buffers.Binary;
using System.Collections.Immutable;
using Dvr.OpenFlow.Match;
using OfMatch = Dvr.OpenFlow.Match.Match;

namespace Dvr.DvrFlows.Desired;

/// <summary>
/// The canonical order of a flow set: table ascending, priority descending, then the match compared field by
/// field in OVS encode order (field, value, mask; fewer fields first). Deterministic whatever order the
/// topology listed things in.
/// </summary>
public sealed class FlowOrder : IComparer<DesiredFlow>
{
    public static readonly FlowOrder Instance = new();

    public int Compare(DesiredFlow? x, DesiredFlow? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }

        int c = CompareIgnoringOwner(x, y);
        return c != 0 ? c : x.Owner.CompareTo(y.Owner);
    }

    /// <summary>The order without the final owner tie-break: 0 exactly when the two flows have equal keys.</summary>
    public static int CompareIgnoringOwner(DesiredFlow x, DesiredFlow y)
    {
        int c = ReferenceEquals(x.BridgeName, y.BridgeName) ? 0 : string.CompareOrdinal(x.BridgeName, y.BridgeName);
        if (c != 0)
        {
            return c;
        }

        c = x.TableId.CompareTo(y.TableId);
        if (c != 0)
        {
            return c;
        }

        c = y.Priority.CompareTo(x.Priority);
        if (c != 0)
        {
            return c;
        }

        return ReferenceEquals(x.Match, y.Match) ? 0 : CompareMatch(x.Match, y.Match);
    }

    public static int CompareMatch(OfMatch x, OfMatch y) => CompareEntries(x.Entries, y.Entries);

    /// <summary><see cref="CompareMatch"/> of two matches' entries (in any order).</summary>
    internal static int CompareEntries(ImmutableArray<OxmEntry> x, ImmutableArray<OxmEntry> y)
    {
        // One pass over both matches (spans and refs: an OxmEntry is 64 bytes, and the ImmutableArray indexer
        // copies it on every read): compare entry by entry while checking that both are in encode order, as
        // matches nearly always are; otherwise compare sorted copies.
        var a = x.AsSpan();
        var b = y.AsSpan();
        int n = Math.Max(a.Length, b.Length);
        int result = 0;
        for (int i = 0; i < n; i++)
        {
            if ((i > 0 && i < a.Length && a[i - 1].Field.EncodeOrder > a[i].Field.EncodeOrder)
                || (i > 0 && i < b.Length && b[i - 1].Field.EncodeOrder > b[i].Field.EncodeOrder))
            {
                return CompareInEncodeOrder(InEncodeOrder(x).AsSpan(), InEncodeOrder(y).AsSpan());
            }

            if (result == 0 && i < a.Length && i < b.Length)
            {
                result = CompareEntry(in a[i], in b[i]);
            }
        }

        return result != 0 ? result : a.Length.CompareTo(b.Length);
    }

    private static int CompareInEncodeOrder(ReadOnlySpan<OxmEntry> a, ReadOnlySpan<OxmEntry> b)
    {
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
        {
            int c = CompareEntry(in a[i], in b[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return a.Length.CompareTo(b.Length);
    }

    private static int CompareEntry(in OxmEntry p, in OxmEntry q)
    {
        int c = p.Field.EncodeOrder.CompareTo(q.Field.EncodeOrder);
        if (c == 0)
        {
            c = p.Value.CompareTo(q.Value);
        }

        if (c == 0)
        {
            c = p.HasMask.CompareTo(q.HasMask);
        }

        return c != 0 ? c : p.Mask.CompareTo(q.Mask);
    }

    /// <summary>
    /// A 128-bit prefix of this order for one bridge, so that sorting a bridge compares two integers and only
    /// falls back to <see cref="CompareIgnoringOwner"/> when the prefixes are equal: <c>key(a) &lt; key(b)</c>
    /// implies <c>a &lt; b</c>. It is the first 16 bytes (zero-padded) of a byte string whose lexicographic order
    /// is the order of table, priority and match:
    /// <code>
    ///  +-------+-----------------+-------------------------- per match entry, in encode order --------------+
    ///  | table | 0xffff-priority | EncodeOrder+1 | value (field length, big-endian) | has_mask | mask if any |
    ///  |  1 B  |       2 B       |      1 B      |              n B                 |   1 B    |     n B     |
    ///  +-------+-----------------+---------------+----------------------------------+----------+-------------+
    /// </code>
    /// An absent entry is 0x00, below every field byte (fewer entries sort first). Where the bytes cannot follow
    /// the comparison (an encode order above 253, a value or mask wider than the field, an exact entry whose mask
    /// is not all ones, a field wider than 16 bytes) the rest of the key is filled with the lowest or highest byte
    /// that keeps the implication true, leaving the decision to the full comparison. The compiler's l2pop entries
    /// (eth_dst + vlan_vid; arp + vlan_vid + arp_tpa) fit whole, so their sort is integer comparisons only.
    /// With <paramref name="skip"/> = 16 it is the next 16 bytes of the same string: the order of flows whose
    /// first keys are equal, with the same implication.
    /// </summary>
    internal static UInt128 SortKey(byte tableId, ushort priority, ImmutableArray<OxmEntry> entries, int skip = 0)
    {
        var key = new KeyBytes(stackalloc byte[16], skip);
        key.Put(tableId);
        key.Put((byte)((ushort.MaxValue - priority) >> 8));
        key.Put((byte)(ushort.MaxValue - priority));
        foreach (ref readonly var entry in InEncodeOrder(entries).AsSpan())
        {
            if (key.IsFull)
            {
                break;
            }

            var field = entry.Field;
            key.Put((byte)Math.Min(field.EncodeOrder + 1, byte.MaxValue));
            if (field.EncodeOrder >= byte.MaxValue - 1 || field.Length is < 1 or > 16)
            {
                // The late fields share one byte, and a wide field's value has no fixed width here: whatever
                // follows is left to the full comparison.
                key.Fill(0);
                break;
            }

            var ones = OxmEntry.AllOnes(field.Length);
            if (entry.Value > ones)
            {
                // Above every value the field's bytes can hold, and so above every key with these leading bytes.
                key.Fill(byte.MaxValue);
                break;
            }

            key.PutValue(entry.Value, field.Length);
            key.Put(entry.HasMask ? (byte)1 : (byte)0);
            if (entry.HasMask)
            {
                if (entry.Mask > ones)
                {
                    key.Fill(byte.MaxValue);
                    break;
                }

                key.PutValue(entry.Mask, field.Length);
            }
            else if (entry.Mask != ones)
            {
                // An exact entry normally carries the all-ones mask (MatchBuilder); another mask sorts below or above it.
                key.Fill(entry.Mask < ones ? (byte)0 : byte.MaxValue);
                break;
            }
        }

        return key.Value;
    }

    /// <summary>A 16-byte window of the key string, starting <c>skip</c> bytes in; unwritten bytes are 0 (no more entries).</summary>
    private ref struct KeyBytes(Span<byte> bytes, int skip)
    {
        private readonly Span<byte> _bytes = bytes;
        private int _skip = skip;
        private int _length;

        public readonly bool IsFull => _length == _bytes.Length;

        public readonly UInt128 Value => BinaryPrimitives.ReadUInt128BigEndian(_bytes);

        public void Put(byte value)
        {
            if (_skip > 0)
            {
                _skip--;
            }
            else if (_length < _bytes.Length)
            {
                _bytes[_length++] = value;
            }
        }

        public void PutValue(UInt128 value, int length)
        {
            for (int shift = (length - 1) * 8; shift >= 0 && !IsFull; shift -= 8)
            {
                Put((byte)(value >> shift));
            }
        }

        /// <summary>Every later byte of the string is <paramref name="value"/>.</summary>
        public void Fill(byte value)
        {
            _bytes[_length..].Fill(value);
            _length = _bytes.Length;
        }
    }

    // Matches are usually built in encode order already: sorting (and allocating) on every comparison made
    // ordering a 10,000-flow set dominate the compile time.
    private static ImmutableArray<OxmEntry> InEncodeOrder(ImmutableArray<OxmEntry> entries)
    {
        var span = entries.AsSpan();
        for (int i = 1; i < span.Length; i++)
        {
            if (span[i - 1].Field.EncodeOrder > span[i].Field.EncodeOrder)
            {
                return entries.Sort((p, q) => p.Field.EncodeOrder.CompareTo(q.Field.EncodeOrder));
            }
        }

        return entries;
    }
}
