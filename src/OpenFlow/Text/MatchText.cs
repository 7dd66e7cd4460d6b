using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Match;
using M = Dvr.OpenFlow.Match.Match;

namespace Dvr.OpenFlow.Text;

/// <summary>
/// Matches as ovs-ofctl writes and reads them (Open vSwitch 3.1). <see cref="Format"/> follows lib/match.c
/// match_format; <see cref="Parse"/> follows lib/ofp-flow.c parse_ofp_str for the match part of a flow, then
/// encodes as lib/nx-match.c nx_put_raw would, so parsing the same text as ovs-ofctl gives the same OXM bytes.
/// <para>
/// Open vSwitch keeps a match as packet "slots" plus wildcards: several names share a slot (nw_src and arp_spa,
/// tp_src and udp_src and icmp_type, vlan_tci and dl_vlan and dl_vlan_pcp, nw_tos and ip_dscp), the last
/// setting wins, and at encode time each slot becomes the OXM field the protocol calls for. Fields whose
/// prerequisites the final match does not meet are dropped (OVS's "normalization changed ofp_match").
/// </para>
/// </summary>
public static class MatchText
{
    /// <summary>OFP_DEFAULT_PRIORITY: match_format leaves it out.</summary>
    public const int DefaultPriority = 0x8000;

