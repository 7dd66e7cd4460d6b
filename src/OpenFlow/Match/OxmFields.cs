using System.Collections.Frozen;

namespace Dvr.OpenFlow.Match;

/// <summary>
/// The match fields this codec knows: every OpenFlow 1.3 basic OXM field (OpenFlow 1.3.5 §7.2.3.7, ids 0..39)
/// and the Nicira/ONF/OVS extension fields a DVR pipeline meets. Declared once; lookups by wire header and
/// by every name ovs-ofctl accepts.
/// <para>
/// The declaration order is the encode order of lib/nx-match.c nx_put_raw (Open vSwitch 3.1): hidden
/// metadata, in_port, Ethernet, VLAN, MPLS, L3/L4, ARP, tunnel, registers, pkt_mark, conntrack, metadata.
/// The header is the one OVS picks for OpenFlow 1.3 (mf_oxm_header): the OXM basic header when the field has
/// one in 1.3, otherwise the NXM or experimenter header. Maskability is OVS's (more permissive than the
/// spec: transport ports, ARP and ND addresses and vlan_vid are maskable).
/// </para>
/// </summary>
public static class OxmFields
{
    /// <summary>OFPXMC_OPENFLOW_BASIC.</summary>
    public const ushort OpenFlowBasic = 0x8000;

    /// <summary>OFPXMC_NXM_0: Nicira fields that mirror OpenFlow 1.0 ones.</summary>
    public const ushort Nxm0 = 0x0000;

    /// <summary>OFPXMC_NXM_1: Nicira extension fields (registers, tunnel metadata, conntrack).</summary>
    public const ushort Nxm1 = 0x0001;

    /// <summary>OFPXMC_PACKET_REGS: 64-bit xregs (OpenFlow 1.5 class, used by OVS in any version).</summary>
    public const ushort PacketRegs = 0x8001;

    /// <summary>Ericsson's OXM class, used by OVS for the ND "reserved" and "options type" fields.</summary>
    public const ushort EricssonClass = 0x1000;

    /// <summary>OFPXMC_EXPERIMENTER.</summary>
    public const ushort ExperimenterClass = 0xffff;

    /// <summary>ONF experimenter id (ONFOXM_ET_* fields: tcp_flags and actset_output in OpenFlow 1.3).</summary>
    public const uint OnfExperimenter = 0x4f4e4600;

    private static int _order;

    private static OxmField Basic(string name, byte field, int length, bool maskable, FieldValueFormat format, FieldPrerequisite prerequisite, string? ovsName = null, int bits = 0) =>
        new(name, OpenFlowBasic, field, length, maskable, _order++)
        {
            Format = format,
            Prerequisite = prerequisite,
            OvsName = ovsName ?? name,
            Bits = bits == 0 ? length * 8 : bits,
        };

    private static OxmField Nx(string name, ushort cls, byte field, int length, bool maskable, FieldValueFormat format, FieldPrerequisite prerequisite = FieldPrerequisite.None, int bits = 0) =>
        new(name, cls, field, length, maskable, _order++)
        {
            Format = format,
            Prerequisite = prerequisite,
            Bits = bits == 0 ? length * 8 : bits,
        };

    private static OxmField Onf(string name, byte field, int length, bool maskable, FieldValueFormat format, FieldPrerequisite prerequisite, int bits) =>
        new(name, ExperimenterClass, field, length, maskable, _order++, OnfExperimenter)
        {
            Format = format,
            Prerequisite = prerequisite,
            Bits = bits,
        };

    private const FieldValueFormat Dec = FieldValueFormat.Decimal;
    private const FieldValueFormat Hex = FieldValueFormat.Hexadecimal;
    private const FieldValueFormat Eth = FieldValueFormat.Ethernet;
    private const FieldValueFormat V4 = FieldValueFormat.Ipv4;
    private const FieldValueFormat V6 = FieldValueFormat.Ipv6;
    private const FieldPrerequisite NoPrereq = FieldPrerequisite.None;

    // ---- Encode order starts here (lib/nx-match.c nx_put_raw). ----

    /// <summary>
    /// OXM_OF_PACKET_TYPE (OpenFlow 1.5 basic field 44, which OVS also uses in 1.3): (namespace &lt;&lt; 16) | type,
    /// 0 for Ethernet. OVS writes it first, and only when the match implies Ethernet without any Ethernet field
    /// left to say so (e.g. "eth", or an L3 field dropped for want of eth_type).
    /// </summary>
    public static readonly OxmField PacketType = Basic("packet_type", 44, 4, false, Hex, NoPrereq);

