using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;
using Dvr.OpenFlow.Match;

namespace Dvr.OpenFlow.Text;

/// <summary>
/// An Ethernet frame as the flow text ovs-ofctl prints under PACKET_IN and PACKET_OUT (OVS flow_extract +
/// flow_format + ofp_packet_to_string): every header field the packet has, then the L4 checksum, e.g.
/// <code>
/// icmp,vlan_tci=0x0000,dl_src=..,dl_dst=..,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=64,nw_frag=no,icmp_type=8,icmp_code=0 icmp_csum:f7ff
/// </code>
/// Covers Ethernet (with up to two VLAN tags), ARP/RARP, IPv4, IPv6 and ICMP/ICMPv6/TCP/UDP/SCTP; it never throws.
/// </summary>
public static class PacketText
{
    private const ushort EthTypeIp = 0x0800;
    private const ushort EthTypeArp = 0x0806;
    private const ushort EthTypeRarp = 0x8035;
    private const ushort EthTypeIpv6 = 0x86dd;
    private const ushort EthTypeVlan = 0x8100;
    private const ushort EthTypeVlanS = 0x88a8;

    /// <summary>OVS's dl_type for 802.2 frames without SNAP (FLOW_DL_TYPE_NONE).</summary>
    private const ushort DlTypeNone = 0x05ff;

    private const byte ProtoIcmp = 1;
    private const byte ProtoIgmp = 2;
    private const byte ProtoTcp = 6;
    private const byte ProtoUdp = 17;
    private const byte ProtoIcmpv6 = 58;
    private const byte ProtoSctp = 132;

    public static string Format(ReadOnlySpan<byte> frame)
    {
        var sb = new StringBuilder();
        Append(sb, frame);
        return sb.ToString();
    }

    /// <summary>The PACKET_IN metadata match (in_port, tunnel id, metadata, registers) as OVS match_format prints it.</summary>
    public static void AppendMetadata(StringBuilder output, Dvr.OpenFlow.Match.Match metadata, PortNames names) =>
        MatchTextBridge.Append(output, metadata, names, 0x8000);

