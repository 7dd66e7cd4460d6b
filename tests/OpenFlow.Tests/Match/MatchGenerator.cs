using System.Globalization;

namespace Dvr.OpenFlow.Tests.Match;

/// <summary>
/// Random matches in ovs-ofctl syntax from a seeded <see cref="Random"/>: a protocol context, then fields that
/// fit it in their various spellings (dl_src/eth_src, nw_src/ip_src, tp_src/tcp_src, masks in CIDR, dotted and
/// hex forms), plus now and then a field the context does not allow (OVS drops it) or a repeated key (the last wins).
/// </summary>
internal sealed class MatchGenerator(int seed)
{
    private readonly Random _random = new(seed);

    private static readonly string[] Contexts =
    [
        "", "", "ip", "ip", "tcp", "tcp", "udp", "sctp", "icmp", "arp", "arp", "rarp", "ipv6", "tcp6", "udp6", "sctp6",
        "icmp6", "icmp6", "mpls", "mplsm", "dl_type=0x1234", "eth_type=0x0800", "ipv4", "ip6",
    ];

    public List<KeyValuePair<string, string?>> Next()
    {
        var pairs = new List<KeyValuePair<string, string?>>();
        string context = Pick(Contexts);
        bool ip = false, ipv6 = false, arp = false, tcp = false, udp = false, sctp = false, icmp = false, icmp6 = false, mpls = false;
        switch (context)
        {
            case "": break;
            case "ip" or "ipv4" or "eth_type=0x0800": ip = true; break;
            case "tcp": ip = tcp = true; break;
            case "udp": ip = udp = true; break;
            case "sctp": ip = sctp = true; break;
            case "icmp": ip = icmp = true; break;
            case "arp" or "rarp": arp = true; break;
            case "ipv6" or "ip6": ipv6 = true; break;
            case "tcp6": ipv6 = tcp = true; break;
            case "udp6": ipv6 = udp = true; break;
            case "sctp6": ipv6 = sctp = true; break;
            case "icmp6": ipv6 = icmp6 = true; break;
            case "mpls" or "mplsm": mpls = true; break;
        }

        if (context.Length > 0)
        {
            int eq = context.IndexOf('=', StringComparison.Ordinal);
            pairs.Add(eq < 0 ? new(context, null) : new(context[..eq], context[(eq + 1)..]));
        }

        if (context == "eth_type=0x0800" && Chance(0.5))
        {
            // ip_proto spelled out instead of a shorthand.
            var proto = Pick(new[] { "6", "17", "1", "132", "47" });
            Add(pairs, Pick(new[] { "ip_proto", "nw_proto" }), proto);
            tcp = proto == "6";
            udp = proto == "17";
            icmp = proto == "1";
            sctp = proto == "132";
        }

        // Metadata and L2, valid in every context.
        if (Chance(0.3)) Add(pairs, Pick(new[] { "in_port", "in_port" }), Port());
        if (Chance(0.25)) Add(pairs, Pick(new[] { "dl_src", "eth_src" }), MacMaybeMasked());
        if (Chance(0.25)) Add(pairs, Pick(new[] { "dl_dst", "eth_dst" }), MacMaybeMasked());
        if (Chance(0.3)) AddVlan(pairs);
        if (Chance(0.2)) Add(pairs, Pick(new[] { "tun_id", "tunnel_id" }), HexMaybeMasked(64));
        if (Chance(0.1)) Add(pairs, "tun_src", Ipv4MaybeMasked());
        if (Chance(0.1)) Add(pairs, "tun_dst", Ipv4MaybeMasked());
        if (Chance(0.05)) Add(pairs, "tun_ipv6_src", Ipv6MaybeMasked());
        if (Chance(0.05)) Add(pairs, "tun_flags", Pick(new[] { "+oam", "-oam", "oam" }));
        if (Chance(0.05)) Add(pairs, "tun_gbp_id", Number(0xffff));
        if (Chance(0.3)) Add(pairs, $"reg{_random.Next(16)}", HexMaybeMasked(32));
        if (Chance(0.1)) Add(pairs, $"reg{_random.Next(16)}", Number(uint.MaxValue));
        if (Chance(0.08)) Add(pairs, $"xreg{_random.Next(8)}", HexMaybeMasked(64));
        if (Chance(0.15)) Add(pairs, "metadata", HexMaybeMasked(64));
        if (Chance(0.1)) Add(pairs, "pkt_mark", HexMaybeMasked(32));
        if (Chance(0.15)) Add(pairs, "ct_state", CtState());
        if (Chance(0.1)) Add(pairs, "ct_zone", Number(0xffff));
        if (Chance(0.1)) Add(pairs, "ct_mark", HexMaybeMasked(32));
        if (Chance(0.05)) Add(pairs, "ct_label", HexMaybeMasked(64));
        if (Chance(0.05)) Add(pairs, "conj_id", Number(uint.MaxValue));
        if (Chance(0.03)) Add(pairs, "dp_hash", HexMaybeMasked(32));

        if (ip || ipv6)
        {
            if (Chance(0.2)) Add(pairs, Pick(new[] { "nw_tos", "ip_dscp" }), pairs.Count % 2 == 0 ? Number(255) : Number(63));
            if (Chance(0.15)) Add(pairs, Pick(new[] { "nw_ecn", "ip_ecn" }), Number(3));
            if (Chance(0.15)) Add(pairs, "nw_ttl", Number(255));
            if (Chance(0.15)) Add(pairs, Pick(new[] { "ip_frag", "nw_frag" }), Pick(new[] { "no", "yes", "first", "later", "not_later" }));
        }

        if (ip)
        {
            if (Chance(0.5)) Add(pairs, Pick(new[] { "nw_src", "ip_src" }), Ipv4MaybeMasked());
            if (Chance(0.5)) Add(pairs, Pick(new[] { "nw_dst", "ip_dst" }), Ipv4MaybeMasked());
        }

        if (ipv6)
        {
            if (Chance(0.5)) Add(pairs, "ipv6_src", Ipv6MaybeMasked());
            if (Chance(0.4)) Add(pairs, "ipv6_dst", Ipv6MaybeMasked());
            if (Chance(0.15)) Add(pairs, "ipv6_label", Chance(0.5) ? Number(0xfffff) : $"0x{_random.Next(0x100000):x}/0x{_random.Next(1, 0x100000):x}");
        }

        if (tcp || udp || sctp)
        {
            string prefix = tcp ? "tcp" : udp ? "udp" : "sctp";
            if (Chance(0.5)) Add(pairs, Pick(new[] { "tp_src", $"{prefix}_src" }), PortMaybeMasked());
            if (Chance(0.5)) Add(pairs, Pick(new[] { "tp_dst", $"{prefix}_dst" }), PortMaybeMasked());
        }

        if (tcp && Chance(0.3))
        {
            Add(pairs, "tcp_flags", Pick(new[] { "+syn-ack", "syn", "+fin", "-rst+psh", "0x012/0x0ff", "ack|syn", "+syn+ack+fin+rst+psh+urg+ece+cwr+ns", "0x002" }));
        }

        if (icmp)
        {
            if (Chance(0.6)) Add(pairs, "icmp_type", Number(255));
            if (Chance(0.4)) Add(pairs, "icmp_code", Number(255));
        }

        if (icmp6)
        {
            int type = Chance(0.6) ? Pick(new[] { 135, 136 }) : _random.Next(256);
            if (Chance(0.8)) Add(pairs, Pick(new[] { "icmp_type", "icmpv6_type" }), type.ToString(CultureInfo.InvariantCulture));
            else type = -1;
            if (Chance(0.2)) Add(pairs, Pick(new[] { "icmp_code", "icmpv6_code" }), Chance(0.7) ? "0" : Number(255));
            if (type is 135 or 136)
            {
                if (Chance(0.5)) Add(pairs, "nd_target", Ipv6MaybeMasked());
                if (type == 135 && Chance(0.4)) Add(pairs, "nd_sll", MacMaybeMasked());
                if (type == 136 && Chance(0.4)) Add(pairs, "nd_tll", MacMaybeMasked());
                if (Chance(0.1)) Add(pairs, "nd_reserved", Number(uint.MaxValue));
                if (Chance(0.1)) Add(pairs, "nd_options_type", Number(255));
            }
        }

        if (arp)
        {
            if (Chance(0.4)) Add(pairs, Pick(new[] { "arp_op", "nw_proto" }), Number(255));
            if (Chance(0.4)) Add(pairs, Pick(new[] { "arp_spa", "nw_src" }), Ipv4MaybeMasked());
            if (Chance(0.4)) Add(pairs, Pick(new[] { "arp_tpa", "nw_dst" }), Ipv4MaybeMasked());
            if (Chance(0.3)) Add(pairs, "arp_sha", MacMaybeMasked());
            if (Chance(0.3)) Add(pairs, "arp_tha", MacMaybeMasked());
        }

        if (mpls)
        {
            if (Chance(0.4)) Add(pairs, "mpls_label", Number(0xfffff));
            if (Chance(0.3)) Add(pairs, "mpls_tc", Number(7));
            if (Chance(0.3)) Add(pairs, "mpls_bos", Number(1));
            if (Chance(0.3)) Add(pairs, "mpls_ttl", Number(255));
        }

        if ((ip || ipv6) && Chance(0.1))
        {
            // Conntrack tuple fields need a valid conntrack state first (OVS MFP_CT_VALID).
            Add(pairs, "ct_state", Pick(new[] { "+trk+est", "+trk-inv", "+new+trk", "+trk+rpl" }));
            if (Chance(0.5)) Add(pairs, ip ? "ct_nw_src" : "ct_ipv6_src", ip ? Ipv4MaybeMasked() : Ipv6MaybeMasked());
            if (Chance(0.5)) Add(pairs, ip ? "ct_nw_dst" : "ct_ipv6_dst", ip ? Ipv4MaybeMasked() : Ipv6MaybeMasked());
            if (Chance(0.5))
            {
                Add(pairs, "ct_nw_proto", Pick(new[] { "6", "17", "1" }));
                if (Chance(0.5)) Add(pairs, "ct_tp_src", PortMaybeMasked());
                if (Chance(0.5)) Add(pairs, "ct_tp_dst", PortMaybeMasked());
            }
        }

        if (Chance(0.08))
        {
            // Names that share one OVS slot, in either order: the last one wins.
            var (first, second) = Pick(new[]
            {
                (("dl_vlan", "5"), ("vlan_tci", "0x2000/0xe000")),
                (("vlan_tci", "0x1005/0x1fff"), ("dl_vlan_pcp", "2")),
                (("vlan_vid", "0x1003"), ("vlan_pcp", "7")),
                (("dl_vlan_pcp", "4"), ("vlan_vid", "0x1007/0x1007")),
                (("reg2", "0x5"), ("xreg1", "0x7/0xffffffff")),
                (("xreg1", "0x7"), ("reg3", "0x9/0xff")),
                (("metadata", "0x1"), ("metadata", "0x2/0x2")),
            });
            Add(pairs, first.Item1, first.Item2);
            Add(pairs, second.Item1, second.Item2);
        }

        if ((ip || ipv6) && Chance(0.08))
        {
            Add(pairs, "nw_tos", Number(255));
            Add(pairs, Pick(new[] { "ip_dscp", "nw_ecn" }), Number(3));
        }

        if (Chance(0.05))
        {
            // A field the context does not allow: ovs-ofctl drops it ("normalization changed ofp_match").
            var (key, value) = Pick(new[] { ("tp_src", "1"), ("nw_src", "10.0.0.1"), ("ipv6_src", "::1"), ("arp_sha", "01:02:03:04:05:06"), ("icmp_type", "3"), ("nw_ttl", "9") });
            Add(pairs, key, value);
        }

        if (Chance(0.05) && pairs.Count > 0 && pairs[^1].Value is { } last)
        {
            // The same key again: the last setting wins.
            pairs.Add(new(pairs[^1].Key, last));
        }

        Shuffle(pairs);
        return pairs;
    }