    // Hidden metadata (NXM_NX_DP_HASH, NXM_NX_RECIRC_ID, NXM_NX_CONJ_ID).
    public static readonly OxmField DpHash = Nx("dp_hash", Nxm1, 35, 4, true, Hex);
    public static readonly OxmField RecircId = Nx("recirc_id", Nxm1, 36, 4, false, Dec);
    public static readonly OxmField ConjId = Nx("conj_id", Nxm1, 37, 4, false, Dec);

    public static readonly OxmField InPort = Basic("in_port", 0, 4, false, FieldValueFormat.Port, NoPrereq);

    /// <summary>ONFOXM_ET_ACTSET_OUTPUT: the OpenFlow 1.3 spelling of OFPXMT15_ACTSET_OUTPUT.</summary>
    public static readonly OxmField ActsetOutput = Onf("actset_output", 43, 4, false, FieldValueFormat.Port, NoPrereq, 32);

    public static readonly OxmField EthSrc = Basic("eth_src", 4, 6, true, Eth, NoPrereq);
    public static readonly OxmField EthDst = Basic("eth_dst", 3, 6, true, Eth, NoPrereq);
    public static readonly OxmField EthType = Basic("eth_type", 5, 2, false, Hex, NoPrereq);

    /// <summary>13 bits: OFPVID_PRESENT (0x1000) | VLAN id (OpenFlow 1.3.5 §7.2.3.8).</summary>
    public static readonly OxmField VlanVid = Basic("vlan_vid", 6, 2, true, Dec, NoPrereq, bits: 13);
    public static readonly OxmField VlanPcp = Basic("vlan_pcp", 7, 1, false, Dec, FieldPrerequisite.VlanPresent, bits: 3);

    public static readonly OxmField MplsTc = Basic("mpls_tc", 35, 1, false, Dec, FieldPrerequisite.Mpls, bits: 3);
    public static readonly OxmField MplsBos = Basic("mpls_bos", 36, 1, false, Dec, FieldPrerequisite.Mpls, bits: 1);
    public static readonly OxmField MplsTtl = Nx("mpls_ttl", Nxm1, 30, 1, false, Dec, FieldPrerequisite.Mpls);
    public static readonly OxmField MplsLabel = Basic("mpls_label", 34, 4, false, Dec, FieldPrerequisite.Mpls, bits: 20);

    public static readonly OxmField Ipv4Src = Basic("ipv4_src", 11, 4, true, V4, FieldPrerequisite.Ipv4, "ip_src");
    public static readonly OxmField Ipv4Dst = Basic("ipv4_dst", 12, 4, true, V4, FieldPrerequisite.Ipv4, "ip_dst");
    public static readonly OxmField Ipv6Src = Basic("ipv6_src", 26, 16, true, V6, FieldPrerequisite.Ipv6);
    public static readonly OxmField Ipv6Dst = Basic("ipv6_dst", 27, 16, true, V6, FieldPrerequisite.Ipv6);

    /// <summary>NXM_NX_IP_FRAG: bit 0 "is a fragment", bit 1 "is a later fragment".</summary>
    public static readonly OxmField IpFrag = Nx("ip_frag", Nxm1, 26, 1, true, FieldValueFormat.Frag, FieldPrerequisite.IpAny, bits: 2);

    /// <summary>OXM_OF_IP_DSCP: the 6 DSCP bits, right-aligned (ovs-ofctl's nw_tos is this shifted left by 2).</summary>
    public static readonly OxmField IpDscp = Basic("ip_dscp", 8, 1, false, Dec, FieldPrerequisite.IpAny, bits: 6);
    public static readonly OxmField IpEcn = Basic("ip_ecn", 9, 1, false, Dec, FieldPrerequisite.IpAny, "nw_ecn", bits: 2);
    public static readonly OxmField NwTtl = Nx("nw_ttl", Nxm1, 29, 1, false, Dec, FieldPrerequisite.IpAny);
    public static readonly OxmField Ipv6Flabel = Basic("ipv6_flabel", 28, 4, true, Hex, FieldPrerequisite.Ipv6, "ipv6_label", bits: 20);
    public static readonly OxmField IpProto = Basic("ip_proto", 10, 1, false, Dec, FieldPrerequisite.IpAny, "nw_proto");

    public static readonly OxmField TcpSrc = Basic("tcp_src", 13, 2, true, Dec, FieldPrerequisite.Tcp);
    public static readonly OxmField TcpDst = Basic("tcp_dst", 14, 2, true, Dec, FieldPrerequisite.Tcp);

