using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Errors;

namespace Dvr.OpenFlow.Match;

/// <summary>
/// Puts match entries in Open vSwitch's canonical form: OVS keeps a match as a flow plus wildcards
/// (struct match) and re-encodes it with one header per flow field, so several wire spellings collapse:
/// xreg/xxreg become the 32-bit regs they overlay, NXM_OF_IP_TOS becomes ip_dscp, NXM_OF_VLAN_TCI becomes
/// vlan_vid and vlan_pcp, a vlan_vid mask covering all 13 bits and an ip_frag mask covering both bits mean
/// an exact match. Also holds the value checks of lib/meta-flow.c mf_is_value_valid (OFPBMC_BAD_VALUE).
/// </summary>
internal static class MatchNormalizer
{
    /// <summary>OFPVID_PRESENT | 12-bit VLAN id.</summary>
    private const uint VlanVidBits = 0x1fff;

    /// <summary>FLOW_NW_FRAG_ANY | FLOW_NW_FRAG_LATER.</summary>
    private const uint FragBits = 0x3;

    /// <summary>The mask that means "exact" for <paramref name="field"/> when OVS encodes it.</summary>
    public static UInt128 ExactMask(OxmField field)
    {
        if (ReferenceEquals(field, OxmFields.VlanVid))
        {
            return VlanVidBits;
        }

        return ReferenceEquals(field, OxmFields.IpFrag) ? FragBits : field.OnesMask;
    }

    /// <summary>Rejects values OVS cannot hold in the field (OFPBMC_BAD_VALUE).</summary>
    /// <remarks>Inlined into the decoder: most fields pass with one mask test and no call.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CheckValue(OxmField field, UInt128 value)
    {
        if ((value & ~field.ValueBitsMask) != 0 || field.Format == FieldValueFormat.Port || ReferenceEquals(field, OxmFields.NwTos))
        {
            CheckValueFully(field, value);
        }
    }

    /// <summary>Every check of <see cref="CheckValue"/>, for the fields that have more than the width check.</summary>
    private static void CheckValueFully(OxmField field, UInt128 value)
    {
        if ((value & ~field.ValueBitsMask) != 0)
        {
            throw new OpenFlowException(OfpError.BadValue, $"value 0x{value:x} of field {field.Name} does not fit in {field.Bits} bits");
        }

        if (field.Format == FieldValueFormat.Port && value > 0xffff && value < OfpPort.Max)
        {
            // ofputil_port_from_ofp11: OpenFlow 1.1+ ports 0x10000..0xfffffeff have no OVS equivalent.
            throw new OpenFlowException(OfpError.BadValue, $"port {value} of field {field.Name} is out of range");
        }

        if (ReferenceEquals(field, OxmFields.NwTos) && (value & 0x3) != 0)
        {
            throw new OpenFlowException(OfpError.BadValue, $"nw_tos {value} has ECN bits set");
        }
    }

    /// <summary>The canonical entries for one decoded or added entry (usually just itself).</summary>
    public static IEnumerable<OxmEntry> Expand(OxmEntry entry)
    {
        var expanded = new List<OxmEntry>(1);
        AddExpanded(entry, expanded);
        return expanded;
    }

    /// <summary>True when an exact entry of <paramref name="field"/> is its own canonical form (what <see cref="AddExpanded"/> adds unchanged).</summary>
    public static bool IsKeptAsIs(OxmField field) =>
        field.InMatch && !ReferenceEquals(field, OxmFields.CtState) && !ReferenceEquals(field, OxmFields.TunFlags);

    /// <summary>
    /// The canonical form of a masked entry of a field <see cref="IsKeptAsIs"/> accepts: exact when the mask
    /// covers the bits OVS matches exactly (as <see cref="AddExpanded"/> does for such a field), else itself.
    /// </summary>
    public static OxmEntry CanonicalMasked(OxmEntry entry)
    {
        var exact = ExactMask(entry.Field);
        return (entry.Mask & exact) == exact ? OxmEntry.Exact(entry.Field, entry.Value & exact) : entry;
    }

    /// <summary>True when <see cref="AddExpanded"/> adds <paramref name="entry"/> unchanged (it is already canonical).</summary>
    public static bool IsCanonical(OxmEntry entry)
    {
        if (!IsKeptAsIs(entry.Field))
        {
            return false;
        }

        if (!entry.HasMask)
        {
            return true;
        }

        var exact = ExactMask(entry.Field);
        return (entry.Mask & exact) != exact;
    }

