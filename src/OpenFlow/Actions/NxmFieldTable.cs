using System.Collections.Frozen;

namespace Dvr.OpenFlow.Actions;

/// <summary>How Open vSwitch prints a field's value (lib/meta-flow.c mf_format, enum mf_string).</summary>
public enum NxmValueKind
{
    Decimal,
    Hexadecimal,
    Ethernet,
    Ipv4,
    Ipv6,

    /// <summary>A 16-bit OpenFlow 1.0 port number (NXM_OF_IN_PORT).</summary>
    Port16,

    /// <summary>A 32-bit OpenFlow 1.1+ port number (OXM_OF_IN_PORT).</summary>
    Port32,
}

/// <summary>
/// One field as Nicira actions name it: the NXM/OXM header OVS writes in move, load, learn and output:reg
/// (OVS encodes those with the "version 0" header, lib/nx-match.c nxm_put_header with version 0), the name
/// it prints (<c>NXM_OF_ETH_SRC</c>, <c>OXM_OF_IN_PORT</c>...), the meta-flow name (<c>eth_src</c>) and
/// aliases accepted on input, the width in bits, and the header a standard OpenFlow 1.3 set_field uses.
/// Facts from include/openflow/nicira-ext.h, include/openvswitch/meta-flow.h and lib/meta-flow.xml.
/// </summary>
public sealed class NxmFieldInfo
{
    internal NxmFieldInfo(string nxmName, uint header, int bits, string mfName, NxmValueKind kind, uint setFieldHeader, string[] aliases, bool writable)
    {
        NxmName = nxmName;
        Header = header;
        Bits = bits;
        MfName = mfName;
        Kind = kind;
        SetFieldHeader = setFieldHeader;
        Aliases = aliases;
        Writable = writable;
    }

    /// <summary>Name printed in subfields, e.g. <c>NXM_OF_ETH_SRC</c>.</summary>
    public string NxmName { get; }

    /// <summary>The 32-bit NXM/OXM header (no mask bit) OVS writes for this field in Nicira actions.</summary>
    public uint Header { get; }

    /// <summary>Width in bits (e.g. 12 for OXM_OF_VLAN_VID, 6 for OXM_OF_IP_DSCP).</summary>
    public int Bits { get; }

    /// <summary>Bytes the value takes on the wire (header's length byte).</summary>
    public int Bytes => (int)(Header & 0xff);

    /// <summary>Meta-flow name, used by set_field and learn's "field=value" form.</summary>
    public string MfName { get; }

    public NxmValueKind Kind { get; }

    /// <summary>Header used by an OpenFlow 1.3 OFPAT_SET_FIELD (the OXM basic header when one exists).</summary>
    public uint SetFieldHeader { get; }

    public IReadOnlyList<string> Aliases { get; }

    /// <summary>False for read-only fields (eth_type, ip_proto, ...): OVS refuses them as a load/move target.</summary>
    public bool Writable { get; }

    public override string ToString() => NxmName;
}

/// <summary>The header ↔ name table for Nicira actions (move, load, learn, output:reg, ct zone).</summary>
public static class NxmFieldTable
{
    private const uint OxmBasic = 0x8000;
    private const uint Nxm0 = 0x0000;
    private const uint Nxm1 = 0x0001;
    private const uint PacketRegs = 0x8001;

    private static uint H(uint cls, uint field, uint length) => (cls << 16) | (field << 9) | length;

    private static NxmFieldInfo F(string nxmName, uint header, int bits, string mfName, NxmValueKind kind, uint? setFieldHeader = null, bool writable = true, params string[] aliases) =>
        new(nxmName, header, bits, mfName, kind, setFieldHeader ?? header, aliases, writable);

    /// <summary>Every field, one entry per meta-flow field.</summary>
    public static readonly IReadOnlyList<NxmFieldInfo> All = Build();