    /// <summary>ONFOXM_ET_TCP_FLAGS: OVS's OpenFlow 1.3 header for tcp_flags (12 significant bits).</summary>
    public static readonly OxmField TcpFlags = Onf("tcp_flags", 42, 2, true, FieldValueFormat.TcpFlags, FieldPrerequisite.Tcp, 12);
    public static readonly OxmField UdpSrc = Basic("udp_src", 15, 2, true, Dec, FieldPrerequisite.Udp);
    public static readonly OxmField UdpDst = Basic("udp_dst", 16, 2, true, Dec, FieldPrerequisite.Udp);
    public static readonly OxmField SctpSrc = Basic("sctp_src", 17, 2, true, Dec, FieldPrerequisite.Sctp);
    public static readonly OxmField SctpDst = Basic("sctp_dst", 18, 2, true, Dec, FieldPrerequisite.Sctp);
    public static readonly OxmField Icmpv4Type = Basic("icmpv4_type", 19, 1, false, Dec, FieldPrerequisite.Icmpv4, "icmp_type");
    public static readonly OxmField Icmpv4Code = Basic("icmpv4_code", 20, 1, false, Dec, FieldPrerequisite.Icmpv4, "icmp_code");
    public static readonly OxmField Icmpv6Type = Basic("icmpv6_type", 29, 1, false, Dec, FieldPrerequisite.Icmpv6);
    public static readonly OxmField Icmpv6Code = Basic("icmpv6_code", 30, 1, false, Dec, FieldPrerequisite.Icmpv6);

    /// <summary>ERICOXM_OF_ICMPV6_ND_RESERVED.</summary>
    public static readonly OxmField NdReserved = Nx("nd_reserved", EricssonClass, 1, 4, false, Dec, FieldPrerequisite.NeighborDiscovery);
    public static readonly OxmField Ipv6NdTarget = Basic("ipv6_nd_target", 31, 16, true, V6, FieldPrerequisite.NeighborDiscovery, "nd_target");

    /// <summary>ERICOXM_OF_ICMPV6_ND_OPTIONS_TYPE.</summary>
    public static readonly OxmField NdOptionsType = Nx("nd_options_type", EricssonClass, 2, 1, false, Dec, FieldPrerequisite.NeighborDiscovery);
    public static readonly OxmField Ipv6NdSll = Basic("ipv6_nd_sll", 32, 6, true, Eth, FieldPrerequisite.NeighborSolicit, "nd_sll");
    public static readonly OxmField Ipv6NdTll = Basic("ipv6_nd_tll", 33, 6, true, Eth, FieldPrerequisite.NeighborAdvert, "nd_tll");

    /// <summary>OVS keeps arp_op in an 8-bit slot: a value above 255 is OFPBMC_BAD_VALUE.</summary>
    public static readonly OxmField ArpOp = Basic("arp_op", 21, 2, false, Dec, FieldPrerequisite.Arp, bits: 8);
    public static readonly OxmField ArpSpa = Basic("arp_spa", 22, 4, true, V4, FieldPrerequisite.Arp);
    public static readonly OxmField ArpTpa = Basic("arp_tpa", 23, 4, true, V4, FieldPrerequisite.Arp);
    public static readonly OxmField ArpSha = Basic("arp_sha", 24, 6, true, Eth, FieldPrerequisite.Arp);
    public static readonly OxmField ArpTha = Basic("arp_tha", 25, 6, true, Eth, FieldPrerequisite.Arp);

    public static readonly OxmField TunnelId = Basic("tunnel_id", 38, 8, true, Hex, NoPrereq, "tun_id");

    /// <summary>NXM_NX_TUN_FLAGS (only the "oam" bit, 0x1, is defined).</summary>
    public static readonly OxmField TunFlags = Nx("tun_flags", Nxm1, 104, 2, true, FieldValueFormat.TunnelFlags, bits: 1);
    public static readonly OxmField TunSrc = Nx("tun_src", Nxm1, 31, 4, true, V4);
    public static readonly OxmField TunDst = Nx("tun_dst", Nxm1, 32, 4, true, V4);
    public static readonly OxmField TunIpv6Src = Nx("tun_ipv6_src", Nxm1, 109, 16, true, V6);
    public static readonly OxmField TunIpv6Dst = Nx("tun_ipv6_dst", Nxm1, 110, 16, true, V6);
    public static readonly OxmField TunGbpId = Nx("tun_gbp_id", Nxm1, 38, 2, true, Dec);
    public static readonly OxmField TunGbpFlags = Nx("tun_gbp_flags", Nxm1, 39, 1, true, Hex);