    /// <summary>Appends the flow text of <paramref name="frame"/> (no trailing newline).</summary>
    public static void Append(StringBuilder output, ReadOnlySpan<byte> frame)
    {
        var flow = Extract(frame);
        var parts = new List<string>();
        string? prefix = flow.DlType switch
        {
            EthTypeIp when flow.HasL3 => flow.Proto switch
            {
                ProtoIcmp => "icmp",
                ProtoIgmp => "igmp",
                ProtoTcp => "tcp",
                ProtoUdp => "udp",
                ProtoSctp => "sctp",
                _ => "ip",
            },
            EthTypeIp => "ip",
            EthTypeIpv6 when flow.HasL3 => flow.Proto switch
            {
                ProtoIcmpv6 => "icmp6",
                ProtoTcp => "tcp6",
                ProtoUdp => "udp6",
                ProtoSctp => "sctp6",
                _ => "ipv6",
            },
            EthTypeIpv6 => "ipv6",
            EthTypeArp => "arp",
            EthTypeRarp => "rarp",
            _ => null,
        };
        bool protoInPrefix = prefix is not null and not "ip" and not "ipv6" and not "arp" and not "rarp";
        if (prefix is not null)
        {
            parts.Add(prefix);
        }

        for (int i = 0; i < 2; i++)
        {
            string suffix = i == 0 ? "" : "1";
            if (i >= flow.VlanCount + 1)
            {
                break;
            }

            if (i < flow.VlanCount)
            {
                ushort tci = flow.Vlans[i];
                parts.Add($"dl_vlan{suffix}={tci & 0xfff}");
                parts.Add($"dl_vlan_pcp{suffix}={tci >> 13}");
            }
            else
            {
                parts.Add($"vlan_tci{suffix}=0x0000");
            }
        }

        parts.Add("dl_src=" + new MacAddress(flow.DlSrc));
        parts.Add("dl_dst=" + new MacAddress(flow.DlDst));
        if (prefix is null)
        {
            parts.Add("dl_type=0x" + flow.DlType.ToString("x4", CultureInfo.InvariantCulture));
        }

        if (flow.DlType == EthTypeIpv6)
        {
            parts.Add("ipv6_src=" + new IPAddress(flow.Ipv6Src));
            parts.Add("ipv6_dst=" + new IPAddress(flow.Ipv6Dst));
            parts.Add("ipv6_label=0x" + flow.Ipv6Label.ToString("x5", CultureInfo.InvariantCulture));
        }
        else if (flow.DlType is EthTypeArp or EthTypeRarp)
        {
            parts.Add("arp_spa=" + Ipv4(flow.NwSrc));
            parts.Add("arp_tpa=" + Ipv4(flow.NwDst));
        }
        else if (flow.DlType == EthTypeIp)
        {
            parts.Add("nw_src=" + Ipv4(flow.NwSrc));
            parts.Add("nw_dst=" + Ipv4(flow.NwDst));
        }

        if (flow.DlType is EthTypeArp or EthTypeRarp)
        {
            parts.Add("arp_op=" + flow.Proto.ToString(CultureInfo.InvariantCulture));
            parts.Add("arp_sha=" + new MacAddress(flow.ArpSha));
            parts.Add("arp_tha=" + new MacAddress(flow.ArpTha));
        }
        else if (flow.DlType is EthTypeIp or EthTypeIpv6)
        {
            if (!protoInPrefix)
            {
                parts.Add("nw_proto=" + flow.Proto.ToString(CultureInfo.InvariantCulture));
            }

            parts.Add("nw_tos=" + (flow.Tos & 0xfc).ToString(CultureInfo.InvariantCulture));
            parts.Add("nw_ecn=" + (flow.Tos & 0x03).ToString(CultureInfo.InvariantCulture));
            parts.Add("nw_ttl=" + flow.Ttl.ToString(CultureInfo.InvariantCulture));
            parts.Add("nw_frag=" + (flow.Fragment switch { 0 => "no", 1 => "first", _ => "later" }));
            bool later = flow.Fragment == 2;
            if (later)
            {
                // OVS leaves L4 fields of non-first fragments wildcarded, so they are not printed.
            }
            else if (flow.Proto is ProtoIcmp or ProtoIcmpv6 && protoInPrefix)
            {
                parts.Add("icmp_type=" + flow.TpSrc.ToString(CultureInfo.InvariantCulture));
                parts.Add("icmp_code=" + flow.TpDst.ToString(CultureInfo.InvariantCulture));
                if (flow.IsNeighborDiscovery)
                {
                    parts.Add("nd_target=" + new IPAddress(flow.NdTarget));
                    parts.Add("nd_sll=" + new MacAddress(flow.ArpSha));
                    parts.Add("nd_tll=" + new MacAddress(flow.ArpTha));
                }
            }
            else if (protoInPrefix)
            {
                parts.Add("tp_src=" + flow.TpSrc.ToString(CultureInfo.InvariantCulture));
                parts.Add("tp_dst=" + flow.TpDst.ToString(CultureInfo.InvariantCulture));
            }

            if (flow.Proto == ProtoTcp && protoInPrefix && !later)
            {
                parts.Add("tcp_flags=" + TcpFlags(flow.TcpFlags));
            }
        }

        output.AppendJoin(',', parts);
        if (flow.Checksum is { } checksum)
        {
            output.Append(' ').Append(checksum);
        }
    }

    private static string Ipv4(uint address) =>
        string.Create(CultureInfo.InvariantCulture, $"{address >> 24}.{(address >> 16) & 0xff}.{(address >> 8) & 0xff}.{address & 0xff}");

    /// <summary>OVS packet_tcp_flag_to_string names joined with '|', "0" for none.</summary>
    private static string TcpFlags(ushort flags)
    {
        if (flags == 0)
        {
            return "0";
        }

        string[] names = ["fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns", "[200]", "[400]", "[800]"];
        var set = new List<string>();
        for (int bit = 0; bit < names.Length; bit++)
        {
            if ((flags & (1 << bit)) != 0)
            {
                set.Add(names[bit]);
            }
        }

        return string.Join('|', set);
    }

    private struct Flow
    {
        public ulong DlSrc;
        public ulong DlDst;
        public ushort DlType;
        public int VlanCount;
        public ushort[] Vlans;
        public bool HasL3;
        public uint NwSrc;
        public uint NwDst;
        public byte[] Ipv6Src;
        public byte[] Ipv6Dst;
        public uint Ipv6Label;
        public byte Proto;
        public byte Tos;
        public byte Ttl;
        public int Fragment;
        public ushort TpSrc;
        public ushort TpDst;
        public ushort TcpFlags;
        public ulong ArpSha;
        public ulong ArpTha;
        public bool IsNeighborDiscovery;
        public byte[] NdTarget;
        public string? Checksum;
    }

    private static ulong Mac(ReadOnlySpan<byte> bytes) =>
        ((ulong)BinaryPrimitives.ReadUInt16BigEndian(bytes) << 32) | BinaryPrimitives.ReadUInt32BigEndian(bytes[2..]);