    private static void Add(List<KeyValuePair<string, string?>> pairs, string key, string value) => pairs.Add(new(key, value));

    private bool Chance(double p) => _random.NextDouble() < p;

    private T Pick<T>(T[] items) => items[_random.Next(items.Length)];

    private string Number(ulong max)
    {
        ulong value = (ulong)_random.NextInt64() % (max + 1);
        if (_random.Next(8) == 0)
        {
            value = Math.Min(max, (ulong)_random.Next(3));
        }

        return _random.Next(3) == 0 ? $"0x{value:x}" : value.ToString(CultureInfo.InvariantCulture);
    }

    private string Port() => _random.Next(10) switch
    {
        0 => "LOCAL",
        1 => "CONTROLLER",
        2 => Pick(new[] { "65534", "65280", "IN_PORT", "NORMAL" }),
        _ => (_random.Next(1, 1000)).ToString(CultureInfo.InvariantCulture),
    };

    private string Mac()
    {
        Span<byte> bytes = stackalloc byte[6];
        _random.NextBytes(bytes);
        if (_random.Next(4) == 0)
        {
            bytes[0] = 0xfa;
            bytes[1] = 0x16;
            bytes[2] = 0x3e;
        }

        return string.Join(':', bytes.ToArray().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
    }

    private string MacMaybeMasked() => _random.Next(4) switch
    {
        0 => Mac() + "/" + Pick(new[] { "01:00:00:00:00:00", "ff:ff:ff:00:00:00", "fe:ff:ff:ff:ff:ff", "ff:ff:ff:ff:ff:ff" }),
        _ => Mac(),
    };

    private string Ipv4() => $"{_random.Next(256)}.{_random.Next(256)}.{_random.Next(256)}.{_random.Next(256)}";

    private string Ipv4MaybeMasked() => _random.Next(5) switch
    {
        0 => $"{Ipv4()}/{_random.Next(0, 33)}",
        1 => $"{Ipv4()}/{Pick(new[] { "255.255.255.0", "255.0.255.0", "255.255.255.255", "0.0.0.255" })}",
        _ => Ipv4(),
    };

    private string Ipv6()
    {
        return _random.Next(5) switch
        {
            0 => "::1",
            1 => $"fe80::{_random.Next(0x10000):x}",
            2 => $"2001:db8::{_random.Next(0x10000):x}:{_random.Next(0x10000):x}",
            3 => $"::ffff:{Ipv4()}",
            _ => string.Join(':', Enumerable.Range(0, 8).Select(_ => (_random.Next(4) == 0 ? 0 : _random.Next(0x10000)).ToString("x", CultureInfo.InvariantCulture))),
        };
    }

    private string Ipv6MaybeMasked() => _random.Next(4) switch
    {
        0 => $"{Ipv6()}/{_random.Next(0, 129)}",
        1 => $"{Ipv6()}/ffff:0:ffff::",
        _ => Ipv6(),
    };

    private string HexMaybeMasked(int bits)
    {
        ulong max = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        ulong value = (ulong)_random.NextInt64() & max;
        if (_random.Next(3) == 0)
        {
            value &= 0xffff;
        }

        if (_random.Next(3) != 0)
        {
            return _random.Next(2) == 0 ? $"0x{value:x}" : value.ToString(CultureInfo.InvariantCulture);
        }

        ulong mask = Pick(new[] { 0xffUL, 0xff00UL, 0xffff0000UL, 0x1UL, 0xf0f0f0f0UL, max }) & max;
        return $"0x{value:x}/0x{mask:x}";
    }

    private string PortMaybeMasked() => _random.Next(4) == 0 ? $"0x{_random.Next(0x10000):x}/0x{Pick(new[] { 0xff00, 0xfff0, 0xffff, 0x1 }):x}" : Number(0xffff);

    private void AddVlan(List<KeyValuePair<string, string?>> pairs)
    {
        switch (_random.Next(7))
        {
            case 0: Add(pairs, "dl_vlan", Number(4095)); break;
            case 1: Add(pairs, "dl_vlan", "0xffff"); break;
            case 2: Add(pairs, Pick(new[] { "dl_vlan_pcp", "vlan_pcp" }), Number(7)); break;
            case 3:
                Add(pairs, "dl_vlan", Number(4095));
                Add(pairs, "dl_vlan_pcp", Number(7));
                break;
            case 4: Add(pairs, "vlan_tci", Pick(new[] { "0x0000/0x1fff", "0x1000/0x1000", "0x1005/0x1fff", "0x3000/0xf000", "0x0000/0x1000", "0x1234", "0x0005/0x0fff" })); break;
            case 5: Add(pairs, "vlan_vid", Pick(new[] { "0x1005", "5", "0x1000/0x1000", "0x1fff", "0x0" })); break;
            default: Add(pairs, "dl_vlan", Number(4095)); break;
        }
    }

    private string CtState()
    {
        string[] flags = ["new", "est", "rel", "rpl", "inv", "trk", "snat", "dnat"];
        switch (_random.Next(4))
        {
            case 0:
                return "0x" + _random.Next(256).ToString("x", CultureInfo.InvariantCulture) + "/0x" + _random.Next(1, 256).ToString("x", CultureInfo.InvariantCulture);
            case 1:
                return string.Join('|', flags.Where(_ => Chance(0.3)).DefaultIfEmpty("trk"));
            default:
                var chosen = flags.Where(_ => Chance(0.3)).ToList();
                if (chosen.Count == 0)
                {
                    chosen.Add("trk");
                }

                return string.Concat(chosen.Select(f => (Chance(0.7) ? "+" : "-") + f));
        }
    }

    private void Shuffle(List<KeyValuePair<string, string?>> pairs)
    {
        // Any order: ovs-ofctl and MatchText.Parse see the same sequence, and both let the last setting win.
        for (int i = pairs.Count - 1; i > 0; i--)
        {
            int j = _random.Next(i + 1);
            (pairs[i], pairs[j]) = (pairs[j], pairs[i]);
        }
    }
}