    // NXM_NX_REG0..15: field ids 0..15 of class 1 (include/openflow/nicira-ext.h).
    public static readonly OxmField Reg0 = Reg(0);
    public static readonly OxmField Reg1 = Reg(1);
    public static readonly OxmField Reg2 = Reg(2);
    public static readonly OxmField Reg3 = Reg(3);
    public static readonly OxmField Reg4 = Reg(4);
    public static readonly OxmField Reg5 = Reg(5);
    public static readonly OxmField Reg6 = Reg(6);
    public static readonly OxmField Reg7 = Reg(7);
    public static readonly OxmField Reg8 = Reg(8);
    public static readonly OxmField Reg9 = Reg(9);
    public static readonly OxmField Reg10 = Reg(10);
    public static readonly OxmField Reg11 = Reg(11);
    public static readonly OxmField Reg12 = Reg(12);
    public static readonly OxmField Reg13 = Reg(13);
    public static readonly OxmField Reg14 = Reg(14);
    public static readonly OxmField Reg15 = Reg(15);

    public static readonly OxmField PktMark = Nx("pkt_mark", Nxm1, 33, 4, true, Hex);

    /// <summary>NXM_NX_CT_STATE: 32 bits on the wire, 8 defined (new est rel rpl inv trk snat dnat).</summary>
    public static readonly OxmField CtState = Nx("ct_state", Nxm1, 105, 4, true, FieldValueFormat.CtState, bits: 8);
    public static readonly OxmField CtZone = Nx("ct_zone", Nxm1, 106, 2, false, Hex);
    public static readonly OxmField CtMark = Nx("ct_mark", Nxm1, 107, 4, true, Hex);
    public static readonly OxmField CtLabel = Nx("ct_label", Nxm1, 108, 16, true, Hex);
    public static readonly OxmField CtNwSrc = Nx("ct_nw_src", Nxm1, 120, 4, true, V4, FieldPrerequisite.CtValidIpv4);
    public static readonly OxmField CtIpv6Src = Nx("ct_ipv6_src", Nxm1, 122, 16, true, V6, FieldPrerequisite.CtValidIpv6);
    public static readonly OxmField CtNwDst = Nx("ct_nw_dst", Nxm1, 121, 4, true, V4, FieldPrerequisite.CtValidIpv4);
    public static readonly OxmField CtIpv6Dst = Nx("ct_ipv6_dst", Nxm1, 123, 16, true, V6, FieldPrerequisite.CtValidIpv6);
    public static readonly OxmField CtNwProto = Nx("ct_nw_proto", Nxm1, 119, 1, false, Dec, FieldPrerequisite.CtValid);
    public static readonly OxmField CtTpSrc = Nx("ct_tp_src", Nxm1, 124, 2, true, Dec, FieldPrerequisite.CtValid);
    public static readonly OxmField CtTpDst = Nx("ct_tp_dst", Nxm1, 125, 2, true, Dec, FieldPrerequisite.CtValid);

    public static readonly OxmField Metadata = Basic("metadata", 2, 8, true, Hex, NoPrereq);

    // ---- Fields OVS never puts in an OpenFlow 1.3 match (encode order irrelevant). ----

    /// <summary>OXM_OF_XREG0..7 (class 0x8001): 64-bit views of reg(2i) (high half) and reg(2i+1). OVS splits them into regs.</summary>
    public static readonly OxmField Xreg0 = Xreg(0);
    public static readonly OxmField Xreg1 = Xreg(1);
    public static readonly OxmField Xreg2 = Xreg(2);
    public static readonly OxmField Xreg3 = Xreg(3);
    public static readonly OxmField Xreg4 = Xreg(4);
    public static readonly OxmField Xreg5 = Xreg(5);
    public static readonly OxmField Xreg6 = Xreg(6);
    public static readonly OxmField Xreg7 = Xreg(7);

    /// <summary>NXM_NX_XXREG0..3: 128-bit views of four consecutive regs (reg(4i) is the most significant).</summary>
    public static readonly OxmField Xxreg0 = Xxreg(0);
    public static readonly OxmField Xxreg1 = Xxreg(1);
    public static readonly OxmField Xxreg2 = Xxreg(2);
    public static readonly OxmField Xxreg3 = Xxreg(3);

    /// <summary>NXM_OF_IP_TOS: the whole ToS byte with the ECN bits zero (ovs-ofctl's nw_tos; OXM uses ip_dscp).</summary>
    public static readonly OxmField NwTos = new("nw_tos", Nxm0, 5, 1, false, _order++)
    {
        Format = Dec,
        Prerequisite = FieldPrerequisite.IpAny,
        InMatch = false,
    };

    /// <summary>NXM_OF_VLAN_TCI: the whole 802.1Q TCI (OXM splits it into vlan_vid and vlan_pcp).</summary>
    public static readonly OxmField VlanTci = new("vlan_tci", Nxm0, 4, 2, true, _order++) { Format = Hex, InMatch = false };