    /// <summary>A bounds-checked subset of OVS flow_extract.</summary>
    private static Flow Extract(ReadOnlySpan<byte> frame)
    {
        var flow = new Flow { Vlans = new ushort[2], Ipv6Src = new byte[16], Ipv6Dst = new byte[16], NdTarget = new byte[16] };
        if (frame.Length < 14)
        {
            return flow;
        }

        flow.DlDst = Mac(frame);
        flow.DlSrc = Mac(frame[6..]);
        var rest = frame[12..];
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(rest);
        while ((type == EthTypeVlan || type == EthTypeVlanS) && flow.VlanCount < 2 && rest.Length >= 6)
        {
            flow.Vlans[flow.VlanCount++] = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(rest[2..]) | 0x1000);
            rest = rest[4..];
            type = BinaryPrimitives.ReadUInt16BigEndian(rest);
        }

        rest = rest[2..];
        if (type < 0x600)
        {
            // 802.2 LLC: only SNAP (aa aa 03 00 00 00) carries an Ethernet type.
            if (rest.Length >= 8 && rest[0] == 0xaa && rest[1] == 0xaa && rest[2] == 0x03 && rest[3] == 0 && rest[4] == 0 && rest[5] == 0)
            {
                type = BinaryPrimitives.ReadUInt16BigEndian(rest[6..]);
                rest = rest[8..];
            }
            else
            {
                type = DlTypeNone;
            }
        }

        flow.DlType = type;
        switch (type)
        {
            case EthTypeIp:
                ExtractIpv4(ref flow, rest);
                break;
            case EthTypeIpv6:
                ExtractIpv6(ref flow, rest);
                break;
            case EthTypeArp or EthTypeRarp:
                ExtractArp(ref flow, rest);
                break;
        }

