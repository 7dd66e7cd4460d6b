using System.Collections.Frozen;

namespace Dvr.OpenFlow.Match;

/// <summary>
/// The match fields this codec knows: every OpenFlow 1.3 basic OXM field (OpenFlow 1.3.5 §7.2.3.7) and the
/// Nicira/OVS extension fields a DVR pipeline meets. Declared once; lookups by wire header and by name.
/// Encode orders follow lib/nx-match.c nx_put_raw (in_port, Ethernet, VLAN, MPLS, L3/L4, ARP, tunnel,
/// registers, conntrack, metadata).
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

    /// <summary>OFPXMC_EXPERIMENTER.</summary>
    public const ushort ExperimenterClass = 0xffff;

    private static int _order;

    private static OxmField Basic(string name, byte field, int length, bool maskable) =>
        new(name, OpenFlowBasic, field, length, maskable, _order++);

    private static OxmField Nx(string name, ushort cls, byte field, int length, bool maskable) =>
        new(name, cls, field, length, maskable, _order++);

    // Encode order: this declaration order is the order of lib/nx-match.c nx_put_raw.
    public static readonly OxmField InPort = Basic("in_port", 0, 4, false);
    public static readonly OxmField EthSrc = Basic("eth_src", 4, 6, true);
    public static readonly OxmField EthDst = Basic("eth_dst", 3, 6, true);
    public static readonly OxmField EthType = Basic("eth_type", 5, 2, false);
    public static readonly OxmField VlanVid = Basic("vlan_vid", 6, 2, true);
    public static readonly OxmField VlanPcp = Basic("vlan_pcp", 7, 1, false);
    public static readonly OxmField Ipv4Src = Basic("ipv4_src", 11, 4, true);
    public static readonly OxmField Ipv4Dst = Basic("ipv4_dst", 12, 4, true);
    public static readonly OxmField Ipv6Src = Basic("ipv6_src", 26, 16, true);
    public static readonly OxmField Ipv6Dst = Basic("ipv6_dst", 27, 16, true);
    public static readonly OxmField IpProto = Basic("ip_proto", 10, 1, false);
    public static readonly OxmField Icmpv6Type = Basic("icmpv6_type", 29, 1, false);
    public static readonly OxmField Icmpv6Code = Basic("icmpv6_code", 30, 1, false);
    public static readonly OxmField Ipv6NdTarget = Basic("ipv6_nd_target", 31, 16, true);
    public static readonly OxmField ArpOp = Basic("arp_op", 21, 2, false);
    public static readonly OxmField ArpSpa = Basic("arp_spa", 22, 4, true);
    public static readonly OxmField ArpTpa = Basic("arp_tpa", 23, 4, true);
    public static readonly OxmField ArpSha = Basic("arp_sha", 24, 6, true);
    public static readonly OxmField ArpTha = Basic("arp_tha", 25, 6, true);
    public static readonly OxmField TunnelId = Basic("tunnel_id", 38, 8, true);
    public static readonly OxmField Metadata = Basic("metadata", 2, 8, true);

    // Field ids/lengths of the NXM fields: include/openflow/nicira-ext.h and lib/meta-flow.xml.
    public static readonly OxmField Reg0 = Nx("reg0", Nxm1, 0, 4, true);

    /// <summary>Every known field, in encode order.</summary>
    public static readonly IReadOnlyList<OxmField> All =
    [
        InPort, EthSrc, EthDst, EthType, VlanVid, VlanPcp, Ipv4Src, Ipv4Dst, Ipv6Src, Ipv6Dst, IpProto,
        Icmpv6Type, Icmpv6Code, Ipv6NdTarget, ArpOp, ArpSpa, ArpTpa, ArpSha, ArpTha, TunnelId, Metadata, Reg0,
    ];

    private static readonly FrozenDictionary<ulong, OxmField> ByKey =
        All.ToFrozenDictionary(f => Key(f.TypeKey, f.Experimenter));

    private static ulong Key(uint typeKey, uint experimenter) => ((ulong)experimenter << 32) | typeKey;

    /// <summary>Finds a field by its OXM header (has-mask and length bits are ignored).</summary>
    public static OxmField? FromHeader(uint header, uint experimenter = 0) =>
        ByKey.GetValueOrDefault(Key(header & 0xfffffe00u, experimenter));
}