    private static readonly FrozenDictionary<string, (ushort EthType, byte Proto)> Protocols = new Dictionary<string, (ushort, byte)>
    {
        ["ip"] = (MatchPrerequisites.EthTypeIpv4, 0),
        ["ipv4"] = (MatchPrerequisites.EthTypeIpv4, 0),
        ["ip4"] = (MatchPrerequisites.EthTypeIpv4, 0),
        ["icmp"] = (MatchPrerequisites.EthTypeIpv4, MatchPrerequisites.IpProtoIcmp),
        ["tcp"] = (MatchPrerequisites.EthTypeIpv4, MatchPrerequisites.IpProtoTcp),
        ["udp"] = (MatchPrerequisites.EthTypeIpv4, MatchPrerequisites.IpProtoUdp),
        ["sctp"] = (MatchPrerequisites.EthTypeIpv4, MatchPrerequisites.IpProtoSctp),
        ["arp"] = (MatchPrerequisites.EthTypeArp, 0),
        ["rarp"] = (MatchPrerequisites.EthTypeRarp, 0),
        ["ipv6"] = (MatchPrerequisites.EthTypeIpv6, 0),
        ["ip6"] = (MatchPrerequisites.EthTypeIpv6, 0),
        ["icmp6"] = (MatchPrerequisites.EthTypeIpv6, MatchPrerequisites.IpProtoIcmpv6),
        ["tcp6"] = (MatchPrerequisites.EthTypeIpv6, MatchPrerequisites.IpProtoTcp),
        ["udp6"] = (MatchPrerequisites.EthTypeIpv6, MatchPrerequisites.IpProtoUdp),
        ["sctp6"] = (MatchPrerequisites.EthTypeIpv6, MatchPrerequisites.IpProtoSctp),
        ["mpls"] = (MatchPrerequisites.EthTypeMpls, 0),
        ["mplsm"] = (MatchPrerequisites.EthTypeMplsMulticast, 0),

        // packet_type=(0,0): Ethernet, the default; it changes nothing in an OpenFlow 1.3 match.
        ["eth"] = (0, 0),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Field names ovs-ofctl accepts as match keys (lib/meta-flow.h names and extra names).</summary>
    private static readonly FrozenDictionary<string, OxmField> FieldKeys = BuildFieldKeys();

    private static FrozenDictionary<string, OxmField> BuildFieldKeys()
    {
        var keys = new Dictionary<string, OxmField>(StringComparer.Ordinal);
        foreach (var field in OxmFields.All)
        {
            if (field.KnownToOvs && !ReferenceEquals(field, OxmFields.PacketType))
            {
                keys[field.OvsName] = field;
            }
        }

        (string, OxmField)[] extra =
        [
            ("dl_src", OxmFields.EthSrc), ("dl_dst", OxmFields.EthDst), ("dl_type", OxmFields.EthType),
            ("dl_vlan", OxmFields.VlanVid), ("dl_vlan_pcp", OxmFields.VlanPcp), ("nw_src", OxmFields.Ipv4Src),
            ("nw_dst", OxmFields.Ipv4Dst), ("ip_proto", OxmFields.IpProto), ("ip_ecn", OxmFields.IpEcn),
            ("nw_frag", OxmFields.IpFrag), ("tp_src", OxmFields.TcpSrc), ("tp_dst", OxmFields.TcpDst),
            ("in_port_oxm", OxmFields.InPort), ("tunnel_id", OxmFields.TunnelId), ("eth_src", OxmFields.EthSrc),
            ("eth_dst", OxmFields.EthDst), ("eth_type", OxmFields.EthType),
        ];
        foreach (var (name, field) in extra)
        {
            keys[name] = field;
        }

        return keys.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>True for every match keyword ovs-ofctl accepts in a flow: field names and protocol shorthands ("ip", "arp", "icmp6", ...).</summary>
    public static bool IsMatchKey(string key) => Protocols.ContainsKey(key) || FieldKeys.ContainsKey(key);

    /// <summary>
    /// Parses the match part of a flow: <paramref name="pairs"/> are key=value (value null for a bare keyword such
    /// as "tcp"). Every key must satisfy <see cref="IsMatchKey"/>. Throws <see cref="TextParseException"/> naming
    /// the field and the value for anything ovs-ofctl rejects.
    /// </summary>
    public static M Parse(IReadOnlyList<KeyValuePair<string, string?>> pairs, PortNames names)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var slots = new MatchSlots();
        foreach (var (key, value) in pairs)
        {
            if (Protocols.TryGetValue(key, out var protocol))
            {
                if (value is not null)
                {
                    throw new TextParseException($"{key}: protocol keyword takes no value (got '{value}')");
                }

                slots.MarkEthernet();
                if (protocol.EthType != 0)
                {
                    slots.Set(OxmFields.EthType, protocol.EthType, ushort.MaxValue);
                    if (protocol.Proto != 0)
                    {
                        slots.Set(OxmFields.IpProto, protocol.Proto, byte.MaxValue);
                    }
                }

                continue;
            }

            if (!FieldKeys.TryGetValue(key, out var field))
            {
                throw new TextParseException($"unknown keyword {key}");
            }

            if (value is null)
            {
                throw new TextParseException($"field {key} missing value");
            }

            ParseField(slots, key, field, value, names);
            if (field.Prerequisite != FieldPrerequisite.None || MatchSlots.IsPacketField(field))
            {
                slots.MarkEthernet();
            }
        }

        return slots.ToMatch();
    }

    private static void ParseField(MatchSlots slots, string key, OxmField field, string text, PortNames names)
    {
        if (key == "dl_vlan")
        {
            // match_set_dl_vlan: 0xffff (OFP10_VLAN_NONE) means untagged; otherwise the low 12 bits with CFI.
            uint vid = (uint)FieldFormat.ParseInteger(OxmFields.VlanTci, text, text);
            slots.SetTciBits(vid == 0xffff ? 0u : 0x1000u | (vid & 0xfff), 0x1fff);
            return;
        }

        if (key is "dl_vlan_pcp" or "vlan_pcp")
        {
            uint pcp = (uint)FieldFormat.ParseInteger(OxmFields.VlanPcp, text, text);
            slots.SetTciBits(0x1000u | ((pcp & 0x7) << 13), 0xf000);
            return;
        }

        if (key == "vlan_vid")
        {
            // match_set_vlan_vid_masked: only the CFI and VID bits, any PCP match stays.
            var (vid, vidMask) = FieldFormat.ParseValue(OxmFields.VlanVid, text, names);
            uint mask = (uint)(vidMask ?? 0xffff) & 0x1fff;
            slots.ReplaceTciBits((uint)vid & mask, mask, 0x1fff);
            return;
        }

        if (key == "vlan_tci")
        {
            var (tci, tciMask) = FieldFormat.ParseValue(OxmFields.VlanTci, text, names);
            slots.ReplaceTciBits((uint)tci, (uint)(tciMask ?? 0xffff), 0xffff);
            return;
        }

        if (key == "nw_tos" || ReferenceEquals(field, OxmFields.IpDscp))
        {
            var (tos, _) = FieldFormat.ParseValue(field, text, names);
            uint dscpBits = ReferenceEquals(field, OxmFields.IpDscp) ? (uint)(tos << 2) : (uint)tos;
            slots.SetTosBits(dscpBits & 0xfc, 0xfc);
            return;
        }

        if (ReferenceEquals(field, OxmFields.IpEcn))
        {
            var (ecn, _) = FieldFormat.ParseValue(field, text, names);
            slots.SetTosBits((uint)ecn & 0x3, 0x3);
            return;
        }

        if (MatchNormalizer.FirstRegister(field) is { } first)
        {
            var (wide, wideMask) = FieldFormat.ParseValue(field, text, names);
            foreach (var reg in MatchNormalizer.Expand(OxmEntry.Masked(field, wide, wideMask ?? OxmEntry.AllOnes(field.Length))))
            {
                slots.Set(reg.Field, reg.Value, reg.Mask);
            }

            // A zero half of a wide mask wildcards that register (mf_set on the whole xreg).
            int regs = field.Length / 4;
            for (int i = 0; i < regs; i++)
            {
                if ((uint)((wideMask ?? OxmEntry.AllOnes(field.Length)) >> (32 * (regs - 1 - i))) == 0)
                {
                    slots.Clear(OxmFields.Regs[first + i]);
                }
            }

            return;
        }

        var (parsed, parsedMask) = FieldFormat.ParseValue(field, text, names);
        slots.Set(field, parsed, parsedMask ?? OxmEntry.AllOnes(field.Length));
    }

    /// <summary>
    /// Writes <paramref name="match"/> as lib/match.c match_format does ("priority=N," first when given and not
    /// 32768), with no trailing comma; nothing for an empty match without priority.
    /// </summary>
    public static void Format(StringBuilder output, M match, PortNames names, int? priority = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(match);
        int start = output.Length;
        var view = new MatchView(match);
        if (priority is { } p && p != DefaultPriority)
        {
            output.Append("priority=").Append(p).Append(',');
        }

        if (view.Any(MetadataGroup))
        {
            AppendMetadata(output, view, names);
        }

        uint? ethType = view.EthType;
        uint? proto = view.Exact(OxmFields.IpProto) is { } pr ? (uint)pr : null;
        bool skipType = false;
        bool skipProto = false;
        if (ethType is { } type)
        {
            string? shorthand = Shorthand(type, proto, out skipProto);
            if (shorthand is not null)
            {
                output.Append(shorthand).Append(',');
                skipType = true;
            }
        }

        if (view.Any(RegisterGroup))
        {
            for (int i = 0; i < OxmFields.Regs.Count; i++)
            {
                AppendUInt32Masked(output, OxmFields.Regs[i].Name, view.Get(OxmFields.Regs[i]));
            }
        }

        if (view.Any(TunnelGroup))
        {
            AppendTunnel(output, view, names);
        }

        AppendUInt64Masked(output, "metadata", view.Get(OxmFields.Metadata));
        if (view.Get(OxmFields.InPort) is { } inPort)
        {
            output.Append("in_port=");
            FieldFormat.AppendPort(output, (uint)inPort.Value, names);
            output.Append(',');
        }

        AppendVlan(output, view);
        AppendAddress(output, "dl_src", view.Get(OxmFields.EthSrc), names);
        AppendAddress(output, "dl_dst", view.Get(OxmFields.EthDst), names);
        if (!skipType && ethType is { } rawType)
        {
            output.Append("dl_type=0x").Append(rawType.ToString("x4", CultureInfo.InvariantCulture)).Append(',');
        }

        if (view.Any(NetworkGroup))
        {
            AppendNetwork(output, view, ethType, proto, skipProto, names);
        }

        if (output.Length > start && output[^1] == ',')
        {
            output.Length--;
        }
    }

    /// <summary>The pipeline metadata and conntrack part of match_format, printed before the packet fields.</summary>
    private static void AppendMetadata(StringBuilder output, MatchView view, PortNames names)
    {
        AppendUInt32Masked(output, "pkt_mark", view.Get(OxmFields.PktMark));
        AppendUInt32Masked(output, "recirc_id", view.Get(OxmFields.RecircId));
        AppendUInt32Masked(output, "dp_hash", view.Get(OxmFields.DpHash));
        if (view.Get(OxmFields.ConjId) is { } conj)
        {
            output.Append("conj_id=").Append(conj.Value).Append(',');
        }

        if (view.Get(OxmFields.ActsetOutput) is { } actset)
        {
            output.Append("actset_output=");
            FieldFormat.AppendPort(output, (uint)actset.Value, names);
            output.Append(',');
        }

        AppendCtState(output, view.Get(OxmFields.CtState));
        AppendUInt16Masked(output, "ct_zone", view.Get(OxmFields.CtZone));
        AppendUInt32Masked(output, "ct_mark", view.Get(OxmFields.CtMark));
        if (view.Get(OxmFields.CtLabel) is { } label)
        {
            output.Append("ct_label=");
            FieldFormat.AppendHex(output, label.Value);
            if (label.HasMask)
            {
                output.Append('/');
                FieldFormat.AppendHex(output, label.Mask);
            }

            output.Append(',');
        }

        AppendAddress(output, "ct_nw_src", view.Get(OxmFields.CtNwSrc), names);
        AppendAddress(output, "ct_ipv6_src", view.Get(OxmFields.CtIpv6Src), names);
        AppendAddress(output, "ct_nw_dst", view.Get(OxmFields.CtNwDst), names);
        AppendAddress(output, "ct_ipv6_dst", view.Get(OxmFields.CtIpv6Dst), names);
        if (view.Get(OxmFields.CtNwProto) is { } ctProto)
        {
            output.Append("ct_nw_proto=").Append(ctProto.Value).Append(',');
            AppendUInt16Masked(output, "ct_tp_src", view.Get(OxmFields.CtTpSrc));
            AppendUInt16Masked(output, "ct_tp_dst", view.Get(OxmFields.CtTpDst));
        }

        if (view.Has(OxmFields.RecircId) && view.HasPacketField)
        {
            // match_format prints the packet type of a megaflow (recirc_id matched) that matches packet headers.
            output.Append("eth,");
        }
    }

    /// <summary>The L3 and L4 part of match_format (after dl_type): addresses, nw_proto, ToS, MPLS, fragments, ports.</summary>
    private static void AppendNetwork(StringBuilder output, MatchView view, uint? ethType, uint? proto, bool skipProto, PortNames names)
    {
        bool isArp = ethType is MatchPrerequisites.EthTypeArp or MatchPrerequisites.EthTypeRarp;
        bool isIpv6 = ethType == MatchPrerequisites.EthTypeIpv6;
        if (isIpv6)
        {
            AppendAddress(output, "ipv6_src", view.Get(OxmFields.Ipv6Src), names);
            AppendAddress(output, "ipv6_dst", view.Get(OxmFields.Ipv6Dst), names);
            if (view.Get(OxmFields.Ipv6Flabel) is { } flabel)
            {
                output.Append("ipv6_label=0x").Append(((uint)flabel.Value).ToString("x5", CultureInfo.InvariantCulture));
                if (flabel.HasMask)
                {
                    output.Append("/0x").Append(((uint)flabel.Mask).ToString("x5", CultureInfo.InvariantCulture));
                }

                output.Append(',');
            }
        }
        else if (isArp)
        {
            AppendAddress(output, "arp_spa", view.Get(OxmFields.ArpSpa), names);
            AppendAddress(output, "arp_tpa", view.Get(OxmFields.ArpTpa), names);
        }
        else
        {
            AppendAddress(output, "nw_src", view.Get(OxmFields.Ipv4Src), names);
            AppendAddress(output, "nw_dst", view.Get(OxmFields.Ipv4Dst), names);
        }

        if (!skipProto)
        {
            if (isArp && view.Get(OxmFields.ArpOp) is { } op)
            {
                output.Append("arp_op=").Append(op.Value & 0xff).Append(',');
            }
            else if (proto is { } nwProto)
            {
                output.Append("nw_proto=").Append(nwProto).Append(',');
            }
        }

        if (isArp)
        {
            AppendAddress(output, "arp_sha", view.Get(OxmFields.ArpSha), names);
            AppendAddress(output, "arp_tha", view.Get(OxmFields.ArpTha), names);
        }

        if (view.Get(OxmFields.IpDscp) is { } dscp)
        {
            output.Append("nw_tos=").Append((dscp.Value << 2) & 0xfc).Append(',');
        }

        if (view.Get(OxmFields.IpEcn) is { } ecn)
        {
            output.Append("nw_ecn=").Append(ecn.Value & 0x3).Append(',');
        }

        if (view.Get(OxmFields.NwTtl) is { } ttl)
        {
            output.Append("nw_ttl=").Append(ttl.Value).Append(',');
        }

        if (view.Get(OxmFields.MplsLabel) is { } mplsLabel)
        {
            output.Append("mpls_label=").Append(mplsLabel.Value).Append(',');
        }

        if (view.Get(OxmFields.MplsTc) is { } mplsTc)
        {
            output.Append("mpls_tc=").Append(mplsTc.Value).Append(',');
        }

        if (view.Get(OxmFields.MplsTtl) is { } mplsTtl)
        {
            output.Append("mpls_ttl=").Append(mplsTtl.Value).Append(',');
        }

        if (view.Get(OxmFields.MplsBos) is { } mplsBos)
        {
            output.Append("mpls_bos=").Append(mplsBos.Value).Append(',');
        }

        if (view.Get(OxmFields.IpFrag) is { } frag)
        {
            AppendFrag(output, frag);
        }

        AppendTransport(output, view, ethType, proto, names);
        if (view.Get(OxmFields.TcpFlags) is { } tcpFlags)
        {
            output.Append("tcp_flags=");
            FieldFormat.AppendFlagsMasked(output, FieldFormat.TcpFlagName, (uint)tcpFlags.Value, (uint)tcpFlags.Mask & 0x0fff, 0x0fff);
            output.Append(',');
        }
    }

    /// <summary>
    /// The fields each optional block of <see cref="Format"/> prints: a block none of whose fields is in the match
    /// prints nothing, so it is skipped with one test instead of a test per field.
    /// </summary>
    private static readonly FieldBits MetadataGroup = FieldBits.Of(
        OxmFields.PktMark, OxmFields.RecircId, OxmFields.DpHash, OxmFields.ConjId, OxmFields.ActsetOutput, OxmFields.CtState,
        OxmFields.CtZone, OxmFields.CtMark, OxmFields.CtLabel, OxmFields.CtNwSrc, OxmFields.CtIpv6Src, OxmFields.CtNwDst,
        OxmFields.CtIpv6Dst, OxmFields.CtNwProto, OxmFields.CtTpSrc, OxmFields.CtTpDst);

    private static readonly FieldBits RegisterGroup = FieldBits.Of([.. OxmFields.Regs]);

    private static readonly FieldBits TunnelGroup = FieldBits.Of(
        OxmFields.TunnelId, OxmFields.TunSrc, OxmFields.TunDst, OxmFields.TunIpv6Src, OxmFields.TunIpv6Dst, OxmFields.TunGbpId,
        OxmFields.TunGbpFlags, OxmFields.TunFlags);

    private static readonly FieldBits NetworkGroup = FieldBits.Of(
        OxmFields.Ipv6Src, OxmFields.Ipv6Dst, OxmFields.Ipv6Flabel, OxmFields.ArpSpa, OxmFields.ArpTpa, OxmFields.Ipv4Src,
        OxmFields.Ipv4Dst, OxmFields.ArpOp, OxmFields.IpProto, OxmFields.ArpSha, OxmFields.ArpTha, OxmFields.IpDscp, OxmFields.IpEcn,
        OxmFields.NwTtl, OxmFields.MplsLabel, OxmFields.MplsTc, OxmFields.MplsTtl, OxmFields.MplsBos, OxmFields.IpFrag,
        OxmFields.Icmpv4Type, OxmFields.Icmpv4Code, OxmFields.Icmpv6Type, OxmFields.Icmpv6Code, OxmFields.Ipv6NdTarget,
        OxmFields.Ipv6NdSll, OxmFields.Ipv6NdTll, OxmFields.NdReserved, OxmFields.NdOptionsType, OxmFields.TcpSrc, OxmFields.TcpDst,
        OxmFields.UdpSrc, OxmFields.UdpDst, OxmFields.SctpSrc, OxmFields.SctpDst, OxmFields.TcpFlags);

    /// <summary>The match as ovs-ofctl prints it (<see cref="Format"/> into a new string).</summary>
    public static string ToText(M match, PortNames names, int? priority = null)
    {
        var builder = new StringBuilder();
        Format(builder, match, names, priority);
        return builder.ToString();
    }

    private static string? Shorthand(uint ethType, uint? proto, out bool skipProto)
    {
        skipProto = proto is not null;
        switch (ethType)
        {
            case MatchPrerequisites.EthTypeIpv4:
                switch (proto)
                {
                    case MatchPrerequisites.IpProtoIcmp: return "icmp";
                    case MatchPrerequisites.IpProtoTcp: return "tcp";
                    case MatchPrerequisites.IpProtoUdp: return "udp";
                    case MatchPrerequisites.IpProtoSctp: return "sctp";
                    default:
                        skipProto = false;
                        return "ip";
                }

            case MatchPrerequisites.EthTypeIpv6:
                switch (proto)
                {
                    case MatchPrerequisites.IpProtoIcmpv6: return "icmp6";
                    case MatchPrerequisites.IpProtoTcp: return "tcp6";
                    case MatchPrerequisites.IpProtoUdp: return "udp6";
                    case MatchPrerequisites.IpProtoSctp: return "sctp6";
                    default:
                        skipProto = false;
                        return "ipv6";
                }

            case MatchPrerequisites.EthTypeArp:
                skipProto = false;
                return "arp";
            case MatchPrerequisites.EthTypeRarp:
                skipProto = false;
                return "rarp";
            case MatchPrerequisites.EthTypeMpls:
                skipProto = false;
                return "mpls";
            case MatchPrerequisites.EthTypeMplsMulticast:
                skipProto = false;
                return "mplsm";
            default:
                skipProto = false;
                return null;
        }
    }

    private static void AppendTunnel(StringBuilder output, MatchView view, PortNames names)
    {
        AppendUInt64Masked(output, "tun_id", view.Get(OxmFields.TunnelId));
        AppendAddress(output, "tun_src", view.Get(OxmFields.TunSrc), names);
        AppendAddress(output, "tun_dst", view.Get(OxmFields.TunDst), names);
        AppendAddress(output, "tun_ipv6_src", view.Get(OxmFields.TunIpv6Src), names);
        AppendAddress(output, "tun_ipv6_dst", view.Get(OxmFields.TunIpv6Dst), names);
        AppendUInt16Masked(output, "tun_gbp_id", view.Get(OxmFields.TunGbpId));
        if (view.Get(OxmFields.TunGbpFlags) is { } gbpFlags)
        {
            // match_format prints the value only ("%#x"), whatever the mask.
            output.Append("tun_gbp_flags=");
            output.Append(gbpFlags.Value == 0 ? "0" : "0x" + ((uint)gbpFlags.Value).ToString("x", CultureInfo.InvariantCulture));
            output.Append(',');
        }

        if (view.Get(OxmFields.TunFlags) is { } tunFlags)
        {
            // FLOW_TNL_F_MASK (0xf) is wider than the public bits on the wire, so this is always the +/- form.
            output.Append("tun_flags=");
            FieldFormat.AppendFlagsMasked(output, FieldFormat.TunnelFlagName, (uint)tunFlags.Value & 0xf, (uint)tunFlags.Mask & 0xf, 0xf);
            output.Append(',');
        }
    }

    private static void AppendVlan(StringBuilder output, MatchView view)
    {
        var vid = view.Get(OxmFields.VlanVid);
        var pcp = view.Get(OxmFields.VlanPcp);
        if (vid is null && pcp is null)
        {
            return;
        }

        // Rebuild OVS's vlans[0].tci and its mask from vlan_vid (CFI + VID) and vlan_pcp.
        uint tci = 0;
        uint mask = 0;
        if (vid is { } v)
        {
            tci |= (uint)v.Value & 0x1fff;
            mask |= v.HasMask ? (uint)v.Mask & 0x1fff : 0x1fff;
        }

        if (pcp is { } p)
        {
            tci |= 0x1000 | (((uint)p.Value & 0x7) << 13);
            mask |= 0xf000;
        }

        uint vidMask = mask & 0x0fff;
        uint pcpMask = mask & 0xe000;
        if ((mask & 0x1000) != 0 && (tci & 0x1000) != 0 && (vidMask == 0 || vidMask == 0x0fff)
            && (pcpMask == 0 || pcpMask == 0xe000) && (vidMask != 0 || pcpMask != 0))
        {
            if (vidMask != 0)
            {
                output.Append("dl_vlan=").Append(tci & 0x0fff).Append(',');
            }

            if (pcpMask != 0)
            {
                output.Append("dl_vlan_pcp=").Append(tci >> 13).Append(',');
            }
        }
        else if (mask == 0xffff)
        {
            output.Append("vlan_tci=0x").Append(tci.ToString("x4", CultureInfo.InvariantCulture)).Append(',');
        }
        else
        {
            output.Append("vlan_tci=0x").Append(tci.ToString("x4", CultureInfo.InvariantCulture))
                .Append("/0x").Append(mask.ToString("x4", CultureInfo.InvariantCulture)).Append(',');
        }
    }

    private static void AppendTransport(StringBuilder output, MatchView view, uint? ethType, uint? proto, PortNames names)
    {
        if (ethType == MatchPrerequisites.EthTypeIpv4 && proto == MatchPrerequisites.IpProtoIcmp)
        {
            AppendUInt16Masked(output, "icmp_type", view.Get(OxmFields.Icmpv4Type));
            AppendUInt16Masked(output, "icmp_code", view.Get(OxmFields.Icmpv4Code));
            return;
        }

        if (ethType == MatchPrerequisites.EthTypeIpv6 && proto == MatchPrerequisites.IpProtoIcmpv6)
        {
            AppendUInt16Masked(output, "icmp_type", view.Get(OxmFields.Icmpv6Type));
            AppendUInt16Masked(output, "icmp_code", view.Get(OxmFields.Icmpv6Code));
            AppendAddress(output, "nd_target", view.Get(OxmFields.Ipv6NdTarget), names);
            AppendAddress(output, "nd_sll", view.Get(OxmFields.Ipv6NdSll), names);
            AppendAddress(output, "nd_tll", view.Get(OxmFields.Ipv6NdTll), names);
            if (view.Get(OxmFields.NdReserved) is { } reserved)
            {
                output.Append("nd_reserved=").Append(reserved.Value).Append(',');
            }

            if (view.Get(OxmFields.NdOptionsType) is { } optionsType)
            {
                output.Append("nd_options_type=").Append(optionsType.Value).Append(',');
            }

            return;
        }

        AppendUInt16Masked(output, "tp_src", view.Get(OxmFields.TcpSrc) ?? view.Get(OxmFields.UdpSrc) ?? view.Get(OxmFields.SctpSrc));
        AppendUInt16Masked(output, "tp_dst", view.Get(OxmFields.TcpDst) ?? view.Get(OxmFields.UdpDst) ?? view.Get(OxmFields.SctpDst));
    }

    private static void AppendFrag(StringBuilder output, OxmEntry frag)
    {
        uint mask = (frag.HasMask ? (uint)frag.Mask : 0xff) & 0x3;
        uint value = (uint)frag.Value;
        string? text = mask switch
        {
            3 => (value & 1) != 0 ? ((value & 2) != 0 ? "later" : "first") : ((value & 2) != 0 ? "<error>" : "no"),
            1 => (value & 1) != 0 ? "yes" : "no",
            2 => (value & 2) != 0 ? "later" : "not_later",
            _ => null,
        };
        if (text is not null)
        {
            output.Append("nw_frag=").Append(text).Append(',');
        }
    }

    private static void AppendCtState(StringBuilder output, OxmEntry? entry)
    {
        if (entry is not { } state)
        {
            return;
        }

        uint mask = (state.HasMask ? (uint)state.Mask : 0xff) & 0xff;
        uint value = (uint)state.Value & 0xff;
        output.Append("ct_state=");
        if (mask == 0xff)
        {
            FieldFormat.AppendFlags(output, FieldFormat.CtStateName, value, '|');
        }
        else
        {
            FieldFormat.AppendFlagsMasked(output, FieldFormat.CtStateName, value, mask, 0xff);
        }

        output.Append(',');
    }

    /// <summary>format_uint32_masked / format_be32_masked_hex: "name=0x5" or "name=0x5/0xff" ("0" for zero).</summary>
    private static void AppendUInt32Masked(StringBuilder output, string name, OxmEntry? entry) => AppendHexMasked(output, name, entry);

    private static void AppendUInt64Masked(StringBuilder output, string name, OxmEntry? entry) => AppendHexMasked(output, name, entry);

    private static void AppendHexMasked(StringBuilder output, string name, OxmEntry? entry)
    {
        if (entry is not { } e)
        {
            return;
        }

        output.Append(name).Append('=');
        FieldFormat.AppendHex(output, e.Value);
        if (e.HasMask)
        {
            output.Append('/');
            FieldFormat.AppendHex(output, e.Mask);
        }

        output.Append(',');
    }

    /// <summary>format_be16_masked: decimal when exact, "0x%x/0x%x" when masked.</summary>
    private static void AppendUInt16Masked(StringBuilder output, string name, OxmEntry? entry)
    {
        if (entry is not { } e)
        {
            return;
        }

        output.Append(name).Append('=');
        if (e.HasMask)
        {
            output.Append("0x").Append(((uint)e.Value).ToString("x", CultureInfo.InvariantCulture))
                .Append("/0x").Append(((uint)e.Mask).ToString("x", CultureInfo.InvariantCulture));
        }
        else
        {
            output.Append(e.Value);
        }

        output.Append(',');
    }

    private static void AppendAddress(StringBuilder output, string name, OxmEntry? entry, PortNames names)
    {
        if (entry is not { } e)
        {
            return;
        }

        output.Append(name).Append('=');
        FieldFormat.AppendValue(output, e.Field, e.Value, e.HasMask ? e.Mask : null, names);
        output.Append(',');
    }

    /// <summary>
    /// Read access to a match's entries by field. Format asks about a hundred fields of which a flow has a
    /// handful, so the view keeps one bit per field (by its unique encode order) and answers most questions
    /// without scanning the entries.
    /// </summary>
    private readonly struct MatchView
    {
        private readonly M _match;
        private readonly FieldBits _present;

        public MatchView(M match)
        {
            _match = match;
            foreach (var entry in match.Entries)
            {
                _present.Add(entry.Field.EncodeOrder);
            }
        }

        public OxmEntry? Get(OxmField field) => _present.MayContain(field.EncodeOrder) ? _match.Get(field) : null;

        public bool Has(OxmField field) => Get(field) is not null;

        /// <summary>True when some field of <paramref name="group"/> is in the match.</summary>
        public bool Any(in FieldBits group) => _present.Intersects(group);

        public UInt128? Exact(OxmField field) => Get(field) is { HasMask: false } e ? e.Value : null;

        public uint? EthType => Exact(OxmFields.EthType) is { } t ? (uint)t : null;

        /// <summary>True when the match reads the packet itself (Ethernet or above), not only metadata.</summary>
        public bool HasPacketField
        {
            get
            {
                foreach (var entry in _match.Entries)
                {
                    if (MatchSlots.IsPacketField(entry.Field))
                    {
                        return true;
                    }
                }

                return false;
            }
        }
    }

    /// <summary>A set of field encode orders below 256, one bit each; larger orders always "may" be present.</summary>
    private struct FieldBits
    {
        private const int WordCount = 4;
        private Words _words;

        public void Add(int order)
        {
            if (order >> 6 < WordCount)
            {
                _words[order >> 6] |= 1UL << (order & 63);
            }
        }

        public static FieldBits Of(params OxmField[] fields)
        {
            var bits = default(FieldBits);
            foreach (var field in fields)
            {
                bits.Add(field.EncodeOrder);
            }

            return bits;
        }

        /// <summary>True when a bit is set in both (fields of order 256 and above are never in a group).</summary>
        public readonly bool Intersects(in FieldBits other)
        {
            for (int i = 0; i < WordCount; i++)
            {
                if ((_words[i] & other._words[i]) != 0)
                {
                    return true;
                }
            }

            return false;
        }

        public readonly bool MayContain(int order) =>
            order >> 6 >= WordCount || (_words[order >> 6] & (1UL << (order & 63))) != 0;

        [System.Runtime.CompilerServices.InlineArray(WordCount)]
        private struct Words
        {
            private ulong _word;
        }
    }
}