        return flow;
    }

    private static void ExtractArp(ref Flow flow, ReadOnlySpan<byte> arp)
    {
        if (arp.Length < 28 || BinaryPrimitives.ReadUInt16BigEndian(arp) != 1 || BinaryPrimitives.ReadUInt16BigEndian(arp[2..]) != EthTypeIp
            || arp[4] != 6 || arp[5] != 4)
        {
            return;
        }

        ushort op = BinaryPrimitives.ReadUInt16BigEndian(arp[6..]);
        flow.Proto = op <= 0xff ? (byte)op : (byte)0;
        flow.ArpSha = Mac(arp[8..]);
        flow.NwSrc = BinaryPrimitives.ReadUInt32BigEndian(arp[14..]);
        flow.ArpTha = Mac(arp[18..]);
        flow.NwDst = BinaryPrimitives.ReadUInt32BigEndian(arp[24..]);
    }

    private static void ExtractIpv4(ref Flow flow, ReadOnlySpan<byte> ip)
    {
        if (ip.Length < 20)
        {
            return;
        }

        int headerLength = (ip[0] & 0x0f) * 4;
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        if ((ip[0] >> 4) != 4 || headerLength < 20 || headerLength > ip.Length || totalLength < headerLength || totalLength > ip.Length)
        {
            return;
        }

        ip = ip[..totalLength];
        flow.HasL3 = true;
        flow.NwSrc = BinaryPrimitives.ReadUInt32BigEndian(ip[12..]);
        flow.NwDst = BinaryPrimitives.ReadUInt32BigEndian(ip[16..]);
        flow.Proto = ip[9];
        flow.Tos = ip[1];
        flow.Ttl = ip[8];
        ushort fragment = BinaryPrimitives.ReadUInt16BigEndian(ip[6..]);
        if ((fragment & 0x3fff) != 0)
        {
            flow.Fragment = (fragment & 0x1fff) != 0 ? 2 : 1;
        }

        ExtractL4(ref flow, ip[headerLength..], ipv6: false);
    }

    private static void ExtractIpv6(ref Flow flow, ReadOnlySpan<byte> ip)
    {
        if (ip.Length < 40)
        {
            return;
        }

        int payload = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
        if ((ip[0] >> 4) != 6 || payload > ip.Length - 40)
        {
            return;
        }

        uint first = BinaryPrimitives.ReadUInt32BigEndian(ip);
        flow.HasL3 = true;
        flow.Tos = (byte)(first >> 20);
        flow.Ipv6Label = first & 0xfffff;
        flow.Ttl = ip[7];
        ip[8..24].CopyTo(flow.Ipv6Src);
        ip[24..40].CopyTo(flow.Ipv6Dst);
        byte next = ip[6];
        var rest = ip.Slice(40, payload);

        // Extension headers: hop-by-hop (0), routing (43), destination options (60), fragment (44), AH (51).
        while (true)
        {
            if (next is 0 or 43 or 60 or 51)
            {
                if (rest.Length < 8)
                {
                    flow.Proto = next;
                    return;
                }

                int length = next == 51 ? (rest[1] + 2) * 4 : (rest[1] + 1) * 8;
                if (length > rest.Length)
                {
                    flow.Proto = next;
                    return;
                }

                next = rest[0];
                rest = rest[length..];
            }
            else if (next == 44)
            {
                if (rest.Length < 8)
                {
                    flow.Proto = next;
                    return;
                }

                ushort offset = BinaryPrimitives.ReadUInt16BigEndian(rest[2..]);
                flow.Fragment = (offset & 0xfff8) != 0 ? 2 : ((offset & 1) != 0 ? 1 : 0);
                next = rest[0];
                rest = rest[8..];
                if (flow.Fragment == 2)
                {
                    flow.Proto = next;
                    ExtractL4(ref flow, rest, ipv6: true);
                    return;
                }
            }
            else
            {
                break;
            }
        }

        flow.Proto = next;
        ExtractL4(ref flow, rest, ipv6: true);
    }

    /// <summary>
    /// L4 ports, ICMP type/code and TCP flags (not for non-first fragments, and TCP only with a sane data offset),
    /// and the checksum OVS prints whenever the L4 bytes cover the protocol's header, parsed or not.
    /// </summary>
    private static void ExtractL4(ref Flow flow, ReadOnlySpan<byte> l4, bool ipv6)
    {
        bool parse = flow.Fragment != 2;
        switch (flow.Proto)
        {
            case ProtoTcp when l4.Length >= 20:
                flow.Checksum = "tcp_csum:" + Hex16(l4[16..]);
                int offset = (l4[12] >> 4) * 4;
                if (parse && offset >= 20 && offset <= l4.Length)
                {
                    flow.TpSrc = BinaryPrimitives.ReadUInt16BigEndian(l4);
                    flow.TpDst = BinaryPrimitives.ReadUInt16BigEndian(l4[2..]);
                    flow.TcpFlags = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(l4[12..]) & 0x0fff);
                }

                break;
            case ProtoUdp when l4.Length >= 8:
                flow.Checksum = "udp_csum:" + Hex16(l4[6..]);
                if (parse)
                {
                    flow.TpSrc = BinaryPrimitives.ReadUInt16BigEndian(l4);
                    flow.TpDst = BinaryPrimitives.ReadUInt16BigEndian(l4[2..]);
                }

                break;
            case ProtoSctp when l4.Length >= 12:
                flow.Checksum = "sctp_csum:" + BinaryPrimitives.ReadUInt32BigEndian(l4[8..]).ToString("x", CultureInfo.InvariantCulture);
                if (parse)
                {
                    flow.TpSrc = BinaryPrimitives.ReadUInt16BigEndian(l4);
                    flow.TpDst = BinaryPrimitives.ReadUInt16BigEndian(l4[2..]);
                }

                break;
            case ProtoIcmp when !ipv6 && l4.Length >= 8:
                flow.Checksum = "icmp_csum:" + Hex16(l4[2..]);
                if (parse)
                {
                    flow.TpSrc = l4[0];
                    flow.TpDst = l4[1];
                }

                break;
            case ProtoIcmpv6 when ipv6 && l4.Length >= 4:
                flow.Checksum = "icmp6_csum:" + Hex16(l4[2..]);
                if (parse)
                {
                    flow.TpSrc = l4[0];
                    flow.TpDst = l4[1];
                    ExtractNeighborDiscovery(ref flow, l4);
                }

                break;
        }
    }

    private static string Hex16(ReadOnlySpan<byte> bytes) =>
        BinaryPrimitives.ReadUInt16BigEndian(bytes).ToString("x", CultureInfo.InvariantCulture);

    /// <summary>ICMPv6 neighbor solicitation (135) / advertisement (136): target plus link-layer address options.</summary>
    private static void ExtractNeighborDiscovery(ref Flow flow, ReadOnlySpan<byte> icmp)
    {
        if (flow.TpSrc is not (135 or 136) || flow.TpDst != 0 || icmp.Length < 24)
        {
            return;
        }

        flow.IsNeighborDiscovery = true;
        icmp[8..24].CopyTo(flow.NdTarget);
        var options = icmp[24..];
        while (options.Length >= 8)
        {
            int length = options[1] * 8;
            if (length == 0 || length > options.Length)
            {
                break;
            }

            if (options[0] == 1 && length == 8 && flow.ArpSha == 0)
            {
                flow.ArpSha = Mac(options[2..]);
            }
            else if (options[0] == 2 && length == 8 && flow.ArpTha == 0)
            {
                flow.ArpTha = Mac(options[2..]);
            }

            options = options[length..];
        }
    }
}