    /// <summary>OpenFlow 1.3 fields Open vSwitch does not implement: known here, rejected as OVS does.</summary>
    public static readonly OxmField InPhyPort = new("in_phy_port", OpenFlowBasic, 1, 4, false, _order++)
    {
        Format = FieldValueFormat.Port,
        Prerequisite = FieldPrerequisite.InPort,
        KnownToOvs = false,
    };

    public static readonly OxmField PbbIsid = new("pbb_isid", OpenFlowBasic, 37, 3, true, _order++) { KnownToOvs = false };

    public static readonly OxmField Ipv6Exthdr = new("ipv6_exthdr", OpenFlowBasic, 39, 2, true, _order++)
    {
        Format = Hex,
        Prerequisite = FieldPrerequisite.Ipv6,
        KnownToOvs = false,
        Bits = 9,
    };

    private static OxmField Reg(int index) =>
        new($"reg{index}", Nxm1, (byte)index, 4, true, _order++) { Format = Hex };

    private static OxmField Xreg(int index) =>
        new($"xreg{index}", PacketRegs, (byte)index, 8, true, _order++) { Format = Hex, InMatch = false };

    private static OxmField Xxreg(int index) =>
        new($"xxreg{index}", Nxm1, (byte)(111 + index), 16, true, _order++) { Format = Hex, InMatch = false };

    /// <summary>Every known field, in encode order.</summary>
    public static readonly IReadOnlyList<OxmField> All =
    [
        PacketType, DpHash, RecircId, ConjId, InPort, ActsetOutput, EthSrc, EthDst, EthType, VlanVid, VlanPcp,
        MplsTc, MplsBos, MplsTtl, MplsLabel, Ipv4Src, Ipv4Dst, Ipv6Src, Ipv6Dst, IpFrag, IpDscp, IpEcn, NwTtl,
        Ipv6Flabel, IpProto, TcpSrc, TcpDst, TcpFlags, UdpSrc, UdpDst, SctpSrc, SctpDst, Icmpv4Type, Icmpv4Code,
        Icmpv6Type, Icmpv6Code, NdReserved, Ipv6NdTarget, NdOptionsType, Ipv6NdSll, Ipv6NdTll,
        ArpOp, ArpSpa, ArpTpa, ArpSha, ArpTha,
        TunnelId, TunFlags, TunSrc, TunDst, TunIpv6Src, TunIpv6Dst, TunGbpId, TunGbpFlags,
        Reg0, Reg1, Reg2, Reg3, Reg4, Reg5, Reg6, Reg7, Reg8, Reg9, Reg10, Reg11, Reg12, Reg13, Reg14, Reg15,
        PktMark, CtState, CtZone, CtMark, CtLabel, CtNwSrc, CtIpv6Src, CtNwDst, CtIpv6Dst, CtNwProto, CtTpSrc, CtTpDst,
        Metadata,
        Xreg0, Xreg1, Xreg2, Xreg3, Xreg4, Xreg5, Xreg6, Xreg7, Xxreg0, Xxreg1, Xxreg2, Xxreg3,
        NwTos, VlanTci, InPhyPort, PbbIsid, Ipv6Exthdr,
    ];

    /// <summary>reg0..reg15 by index.</summary>
    public static readonly IReadOnlyList<OxmField> Regs =
        [Reg0, Reg1, Reg2, Reg3, Reg4, Reg5, Reg6, Reg7, Reg8, Reg9, Reg10, Reg11, Reg12, Reg13, Reg14, Reg15];

    /// <summary>xreg0..xreg7 by index.</summary>
    public static readonly IReadOnlyList<OxmField> Xregs = [Xreg0, Xreg1, Xreg2, Xreg3, Xreg4, Xreg5, Xreg6, Xreg7];

    /// <summary>xxreg0..xxreg3 by index.</summary>
    public static readonly IReadOnlyList<OxmField> Xxregs = [Xxreg0, Xxreg1, Xxreg2, Xxreg3];