    /// <summary>Appends the canonical entries for <paramref name="entry"/> to <paramref name="output"/>, without an iterator.</summary>
    public static void AddExpanded(OxmEntry entry, List<OxmEntry> output)
    {
        var field = entry.Field;
        if (ReferenceEquals(field, OxmFields.CtState) || ReferenceEquals(field, OxmFields.TunFlags))
        {
            // OVS holds these in narrower flow fields (8 bits of ct_state, the public tunnel flag bits) and
            // always writes them back with that narrow mask, even when they came in exact.
            var narrow = (UInt128.One << field.Bits) - 1;
            var mask = entry.Mask & narrow;
            if (mask != 0)
            {
                output.Add(new OxmEntry(field, entry.Value & mask, mask, true));
            }

            return;
        }

        if (field.InMatch)
        {
            output.Add(entry.HasMask ? CanonicalMasked(entry) : entry);
            return;
        }

        if (FirstRegister(field) is { } first)
        {
            // xreg(i) = reg(2i) << 32 | reg(2i+1); xxreg(i) = reg(4i) .. reg(4i+3), most significant first.
            int regs = field.Length / 4;
            for (int i = 0; i < regs; i++)
            {
                int shift = 32 * (regs - 1 - i);
                uint value = (uint)(entry.Value >> shift);
                uint mask = (uint)(entry.Mask >> shift);
                if (mask != 0)
                {
                    output.Add(OxmEntry.Masked(OxmFields.Regs[first + i], value, mask));
                }
            }

            return;
        }

        if (ReferenceEquals(field, OxmFields.NwTos))
        {
            output.Add(OxmEntry.Exact(OxmFields.IpDscp, entry.Value >> 2));
            return;
        }

        if (ReferenceEquals(field, OxmFields.VlanTci))
        {
            // nx_put_raw (OXM): vlan_vid from the CFI and VID bits, vlan_pcp only when a VLAN is present.
            uint tci = (uint)entry.Value;
            uint mask = (uint)entry.Mask;
            uint vidMask = mask & VlanVidBits;
            if (vidMask != 0)
            {
                output.Add(OxmEntry.Masked(OxmFields.VlanVid, tci & vidMask, vidMask == VlanVidBits ? 0xffff : vidMask));
            }

            if ((tci & VlanVidBits) != 0 && ((mask >> 13) & 0x7) != 0)
            {
                output.Add(OxmEntry.Exact(OxmFields.VlanPcp, (tci >> 13) & 0x7));
            }

            return;
        }

        output.Add(entry);
    }

    /// <summary>
    /// OVS writes packet_type=Ethernet only when no Ethernet-or-above field implies it, so a default packet_type
    /// next to such a field is dropped (re-encoding then matches OVS).
    /// </summary>
    public static void DropImpliedPacketType(List<OxmEntry> entries)
    {
        int index = -1;
        bool impliedByOther = false;
        for (int i = 0; i < entries.Count; i++)
        {
            var field = entries[i].Field;
            if (ReferenceEquals(field, OxmFields.PacketType))
            {
                index = i;
            }
            else
            {
                impliedByOther |= MatchSlots.IsPacketField(field);
            }
        }

        if (index >= 0 && entries[index].Value == 0 && !entries[index].HasMask && impliedByOther)
        {
            entries.RemoveAt(index);
        }
    }

    /// <summary>For xreg/xxreg fields, the index of the first (most significant) 32-bit register they cover.</summary>
    public static int? FirstRegister(OxmField field)
    {
        for (int i = 0; i < OxmFields.Xregs.Count; i++)
        {
            if (ReferenceEquals(OxmFields.Xregs[i], field))
            {
                return 2 * i;
            }
        }

        for (int i = 0; i < OxmFields.Xxregs.Count; i++)
        {
            if (ReferenceEquals(OxmFields.Xxregs[i], field))
            {
                return 4 * i;
            }
        }

        return null;
    }

    /// <summary>Sorts into encode order, into an array of exactly the entries' size.</summary>
    public static ImmutableArray<OxmEntry> Sort(List<OxmEntry> entries)
    {
        // A match holds each field once (duplicates are rejected or merged before this), and each field has its
        // own encode order, so an entry's slot is the number of entries that come before it: every entry is
        // written once, straight into its place.
        var source = CollectionsMarshal.AsSpan(entries);
        var array = new OxmEntry[source.Length];
        for (int i = 0; i < source.Length; i++)
        {
            int order = source[i].Field.EncodeOrder;
            int slot = 0;
            for (int j = 0; j < source.Length; j++)
            {
                int other = source[j].Field.EncodeOrder;
                slot += other < order || (other == order && j < i) ? 1 : 0;
            }

            array[slot] = source[i];
        }

        return ImmutableCollectionsMarshal.AsImmutableArray(array);
    }
}
