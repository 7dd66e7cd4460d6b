using System.Text;
using Dvr.OpenFlow.Match;
using Dvr.OpenFlow.Text;
using NUnit.Framework;

namespace Dvr.OpenFlow.Tests.Match;

/// <summary>
/// Field value notation (what set_field, load and move need): for each field, ParseValue then AppendValue and
/// SetFieldName must print what ovs-ofctl prints for <c>set_field:VALUE-&gt;NAME</c> (one parse-flows run).
/// </summary>
[TestFixture]
public class FieldFormatTests
{
    // (match needed for the set_field to be valid, field name as written, value as written)
    private static readonly (string Match, string Name, string Value)[] SetFields =
    [
        ("", "eth_src", "fa:16:3e:00:00:01"),
        ("", "dl_dst", "1:2:3:4:5:6"),
        ("", "tun_id", "0x5"),
        ("", "tunnel_id", "77"),
        ("", "tun_id", "0"),
        ("", "metadata", "0x1234567890"),
        ("", "reg0", "5"),
        ("", "reg15", "0xffffffff"),
        ("", "xreg1", "0x100000000"),
        ("", "xxreg2", "0x5"),
        ("", "pkt_mark", "3"),
        ("", "tun_src", "1.1.1.1"),
        ("", "tun_dst", "10.0.0.2"),
        ("", "tun_ipv6_src", "fe80::1"),
        ("", "tun_flags", "oam"),
        ("", "tun_gbp_id", "5"),
        ("", "tun_gbp_flags", "1"),
        ("", "in_port", "5"),
        ("", "in_port", "LOCAL"),
        ("", "vlan_tci", "0x1005"),
        ("ip", "ip_src", "10.0.0.1"),
        ("ip", "nw_dst", "10.0.0.2"),
        ("ip", "ip_dscp", "3"),
        ("ip", "nw_tos", "4"),
        ("ip", "ip_ecn", "1"),
        ("ip", "nw_ecn", "2"),
        ("ip", "nw_ttl", "64"),
        ("tcp", "tcp_src", "80"),
        ("tcp", "tp_dst", "443"),
        ("udp", "udp_src", "67"),
        ("sctp", "sctp_dst", "9"),
        ("icmp", "icmp_type", "8"),
        ("icmp", "icmp_code", "0x1"),
        ("arp", "arp_op", "2"),
        ("arp", "arp_spa", "10.0.0.1"),
        ("arp", "arp_tpa", "10.0.0.254"),
        ("arp", "arp_sha", "fa:16:3e:00:00:02"),
        ("arp", "arp_tha", "00:00:00:00:00:00"),
        ("ipv6", "ipv6_src", "2001:db8::1"),
        ("ipv6", "ipv6_dst", "::ffff:1.2.3.4"),
        ("ipv6", "ipv6_dst", "::1.2.3.4"),
        ("ipv6", "ipv6_dst", "1:0:0:1::"),
        ("ipv6", "ipv6_dst", "1:0:1:0:1:0:1:0"),
        ("ipv6", "ipv6_label", "0x12345"),
        ("icmp6", "icmpv6_type", "135"),
        ("icmp6", "icmpv6_code", "0"),
        ("icmp6,icmp_type=135", "nd_target", "fe80::1:2"),
        ("icmp6,icmp_type=135", "nd_sll", "fa:16:3e:00:00:03"),
        ("icmp6,icmp_type=136", "nd_tll", "fa:16:3e:00:00:04"),
        ("icmp6,icmp_type=135", "nd_reserved", "7"),
        ("icmp6,icmp_type=135", "nd_options_type", "1"),
        ("mpls", "mpls_label", "100"),
        ("mpls", "mpls_tc", "3"),
        ("mpls", "mpls_ttl", "9"),
    ];

    [Test]
    public void AppendValue_ParsedSetFieldValues_PrintAsOvs()
    {
        // Arrange
        var flows = SetFields.Select(s => $"{(s.Match.Length > 0 ? s.Match + " " : "")}actions=set_field:{s.Value}->{s.Name}").ToList();

        // Act
        var ovs = MatchOracle.ParseFlows(flows);

        // Assert
        var failures = new List<string>();
        for (int i = 0; i < SetFields.Count(); i++)
        {
            var (_, name, text) = SetFields[i];
            var field = OxmFields.FromName(name);
            if (field is null)
            {
                failures.Add($"{name}: FromName gives nothing");
                continue;
            }

            var (value, mask) = FieldFormat.ParseValue(field, text, PortNames.None);
            var ours = new StringBuilder("set_field:");
            FieldFormat.AppendValue(ours, field, value, mask, PortNames.None);
            ours.Append("->").Append(FieldFormat.SetFieldName(field));
            string printed = ovs[i].Printed;
            string expected = printed[(printed.IndexOf("actions=", StringComparison.Ordinal) + "actions=".Length)..];
            if (ours.ToString() != expected)
            {
                failures.Add($"{flows[i]}: ours '{ours}', ovs '{expected}'");
            }
        }

        Assert.That(failures, Is.Empty, string.Join("\n", failures));
    }