    /// <summary>
    /// Other headers OVS accepts for the same field when decoding (it re-encodes with the canonical header):
    /// the NXM mirrors of OXM fields and the other spellings of tcp_flags and actset_output.
    /// </summary>
    private static readonly (uint TypeKey, uint Experimenter, OxmField Field)[] AlternateHeaders =
    [
        (NxKey(Nxm0, 1), 0, EthDst), (NxKey(Nxm0, 2), 0, EthSrc), (NxKey(Nxm0, 3), 0, EthType),
        (NxKey(Nxm0, 6), 0, IpProto), (NxKey(Nxm0, 7), 0, Ipv4Src), (NxKey(Nxm0, 8), 0, Ipv4Dst),
        (NxKey(Nxm0, 9), 0, TcpSrc), (NxKey(Nxm0, 10), 0, TcpDst), (NxKey(Nxm0, 11), 0, UdpSrc), (NxKey(Nxm0, 12), 0, UdpDst),
        (NxKey(Nxm0, 13), 0, Icmpv4Type), (NxKey(Nxm0, 14), 0, Icmpv4Code), (NxKey(Nxm0, 15), 0, ArpOp),
        (NxKey(Nxm0, 16), 0, ArpSpa), (NxKey(Nxm0, 17), 0, ArpTpa),
        (NxKey(Nxm1, 16), 0, TunnelId), (NxKey(Nxm1, 17), 0, ArpSha), (NxKey(Nxm1, 18), 0, ArpTha),
        (NxKey(Nxm1, 19), 0, Ipv6Src), (NxKey(Nxm1, 20), 0, Ipv6Dst), (NxKey(Nxm1, 21), 0, Icmpv6Type),
        (NxKey(Nxm1, 22), 0, Icmpv6Code), (NxKey(Nxm1, 23), 0, Ipv6NdTarget), (NxKey(Nxm1, 24), 0, Ipv6NdSll),
        (NxKey(Nxm1, 25), 0, Ipv6NdTll), (NxKey(Nxm1, 27), 0, Ipv6Flabel), (NxKey(Nxm1, 28), 0, IpEcn),
        (NxKey(Nxm1, 34), 0, TcpFlags), (NxKey(OpenFlowBasic, 42), 0, TcpFlags), (NxKey(OpenFlowBasic, 43), 0, ActsetOutput),
    ];

    private static uint NxKey(ushort cls, byte field) => ((uint)cls << 16) | ((uint)field << 9);

    private static readonly FrozenDictionary<ulong, OxmField> ByKey = BuildHeaderIndex();

    private static FrozenDictionary<ulong, OxmField> BuildHeaderIndex()
    {
        var index = All.ToDictionary(f => Key(f.TypeKey, f.Experimenter));
        foreach (var (typeKey, experimenter, field) in AlternateHeaders)
        {
            index[Key(typeKey, experimenter)] = field;
        }

        return index.ToFrozenDictionary();
    }

    private static ulong Key(uint typeKey, uint experimenter) => ((ulong)experimenter << 32) | typeKey;

    /// <summary>The classes with a direct table below, in table order; other classes go through <see cref="ByKey"/>.</summary>
    private static readonly ushort[] TableClasses = [OpenFlowBasic, Nxm0, Nxm1, PacketRegs, EricssonClass];

    /// <summary>
    /// Fields by (class, oxm_field): 128 slots per class of <see cref="TableClasses"/>, so the decoder finds a
    /// field with one array index instead of a hash lookup per TLV.
    /// </summary>
    private static readonly OxmField?[] ByClassAndField = BuildFieldTable();

    private static OxmField?[] BuildFieldTable()
    {
        var table = new OxmField?[TableClasses.Length * 128];
        foreach (var (key, field) in ByKey)
        {
            int slot = TableSlot((uint)key);
            if ((key >> 32) == 0 && slot >= 0)
            {
                table[slot] = field;
            }
        }

        return table;
    }

    /// <summary>Index into <see cref="ByClassAndField"/> for a header, or -1 when its class has no table.</summary>
    private static int TableSlot(uint header)
    {
        int classIndex = (header >> 16) switch
        {
            OpenFlowBasic => 0,
            Nxm0 => 1,
            Nxm1 => 2,
            PacketRegs => 3,
            EricssonClass => 4,
            _ => -1,
        };
        return classIndex < 0 ? -1 : (classIndex * 128) + (int)((header >> 9) & 0x7f);
    }

    /// <summary>
    /// Finds a field by its OXM header (has-mask and length bits are ignored; the decoder checks the length).
    /// Alternate headers OVS accepts for a field (NXM_OF_ETH_SRC for eth_src, ...) give the canonical field.
    /// </summary>
    public static OxmField? FromHeader(uint header, uint experimenter = 0)
    {
        int slot = TableSlot(header);
        if (slot >= 0)
        {
            return ByClassAndField[slot];
        }

        return (header >> 16) == ExperimenterClass ? ByKey.GetValueOrDefault(Key(header & 0xfffffe00u, experimenter)) : null;
    }

    /// <summary>Every name ovs-ofctl accepts for a field in a match, set_field, load or move, plus our canonical names.</summary>
    private static readonly FrozenDictionary<string, OxmField> ByName = BuildNameIndex();

