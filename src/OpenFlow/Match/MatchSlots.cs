namespace Dvr.OpenFlow.Match;

/// <summary>
/// A match under construction the way Open vSwitch holds one while parsing text (struct flow + wildcards):
/// one slot per packet field, shared by the names that write it (nw_src and arp_spa; tp_src, udp_src and
/// icmp_type; arp_sha and nd_sll; the VLAN TCI; the ToS byte). The last setting wins. <see cref="ToMatch"/>
/// turns the slots into the OXM fields lib/nx-match.c nx_put_raw would emit for them.
/// </summary>
internal sealed class MatchSlots
{
    private readonly Dictionary<OxmField, (UInt128 Value, UInt128 Mask)> _slots = [];

    /// <summary>Set once any Ethernet-or-above field or "eth" is parsed: OVS then matches packet_type=Ethernet.</summary>
    private bool _ethernet;

    /// <summary>Notes that the match now implies an Ethernet packet (OVS's default packet_type is matched).</summary>
    public void MarkEthernet() => _ethernet = true;

    /// <summary>The slot a field writes: the representative field of its shared slot, or itself.</summary>
    private static OxmField SlotOf(OxmField field)
    {
        if (ReferenceEquals(field, OxmFields.ArpSpa))
        {
            return OxmFields.Ipv4Src;
        }

        if (ReferenceEquals(field, OxmFields.ArpTpa))
        {
            return OxmFields.Ipv4Dst;
        }

        if (ReferenceEquals(field, OxmFields.ArpOp))
        {
            return OxmFields.IpProto;
        }

        if (field == OxmFields.UdpSrc || field == OxmFields.SctpSrc || field == OxmFields.Icmpv4Type || field == OxmFields.Icmpv6Type)
        {
            return OxmFields.TcpSrc;
        }

        if (field == OxmFields.UdpDst || field == OxmFields.SctpDst || field == OxmFields.Icmpv4Code || field == OxmFields.Icmpv6Code)
        {
            return OxmFields.TcpDst;
        }

        if (ReferenceEquals(field, OxmFields.Ipv6NdSll))
        {
            return OxmFields.ArpSha;
        }

        return ReferenceEquals(field, OxmFields.Ipv6NdTll) ? OxmFields.ArpTha : field;
    }

    /// <summary>Sets a field's slot to value/mask (an all-zero mask wildcards it).</summary>
    public void Set(OxmField field, UInt128 value, UInt128 mask)
    {
        var slot = SlotOf(field);
        if (ReferenceEquals(slot, OxmFields.IpProto))
        {
            // nw_proto is 8 bits in struct flow: arp_op=256 becomes 0, as in OVS.
            value &= 0xff;
            mask = 0xff;
        }
        else if (!ReferenceEquals(slot, field) && field.Length == 1)
        {
            // icmp_type/icmp_code (8 bits) write the 16-bit tp_src/tp_dst exactly.
            mask = 0xffff;
        }

        if (mask == 0)
        {
            _slots.Remove(slot);
            return;
        }

        _slots[slot] = (value & mask, mask);
    }

    public void Clear(OxmField field) => _slots.Remove(SlotOf(field));

    private (uint Value, uint Mask) Tci => _slots.TryGetValue(OxmFields.VlanTci, out var t) ? ((uint)t.Value, (uint)t.Mask) : (0, 0);

    private void StoreTci(uint tci, uint mask)
    {
        if (mask == 0)
        {
            _slots.Remove(OxmFields.VlanTci);
        }
        else
        {
            _slots[OxmFields.VlanTci] = (tci & 0xffff, mask & 0xffff);
        }
    }

    /// <summary>flow_set_dl_vlan / flow_set_vlan_pcp: replace the bits in <paramref name="maskBits"/>, match them exactly.</summary>
    public void SetTciBits(uint bits, uint maskBits)
    {
        var (tci, mask) = Tci;
        if (bits == 0 && maskBits == 0x1fff)
        {
            // dl_vlan=0xffff (OFP10_VLAN_NONE) zeroes the whole TCI.
            StoreTci(0, mask | maskBits);
            return;
        }

        StoreTci((tci & ~maskBits) | bits, mask | maskBits);
    }

    /// <summary>match_set_vlan_vid_masked / match_set_dl_tci_masked: replace <paramref name="region"/> with bits/mask.</summary>
    public void ReplaceTciBits(uint bits, uint mask, uint region)
    {
        var (tci, tciMask) = Tci;
        StoreTci((tci & ~region) | (bits & mask), (tciMask & ~region) | mask);
    }

    /// <summary>match_set_nw_dscp / match_set_nw_ecn on the ToS byte.</summary>
    public void SetTosBits(uint bits, uint maskBits)
    {
        var (tos, mask) = _slots.TryGetValue(OxmFields.NwTos, out var t) ? ((uint)t.Value, (uint)t.Mask) : (0u, 0u);
        _slots[OxmFields.NwTos] = ((tos & ~maskBits) | bits, mask | maskBits);
    }

    /// <summary>True for fields that read the packet (Ethernet and above), not only pipeline metadata.</summary>
    public static bool IsPacketField(OxmField field) =>
        ReferenceEquals(field, OxmFields.PacketType) || ReferenceEquals(field, OxmFields.VlanTci) || ReferenceEquals(field, OxmFields.NwTos)
        || (field.EncodeOrder >= OxmFields.EthSrc.EncodeOrder && field.EncodeOrder <= OxmFields.ArpTha.EncodeOrder)
        || (field.EncodeOrder >= OxmFields.CtNwSrc.EncodeOrder && field.EncodeOrder <= OxmFields.CtTpDst.EncodeOrder);