    private static List<NxmFieldInfo> Build()
    {
        var list = new List<NxmFieldInfo>
        {
            F("NXM_OF_IN_PORT", H(Nxm0, 0, 2), 16, "in_port", NxmValueKind.Port16),
            F("OXM_OF_IN_PORT", H(OxmBasic, 0, 4), 32, "in_port_oxm", NxmValueKind.Port32),
            F("NXM_OF_ETH_DST", H(Nxm0, 1, 6), 48, "eth_dst", NxmValueKind.Ethernet, H(OxmBasic, 3, 6), aliases: ["dl_dst", "OXM_OF_ETH_DST"]),
            F("NXM_OF_ETH_SRC", H(Nxm0, 2, 6), 48, "eth_src", NxmValueKind.Ethernet, H(OxmBasic, 4, 6), aliases: ["dl_src", "OXM_OF_ETH_SRC"]),
            F("NXM_OF_ETH_TYPE", H(Nxm0, 3, 2), 16, "eth_type", NxmValueKind.Hexadecimal, H(OxmBasic, 5, 2), writable: false, aliases: ["dl_type", "OXM_OF_ETH_TYPE"]),
            F("NXM_OF_VLAN_TCI", H(Nxm0, 4, 2), 16, "vlan_tci", NxmValueKind.Hexadecimal),
            F("OXM_OF_VLAN_VID", H(OxmBasic, 6, 2), 12, "vlan_vid", NxmValueKind.Decimal),
            F("OXM_OF_VLAN_PCP", H(OxmBasic, 7, 1), 3, "vlan_pcp", NxmValueKind.Decimal),
            F("NXM_OF_IP_TOS", H(Nxm0, 5, 1), 8, "ip_dscp", NxmValueKind.Decimal, H(OxmBasic, 8, 1), aliases: ["nw_tos"]),
            F("OXM_OF_IP_DSCP", H(OxmBasic, 8, 1), 6, "ip_dscp_shifted", NxmValueKind.Decimal),
            F("NXM_NX_IP_ECN", H(Nxm1, 28, 1), 2, "nw_ecn", NxmValueKind.Decimal, H(OxmBasic, 9, 1), aliases: ["ip_ecn", "OXM_OF_IP_ECN"]),
            F("NXM_NX_IP_TTL", H(Nxm1, 29, 1), 8, "nw_ttl", NxmValueKind.Decimal),
            F("NXM_OF_IP_PROTO", H(Nxm0, 6, 1), 8, "nw_proto", NxmValueKind.Decimal, H(OxmBasic, 10, 1), writable: false, aliases: ["ip_proto", "OXM_OF_IP_PROTO"]),
            F("NXM_OF_IP_SRC", H(Nxm0, 7, 4), 32, "ip_src", NxmValueKind.Ipv4, H(OxmBasic, 11, 4), aliases: ["nw_src", "OXM_OF_IPV4_SRC"]),
            F("NXM_OF_IP_DST", H(Nxm0, 8, 4), 32, "ip_dst", NxmValueKind.Ipv4, H(OxmBasic, 12, 4), aliases: ["nw_dst", "OXM_OF_IPV4_DST"]),
            F("NXM_OF_TCP_SRC", H(Nxm0, 9, 2), 16, "tcp_src", NxmValueKind.Decimal, H(OxmBasic, 13, 2), aliases: ["OXM_OF_TCP_SRC"]),
            F("NXM_OF_TCP_DST", H(Nxm0, 10, 2), 16, "tcp_dst", NxmValueKind.Decimal, H(OxmBasic, 14, 2), aliases: ["OXM_OF_TCP_DST"]),
            F("NXM_OF_UDP_SRC", H(Nxm0, 11, 2), 16, "udp_src", NxmValueKind.Decimal, H(OxmBasic, 15, 2), aliases: ["OXM_OF_UDP_SRC"]),
            F("NXM_OF_UDP_DST", H(Nxm0, 12, 2), 16, "udp_dst", NxmValueKind.Decimal, H(OxmBasic, 16, 2), aliases: ["OXM_OF_UDP_DST"]),
            F("OXM_OF_SCTP_SRC", H(OxmBasic, 17, 2), 16, "sctp_src", NxmValueKind.Decimal),
            F("OXM_OF_SCTP_DST", H(OxmBasic, 18, 2), 16, "sctp_dst", NxmValueKind.Decimal),
            F("NXM_OF_ICMP_TYPE", H(Nxm0, 13, 1), 8, "icmp_type", NxmValueKind.Decimal, H(OxmBasic, 19, 1), aliases: ["OXM_OF_ICMPV4_TYPE"]),
            F("NXM_OF_ICMP_CODE", H(Nxm0, 14, 1), 8, "icmp_code", NxmValueKind.Decimal, H(OxmBasic, 20, 1), aliases: ["OXM_OF_ICMPV4_CODE"]),
            F("NXM_OF_ARP_OP", H(Nxm0, 15, 2), 16, "arp_op", NxmValueKind.Decimal, H(OxmBasic, 21, 2), aliases: ["OXM_OF_ARP_OP"]),
            F("NXM_OF_ARP_SPA", H(Nxm0, 16, 4), 32, "arp_spa", NxmValueKind.Ipv4, H(OxmBasic, 22, 4), aliases: ["OXM_OF_ARP_SPA"]),
            F("NXM_OF_ARP_TPA", H(Nxm0, 17, 4), 32, "arp_tpa", NxmValueKind.Ipv4, H(OxmBasic, 23, 4), aliases: ["OXM_OF_ARP_TPA"]),
            F("NXM_NX_ARP_SHA", H(Nxm1, 17, 6), 48, "arp_sha", NxmValueKind.Ethernet, H(OxmBasic, 24, 6), aliases: ["OXM_OF_ARP_SHA"]),
            F("NXM_NX_ARP_THA", H(Nxm1, 18, 6), 48, "arp_tha", NxmValueKind.Ethernet, H(OxmBasic, 25, 6), aliases: ["OXM_OF_ARP_THA"]),
            F("NXM_NX_IPV6_SRC", H(Nxm1, 19, 16), 128, "ipv6_src", NxmValueKind.Ipv6, H(OxmBasic, 26, 16), aliases: ["OXM_OF_IPV6_SRC"]),
            F("NXM_NX_IPV6_DST", H(Nxm1, 20, 16), 128, "ipv6_dst", NxmValueKind.Ipv6, H(OxmBasic, 27, 16), aliases: ["OXM_OF_IPV6_DST"]),
            F("NXM_NX_IPV6_LABEL", H(Nxm1, 27, 4), 20, "ipv6_label", NxmValueKind.Hexadecimal, H(OxmBasic, 28, 4), aliases: ["OXM_OF_IPV6_FLABEL"]),
            F("NXM_NX_ICMPV6_TYPE", H(Nxm1, 21, 1), 8, "icmpv6_type", NxmValueKind.Decimal, H(OxmBasic, 29, 1), aliases: ["OXM_OF_ICMPV6_TYPE"]),
            F("NXM_NX_ICMPV6_CODE", H(Nxm1, 22, 1), 8, "icmpv6_code", NxmValueKind.Decimal, H(OxmBasic, 30, 1), aliases: ["OXM_OF_ICMPV6_CODE"]),
            F("NXM_NX_ND_TARGET", H(Nxm1, 23, 16), 128, "nd_target", NxmValueKind.Ipv6, H(OxmBasic, 31, 16), aliases: ["OXM_OF_IPV6_ND_TARGET"]),
            F("NXM_NX_ND_SLL", H(Nxm1, 24, 6), 48, "nd_sll", NxmValueKind.Ethernet, H(OxmBasic, 32, 6), aliases: ["OXM_OF_IPV6_ND_SLL"]),
            F("NXM_NX_ND_TLL", H(Nxm1, 25, 6), 48, "nd_tll", NxmValueKind.Ethernet, H(OxmBasic, 33, 6), aliases: ["OXM_OF_IPV6_ND_TLL"]),
            F("OXM_OF_MPLS_LABEL", H(OxmBasic, 34, 4), 20, "mpls_label", NxmValueKind.Decimal),
            F("OXM_OF_MPLS_TC", H(OxmBasic, 35, 1), 3, "mpls_tc", NxmValueKind.Decimal),
            F("OXM_OF_MPLS_BOS", H(OxmBasic, 36, 1), 1, "mpls_bos", NxmValueKind.Decimal, writable: false),
            F("OXM_OF_METADATA", H(OxmBasic, 2, 8), 64, "metadata", NxmValueKind.Hexadecimal),
            F("NXM_NX_TUN_ID", H(Nxm1, 16, 8), 64, "tun_id", NxmValueKind.Hexadecimal, H(OxmBasic, 38, 8), aliases: ["tunnel_id", "OXM_OF_TUNNEL_ID"]),
            F("NXM_NX_TUN_IPV4_SRC", H(Nxm1, 31, 4), 32, "tun_src", NxmValueKind.Ipv4),
            F("NXM_NX_TUN_IPV4_DST", H(Nxm1, 32, 4), 32, "tun_dst", NxmValueKind.Ipv4),
            F("NXM_NX_PKT_MARK", H(Nxm1, 33, 4), 32, "pkt_mark", NxmValueKind.Hexadecimal),
            F("NXM_NX_TCP_FLAGS", H(Nxm1, 34, 2), 12, "tcp_flags", NxmValueKind.Hexadecimal, writable: false),
            F("NXM_NX_DP_HASH", H(Nxm1, 35, 4), 32, "dp_hash", NxmValueKind.Hexadecimal, writable: false),
            F("NXM_NX_RECIRC_ID", H(Nxm1, 36, 4), 32, "recirc_id", NxmValueKind.Decimal, writable: false),
            F("NXM_NX_CONJ_ID", H(Nxm1, 37, 4), 32, "conj_id", NxmValueKind.Decimal, writable: false),
            F("NXM_NX_CT_STATE", H(Nxm1, 105, 4), 32, "ct_state", NxmValueKind.Hexadecimal, writable: false),
            F("NXM_NX_CT_ZONE", H(Nxm1, 106, 2), 16, "ct_zone", NxmValueKind.Hexadecimal, writable: false),
            F("NXM_NX_CT_MARK", H(Nxm1, 107, 4), 32, "ct_mark", NxmValueKind.Hexadecimal),
            F("NXM_NX_CT_LABEL", H(Nxm1, 108, 16), 128, "ct_label", NxmValueKind.Hexadecimal),
        };

        // NXM_NX_REG0..15 (NXM_1 fields 0-15, 32 bits) and the 64-bit xregs OXM_OF_PKT_REG0..7 (OFPXMC_PACKET_REGS).
        for (uint i = 0; i < 16; i++)
        {
            list.Add(F($"NXM_NX_REG{i}", H(Nxm1, i, 4), 32, $"reg{i}", NxmValueKind.Hexadecimal));
        }

        for (uint i = 0; i < 8; i++)
        {
            list.Add(F($"OXM_OF_PKT_REG{i}", H(PacketRegs, i, 8), 64, $"xreg{i}", NxmValueKind.Hexadecimal));
        }

        return list;
    }