    private static FrozenDictionary<string, OxmField> BuildNameIndex()
    {
        var names = new Dictionary<string, OxmField>(StringComparer.Ordinal);
        foreach (var field in All)
        {
            names[field.Name] = field;
            names[field.OvsName] = field;
        }

        // Other spellings (lib/meta-flow.h extra names and OpenFlow 1.0 names).
        (string Name, OxmField Field)[] extra =
        [
            ("dl_src", EthSrc), ("dl_dst", EthDst), ("dl_type", EthType), ("dl_vlan", VlanVid), ("dl_vlan_pcp", VlanPcp),
            ("nw_src", Ipv4Src), ("nw_dst", Ipv4Dst), ("nw_proto", IpProto), ("nw_ecn", IpEcn), ("nw_frag", IpFrag),
            ("tp_src", TcpSrc), ("tp_dst", TcpDst), ("in_port_oxm", InPort), ("tun_id", TunnelId),
            ("icmp_type", Icmpv4Type), ("icmp_code", Icmpv4Code), ("ipv6_label", Ipv6Flabel),
            ("nd_target", Ipv6NdTarget), ("nd_sll", Ipv6NdSll), ("nd_tll", Ipv6NdTll),
        ];
        foreach (var (name, field) in extra)
        {
            names[name] = field;
        }

        // OpenFlow / Nicira constant names, as in load/move/learn (NXM_OF_ETH_SRC[], OXM_OF_IN_PORT[]).
        (string Name, OxmField Field)[] constants =
        [
            ("NXM_OF_IN_PORT", InPort), ("NXM_OF_ETH_DST", EthDst), ("NXM_OF_ETH_SRC", EthSrc), ("NXM_OF_ETH_TYPE", EthType),
            ("NXM_OF_VLAN_TCI", VlanTci), ("NXM_OF_IP_TOS", NwTos), ("NXM_OF_IP_PROTO", IpProto), ("NXM_OF_IP_SRC", Ipv4Src),
            ("NXM_OF_IP_DST", Ipv4Dst), ("NXM_OF_TCP_SRC", TcpSrc), ("NXM_OF_TCP_DST", TcpDst), ("NXM_OF_UDP_SRC", UdpSrc),
            ("NXM_OF_UDP_DST", UdpDst), ("NXM_OF_ICMP_TYPE", Icmpv4Type), ("NXM_OF_ICMP_CODE", Icmpv4Code),
            ("NXM_OF_ARP_OP", ArpOp), ("NXM_OF_ARP_SPA", ArpSpa), ("NXM_OF_ARP_TPA", ArpTpa),
            ("NXM_NX_TUN_ID", TunnelId), ("NXM_NX_ARP_SHA", ArpSha), ("NXM_NX_ARP_THA", ArpTha),
            ("NXM_NX_IPV6_SRC", Ipv6Src), ("NXM_NX_IPV6_DST", Ipv6Dst), ("NXM_NX_ICMPV6_TYPE", Icmpv6Type),
            ("NXM_NX_ICMPV6_CODE", Icmpv6Code), ("NXM_NX_ND_TARGET", Ipv6NdTarget), ("NXM_NX_ND_SLL", Ipv6NdSll),
            ("NXM_NX_ND_TLL", Ipv6NdTll), ("NXM_NX_IP_FRAG", IpFrag), ("NXM_NX_IPV6_LABEL", Ipv6Flabel),
            ("NXM_NX_IP_ECN", IpEcn), ("NXM_NX_IP_TTL", NwTtl), ("NXM_NX_TUN_IPV4_SRC", TunSrc), ("NXM_NX_TUN_IPV4_DST", TunDst),
            ("NXM_NX_PKT_MARK", PktMark), ("NXM_NX_TCP_FLAGS", TcpFlags), ("NXM_NX_DP_HASH", DpHash),
            ("NXM_NX_RECIRC_ID", RecircId), ("NXM_NX_CONJ_ID", ConjId), ("NXM_NX_TUN_FLAGS", TunFlags),
            ("NXM_NX_CT_STATE", CtState), ("NXM_NX_CT_ZONE", CtZone), ("NXM_NX_CT_MARK", CtMark), ("NXM_NX_CT_LABEL", CtLabel),
            ("NXM_NX_TUN_IPV6_SRC", TunIpv6Src), ("NXM_NX_TUN_IPV6_DST", TunIpv6Dst), ("NXM_NX_TUN_GBP_ID", TunGbpId),
            ("NXM_NX_TUN_GBP_FLAGS", TunGbpFlags), ("NXM_NX_MPLS_TTL", MplsTtl),
            ("NXM_NX_CT_NW_PROTO", CtNwProto), ("NXM_NX_CT_NW_SRC", CtNwSrc), ("NXM_NX_CT_NW_DST", CtNwDst),
            ("NXM_NX_CT_IPV6_SRC", CtIpv6Src), ("NXM_NX_CT_IPV6_DST", CtIpv6Dst), ("NXM_NX_CT_TP_SRC", CtTpSrc),
            ("NXM_NX_CT_TP_DST", CtTpDst),
            ("OXM_OF_IN_PORT", InPort), ("OXM_OF_PACKET_TYPE", PacketType), ("OXM_OF_METADATA", Metadata), ("OXM_OF_ETH_DST", EthDst), ("OXM_OF_ETH_SRC", EthSrc),
            ("OXM_OF_ETH_TYPE", EthType), ("OXM_OF_VLAN_VID", VlanVid), ("OXM_OF_VLAN_PCP", VlanPcp), ("OXM_OF_IP_DSCP", IpDscp),
            ("OXM_OF_IP_ECN", IpEcn), ("OXM_OF_IP_PROTO", IpProto), ("OXM_OF_IPV4_SRC", Ipv4Src), ("OXM_OF_IPV4_DST", Ipv4Dst),
            ("OXM_OF_TCP_SRC", TcpSrc), ("OXM_OF_TCP_DST", TcpDst), ("OXM_OF_UDP_SRC", UdpSrc), ("OXM_OF_UDP_DST", UdpDst),
            ("OXM_OF_SCTP_SRC", SctpSrc), ("OXM_OF_SCTP_DST", SctpDst), ("OXM_OF_ICMPV4_TYPE", Icmpv4Type),
            ("OXM_OF_ICMPV4_CODE", Icmpv4Code), ("OXM_OF_ARP_OP", ArpOp), ("OXM_OF_ARP_SPA", ArpSpa), ("OXM_OF_ARP_TPA", ArpTpa),
            ("OXM_OF_ARP_SHA", ArpSha), ("OXM_OF_ARP_THA", ArpTha), ("OXM_OF_IPV6_SRC", Ipv6Src), ("OXM_OF_IPV6_DST", Ipv6Dst),
            ("OXM_OF_IPV6_FLABEL", Ipv6Flabel), ("OXM_OF_ICMPV6_TYPE", Icmpv6Type), ("OXM_OF_ICMPV6_CODE", Icmpv6Code),
            ("OXM_OF_IPV6_ND_TARGET", Ipv6NdTarget), ("OXM_OF_IPV6_ND_SLL", Ipv6NdSll), ("OXM_OF_IPV6_ND_TLL", Ipv6NdTll),
            ("OXM_OF_MPLS_LABEL", MplsLabel), ("OXM_OF_MPLS_TC", MplsTc), ("OXM_OF_MPLS_BOS", MplsBos),
            ("OXM_OF_TUNNEL_ID", TunnelId), ("ONFOXM_ET_TCP_FLAGS", TcpFlags), ("ONFOXM_ET_ACTSET_OUTPUT", ActsetOutput),
        ];
        foreach (var (name, field) in constants)
        {
            names[name] = field;
        }

        for (int i = 0; i < Regs.Count; i++)
        {
            names[$"NXM_NX_REG{i}"] = Regs[i];
        }

        for (int i = 0; i < Xregs.Count; i++)
        {
            names[$"OXM_OF_PKT_REG{i}"] = Xregs[i];
        }

        for (int i = 0; i < Xxregs.Count; i++)
        {
            names[$"NXM_NX_XXREG{i}"] = Xxregs[i];
        }

        // OVS does not implement these three, so it has no name for them; ours stay for the API only.
        names.Remove(InPhyPort.Name);
        names.Remove(PbbIsid.Name);
        names.Remove(Ipv6Exthdr.Name);
        return names.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>
    /// Finds a field by any name ovs-ofctl accepts (eth_src, dl_src, tun_id, tunnel_id, reg3, xreg1, ct_state,
    /// nd_target, NXM_NX_REG0, OXM_OF_IN_PORT, ...). Names that depend on the match (nw_src for ARP, tp_src for
    /// UDP, icmp_type for ICMPv6) give the IPv4/TCP/ICMPv4 field; <see cref="Text.MatchText"/> resolves them in a match.
    /// Returns null for an unknown name.
    /// </summary>
    public static OxmField? FromName(string name) => ByName.GetValueOrDefault(name);

    /// <summary>The field names ovs-ofctl accepts (for completion and for <see cref="Text.MatchText.IsMatchKey"/>).</summary>
    public static IEnumerable<string> Names => ByName.Keys;
}