    /// <summary>The OXM match OVS would encode: slots resolved by protocol, unmet prerequisites dropped, in encode order.</summary>
    public Match ToMatch()
    {
        uint? ethType = _slots.TryGetValue(OxmFields.EthType, out var et) ? (uint)et.Value : null;
        uint? proto = _slots.TryGetValue(OxmFields.IpProto, out var p) ? (uint)p.Value : null;
        bool ip = ethType is MatchPrerequisites.EthTypeIpv4 or MatchPrerequisites.EthTypeIpv6;
        bool arp = ethType is MatchPrerequisites.EthTypeArp or MatchPrerequisites.EthTypeRarp;
        bool ipv4 = ethType == MatchPrerequisites.EthTypeIpv4;
        bool ipv6 = ethType == MatchPrerequisites.EthTypeIpv6;

        var candidates = new List<OxmEntry>(_slots.Count + 2);
        foreach (var (slot, (value, mask)) in _slots)
        {
            if (ReferenceEquals(slot, OxmFields.NwTos))
            {
                // nx_put_raw: ip_dscp (shifted) when DSCP bits are matched, ip_ecn when ECN bits are.
                if ((mask & 0xfc) != 0)
                {
                    candidates.Add(OxmEntry.Exact(OxmFields.IpDscp, (value & 0xfc) >> 2));
                }

                if ((mask & 0x3) != 0)
                {
                    candidates.Add(OxmEntry.Exact(OxmFields.IpEcn, value & 0x3));
                }

                continue;
            }

            if (ReferenceEquals(slot, OxmFields.VlanTci))
            {
                candidates.AddRange(MatchNormalizer.Expand(new OxmEntry(slot, value, mask, mask != OxmEntry.AllOnes(slot.Length))));
                continue;
            }

            OxmField? field = slot;
            bool exactByte = false;
            if (ReferenceEquals(slot, OxmFields.Ipv4Src))
            {
                field = ipv4 ? OxmFields.Ipv4Src : arp ? OxmFields.ArpSpa : null;
            }
            else if (ReferenceEquals(slot, OxmFields.Ipv4Dst))
            {
                field = ipv4 ? OxmFields.Ipv4Dst : arp ? OxmFields.ArpTpa : null;
            }
            else if (ReferenceEquals(slot, OxmFields.IpProto))
            {
                field = ip ? OxmFields.IpProto : arp ? OxmFields.ArpOp : null;
            }
            else if (ReferenceEquals(slot, OxmFields.TcpSrc) || ReferenceEquals(slot, OxmFields.TcpDst))
            {
                bool src = ReferenceEquals(slot, OxmFields.TcpSrc);
                field = !ip ? null : proto switch
                {
                    MatchPrerequisites.IpProtoTcp => src ? OxmFields.TcpSrc : OxmFields.TcpDst,
                    MatchPrerequisites.IpProtoUdp => src ? OxmFields.UdpSrc : OxmFields.UdpDst,
                    MatchPrerequisites.IpProtoSctp => src ? OxmFields.SctpSrc : OxmFields.SctpDst,
                    MatchPrerequisites.IpProtoIcmp when ipv4 => src ? OxmFields.Icmpv4Type : OxmFields.Icmpv4Code,
                    MatchPrerequisites.IpProtoIcmpv6 when ipv6 => src ? OxmFields.Icmpv6Type : OxmFields.Icmpv6Code,
                    _ => null,
                };
                exactByte = field is { Length: 1 };
            }
            else if (ReferenceEquals(slot, OxmFields.ArpSha))
            {
                field = arp ? OxmFields.ArpSha : ipv6 ? OxmFields.Ipv6NdSll : null;
            }
            else if (ReferenceEquals(slot, OxmFields.ArpTha))
            {
                field = arp ? OxmFields.ArpTha : ipv6 ? OxmFields.Ipv6NdTll : null;
            }

            if (field is null)
            {
                continue;
            }

            if (exactByte || ReferenceEquals(slot, OxmFields.IpProto))
            {
                // nx_put_raw writes ICMP type/code as an exact byte of the (masked) tp_src/tp_dst.
                candidates.Add(OxmEntry.Exact(field, value & 0xff));
                continue;
            }

            var fieldValue = value;
            var fieldMask = mask;
            if (field.Bits < field.Length * 8 && !field.Maskable && !ReferenceEquals(field, OxmFields.ArpOp))
            {
                // match_set_mpls_label and friends keep only the field's bits.
                var bits = (UInt128.One << field.Bits) - 1;
                fieldValue &= bits;
            }

            var ones = OxmEntry.AllOnes(field.Length);
            candidates.AddRange(MatchNormalizer.Expand(fieldMask == ones ? OxmEntry.Exact(field, fieldValue) : new OxmEntry(field, fieldValue, fieldMask, true)));
        }

        var sorted = MatchNormalizer.Sort(candidates);
        var kept = new List<OxmEntry>(sorted.Length);
        foreach (var entry in sorted)
        {
            bool ctTransport = entry.Field == OxmFields.CtNwProto || entry.Field == OxmFields.CtTpSrc || entry.Field == OxmFields.CtTpDst;
            if (ctTransport && !(_slots.TryGetValue(OxmFields.CtNwProto, out var ctProto) && ctProto.Value != 0))
            {
                // nx_put_raw writes ct_nw_proto, ct_tp_src and ct_tp_dst only for a non-zero ct_nw_proto.
                continue;
            }

            if (MatchPrerequisites.IsSatisfied(kept, entry.Field, strict: false))
            {
                kept.Add(entry);
            }
        }

        if (_ethernet && !kept.Exists(e => IsPacketField(e.Field)))
        {
            // nx_put_raw: a default packet_type with no Ethernet field emitted goes first, explicitly.
            kept.Insert(0, OxmEntry.Exact(OxmFields.PacketType, 0));
        }

        return new Match([.. kept]);
    }
}