    private static readonly FrozenDictionary<uint, NxmFieldInfo> ByHeader = BuildHeaderIndex();

    private static readonly FrozenDictionary<string, NxmFieldInfo> ByName = BuildNameIndex();

    private static FrozenDictionary<uint, NxmFieldInfo> BuildHeaderIndex()
    {
        var map = new Dictionary<uint, NxmFieldInfo>();
        foreach (var field in All)
        {
            map.TryAdd(field.Header & 0xfffffe00, field);
        }

        // OXM basic headers of NXM-named fields decode to the same field (OVS maps both to one mf field).
        foreach (var field in All)
        {
            map.TryAdd(field.SetFieldHeader & 0xfffffe00, field);
        }

        return map.ToFrozenDictionary();
    }

    private static FrozenDictionary<string, NxmFieldInfo> BuildNameIndex()
    {
        var map = new Dictionary<string, NxmFieldInfo>(StringComparer.Ordinal);
        foreach (var field in All)
        {
            map.TryAdd(field.NxmName, field);
            map.TryAdd(field.MfName, field);
            foreach (var alias in field.Aliases)
            {
                map.TryAdd(alias, field);
            }
        }

        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Finds a field by its NXM/OXM header (mask bit and length ignored), or null.</summary>
    public static NxmFieldInfo? FromHeader(uint header) => ByHeader.GetValueOrDefault(header & 0xfffffe00);

    /// <summary>Finds a field by NXM/OXM name, meta-flow name or alias, or null.</summary>
    public static NxmFieldInfo? FromName(string name) => ByName.GetValueOrDefault(name);

    /// <summary>Set_field headers (mask bit and length cleared) to the first field in <see cref="All"/> that uses each.</summary>
    private static readonly FrozenDictionary<uint, NxmFieldInfo> BySetFieldHeader = BuildSetFieldIndex();

    private static FrozenDictionary<uint, NxmFieldInfo> BuildSetFieldIndex()
    {
        var map = new Dictionary<uint, NxmFieldInfo>();
        foreach (var field in All)
        {
            map.TryAdd(field.SetFieldHeader & 0xfffffe00, field);
        }

        return map.ToFrozenDictionary();
    }

    /// <summary>Finds the field whose OpenFlow 1.3 set_field header is <paramref name="header"/>.</summary>
    public static NxmFieldInfo? FromSetFieldHeader(uint header) => BySetFieldHeader.GetValueOrDefault(header & 0xfffffe00);
}