    [TestCase("reg0", "5/0xff", "0x5/0xff")]
    [TestCase("eth_dst", "01:00:00:00:00:00/01:00:00:00:00:00", "01:00:00:00:00:00/01:00:00:00:00:00")]
    [TestCase("nw_src", "10.1.2.3/255.255.0.0", "10.1.0.0/16")]
    [TestCase("nw_src", "10.1.2.3/255.0.255.0", "10.0.2.0/255.0.255.0")]
    [TestCase("ipv6_src", "fe80::1/64", "fe80::/64")]
    [TestCase("tcp_src", "0x50/0xfff0", "80/0xfff0")]
    [TestCase("ct_state", "+trk-inv", "-inv+trk")]
    [TestCase("tcp_flags", "+syn-ack", "+syn-ack")]
    [TestCase("ip_frag", "first", "first")]
    [TestCase("ip_frag", "not_later", "not_later")]
    [TestCase("reg1", "010", "0x8")]
    public void ParseValue_MaskedForms_FormatCanonically(string name, string text, string expected)
    {
        var field = OxmFields.FromName(name)!;

        var (value, mask) = FieldFormat.ParseValue(field, text, PortNames.None);
        var output = new StringBuilder();
        FieldFormat.AppendValue(output, field, value, mask, PortNames.None);

        Assert.That(output.ToString(), Is.EqualTo(expected));
    }

    [TestCase("eth_src", "fa:16:3e:00:00", "eth_src")]
    [TestCase("ip_src", "10.0.0.256", "ip_src")]
    [TestCase("ipv6_src", "fe80::1::2", "ipv6_src")]
    [TestCase("reg0", "0x100000000", "reg0")]
    [TestCase("reg0", "12abc", "reg0")]
    [TestCase("eth_type", "0x0800/0xff00", "eth_type")]
    [TestCase("ct_state", "+trk+bogus", "bogus")]
    [TestCase("ip_frag", "sometimes", "sometimes")]
    [TestCase("in_port", "70000", "70000")]
    [TestCase("in_port", "no-such-port", "no-such-port")]
    public void ParseValue_BadText_ThrowsNamingFieldOrValue(string name, string text, string mentioned)
    {
        var field = OxmFields.FromName(name)!;

        var error = Assert.Throws<TextParseException>(() => FieldFormat.ParseValue(field, text, PortNames.None));

        Assert.That(error!.Message, Does.Contain(mentioned));
    }

    [TestCase("eth_src", "eth_src")]
    [TestCase("dl_src", "eth_src")]
    [TestCase("tun_id", "tunnel_id")]
    [TestCase("tunnel_id", "tunnel_id")]
    [TestCase("reg3", "reg3")]
    [TestCase("xreg1", "xreg1")]
    [TestCase("ct_state", "ct_state")]
    [TestCase("ipv6_src", "ipv6_src")]
    [TestCase("nd_target", "ipv6_nd_target")]
    [TestCase("nw_src", "ipv4_src")]
    [TestCase("ip_src", "ipv4_src")]
    [TestCase("NXM_NX_REG0", "reg0")]
    [TestCase("NXM_OF_ETH_SRC", "eth_src")]
    [TestCase("OXM_OF_IN_PORT", "in_port")]
    [TestCase("NXM_NX_TUN_ID", "tunnel_id")]
    public void FromName_OvsSpellings_FindField(string name, string canonical)
    {
        Assert.That(OxmFields.FromName(name)?.Name, Is.EqualTo(canonical));
    }

    [Test]
    public void FromName_UnknownName_IsNull()
    {
        Assert.That(OxmFields.FromName("no_such_field"), Is.Null);
    }

    [Test]
    public void FromHeader_EveryField_RoundTrips()
    {
        foreach (var field in OxmFields.All)
        {
            Assert.That(OxmFields.FromHeader(field.Header, field.Experimenter), Is.SameAs(field), field.Name);
            Assert.That(OxmFields.FromHeader(field.Header | 0x100, field.Experimenter), Is.SameAs(field), field.Name);
        }
    }
}
