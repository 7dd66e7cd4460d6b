using System.Text;
using Dvr.OpenFlow.Match;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;
using NUnit.Framework;
using M = Dvr.OpenFlow.Match.Match;

namespace Dvr.OpenFlow.Tests.Match;

/// <summary>
/// Differential tests against ovs-ofctl 3.1: hand-picked and generated match strings go through one
/// <c>parse-flows</c> run; for each, our Parse → Encode must equal OVS's match bytes, our Format of the decoded
/// bytes must equal OVS's printed text, and Decode → Encode must give the same bytes back.
/// </summary>
[TestFixture]
public class MatchDifferentialTests
{
    /// <summary>Offset of struct ofp_match in an OpenFlow 1.3 FLOW_MOD (OpenFlow 1.3.5 §A.3.4.1).</summary>
    private const int FlowModMatchOffset = 48;

    private const int GeneratedCount = 3000;

    private static readonly string[] HandPicked =
    [
        "",
        "in_port=1",
        "in_port=LOCAL",
        "in_port=CONTROLLER",
        "in_port=65280",
        "dl_vlan=5,dl_src=fa:16:3e:00:00:01",
        "dl_vlan=0xffff",
        "vlan_tci=0x0000/0x1fff",
        "vlan_tci=0x1000/0x1000",
        "dl_vlan_pcp=3",
        "dl_vlan=5,dl_vlan_pcp=3",
        "vlan_tci=0x1005/0x1fff",
        "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00",
        "arp,arp_op=1,nw_src=10.0.0.1",
        "arp,arp_spa=10.0.0.0/24,arp_tpa=10.0.0.1,arp_sha=fa:16:3e:00:00:01,arp_tha=00:00:00:00:00:00",
        "rarp,arp_op=3",
        "ip,nw_dst=10.0.0.0/24",
        "ip,nw_src=10.1.1.1/255.0.255.0",
        "tcp,tp_dst=80",
        "tcp,tcp_flags=+syn-ack",
        "udp,udp_src=67,udp_dst=68",
        "icmp,icmp_type=8,icmp_code=0",
        "ipv6,ipv6_src=fe80::/64",
        "icmp6,icmp_type=135,nd_target=fe80::1",
        "icmp6,icmp_type=136,nd_target=fe80::1,nd_tll=fa:16:3e:00:00:01",
        "icmp6,icmp_type=135,nd_sll=fa:16:3e:00:00:01,nd_reserved=1,nd_options_type=2",
        "tun_id=0x5",
        "tun_id=0x5/0xff,tun_flags=+oam",
        "tun_src=1.1.1.1,tun_dst=2.2.2.0/24",
        "reg0=5/0xff",
        "reg0=0x5/0xf0",
        "reg15=1",
        "xreg1=7",
        "xreg0=5/0xff",
        "xxreg1=5",
        "ct_state=+trk+est",
        "ct_state=-trk",
        "ct_state=0",
        "ct_state=trk|est",
        "ct_state=0x21/0xff",
        "ct_zone=5,ct_mark=0x1/0xff,ct_label=0x1",
        "ip,ct_state=+trk-inv,ct_nw_src=1.1.1.1",
        "ip,ct_state=+trk+est,ct_nw_proto=6,ct_tp_src=5",
        "pkt_mark=3,tcp",
        "dp_hash=5,tcp",
        "recirc_id=3,tcp",
        "recirc_id=3,in_port=1",
        "conj_id=3,ip",
        "metadata=0x10",
        "ip,nw_tos=4,nw_ecn=1,nw_ttl=4,ip_frag=first",
        "ipv6,nw_tos=8,nw_ecn=2,nw_ttl=3,ip_frag=later",
        "ipv6,ipv6_label=5",
        "mpls,mpls_label=5,mpls_tc=1,mpls_bos=1,mpls_ttl=3",
        "mplsm,mpls_label=3",
        "dl_type=0x1234",
        "dl_type=0x0800/0xffff",
        "ip,tp_src=80",
        "nw_src=1.2.3.4",
        "tcp,udp",
        "ip,arp_spa=2.2.2.2",
        "arp,arp_op=256",
        "dl_vlan=5000",
        "ip,ip_dscp=64",
        "reg0=010",
        "actset_output=5",

        // Neutron DVR idioms (see /work/shared/reference/neutron-dvr-flows.md), port names as numbers.
        "dl_dst=00:00:00:00:00:00/01:00:00:00:00:00",
        "arp,dl_dst=ff:ff:ff:ff:ff:ff",
        "arp,dl_vlan=1,arp_tpa=10.0.1.2",
        "vlan_tci=0x0002/0x0fff,dl_dst=fa:16:3e:00:02:77",
        "icmp6,in_port=5,icmp_type=136,nd_target=fe80::f816:3eff:fe00:110",
        "arp,in_port=5,arp_spa=10.0.1.10",
        "in_port=2,dl_src=fa:16:3f:22:22:22",
        "dl_vlan=101,dl_dst=fa:16:3e:00:01:10",
        "tun_id=0x3e9",
        "tun_ipv6_src=::1,tun_ipv6_dst=::ffff:1.2.3.4",
        "tun_gbp_id=5,tun_gbp_flags=1",
        "pkt_mark=5,recirc_id=1,dp_hash=0x5/0xf,conj_id=8,ct_state=+new+trk,ct_zone=2,ct_mark=3,ct_label=4,eth,tcp,reg0=0x5/0xff,reg2=0,reg3=0x7,reg15=0x1,tun_id=0x5,tun_src=1.1.1.1,tun_dst=2.2.2.2,metadata=0x10,in_port=1,dl_vlan=5,dl_vlan_pcp=3,dl_src=fa:16:3e:00:00:01,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,nw_src=10.0.0.0/8,nw_dst=10.1.2.3,nw_tos=4,nw_ecn=1,nw_ttl=4,nw_frag=first,tp_src=80,tp_dst=0x100/0xff00,tcp_flags=+syn-ack",
    ];

    private sealed record Case(int Index, List<KeyValuePair<string, string?>> Pairs, string Flow);

    private List<Case> _cases = [];
    private IReadOnlyList<OracleFlow> _oracle = [];

    [OneTimeSetUp]
    public void RunOracle()
    {
        // A fixed seed keeps runs reproducible; DVR_MATCH_SEED explores other ones.
        int seed = int.TryParse(Environment.GetEnvironmentVariable("DVR_MATCH_SEED"), out int s) ? s : 20261123;
        var generator = new MatchGenerator(seed);
        var matches = HandPicked.Select(SplitMatch).ToList();
        for (int i = 0; i < GeneratedCount; i++)
        {
            matches.Add(generator.Next());
        }

        _cases = matches.Select((pairs, i) =>
        {
            // Every other flow at the default priority (32768), which match_format leaves out.
            int priority = i % 2 == 0 ? 32768 : (i * 7919) % 65536;
            string text = string.Join(',', pairs.Select(p => p.Value is null ? p.Key : $"{p.Key}={p.Value}"));
            string flow = $"table=0,priority={priority}{(text.Length > 0 ? "," + text : "")} actions=drop";
            return new Case(priority, pairs, flow);
        }).ToList();
        _oracle = MatchOracle.ParseFlows([.. _cases.Select(c => c.Flow)]);
    }

    private static List<KeyValuePair<string, string?>> SplitMatch(string text) =>
        text.Length == 0
            ? []
            : [.. text.Split(',').Select(part =>
            {
                int eq = part.IndexOf('=', StringComparison.Ordinal);
                return eq < 0 ? new KeyValuePair<string, string?>(part, null) : new(part[..eq], part[(eq + 1)..]);
            })];

    private static byte[] OvsMatchBytes(byte[] flowMod)
    {
        int length = (flowMod[FlowModMatchOffset + 2] << 8) | flowMod[FlowModMatchOffset + 3];
        return flowMod.AsSpan(FlowModMatchOffset, SpanWriter.Align(length, 8)).ToArray();
    }

    private static string OvsMatchText(string printed)
    {
        // "OFPT_FLOW_MOD (OF1.3) (xid=0x1): ADD <match> actions=drop"
        int add = printed.IndexOf(": ADD ", StringComparison.Ordinal);
        int actions = printed.LastIndexOf("actions=", StringComparison.Ordinal);
        if (add < 0 || actions < add)
        {
            throw new InvalidOperationException($"ovs-ofctl printed no flow: {printed}");
        }

        return printed[(add + ": ADD ".Length)..actions].TrimEnd();
    }

    private static byte[] Encode(M match)
    {
        var buffer = new byte[match.EncodedLength];
        var writer = new SpanWriter(buffer);
        match.Encode(ref writer);
        return buffer;
    }

    private static M Decode(byte[] bytes, DecodeMode mode = DecodeMode.Strict)
    {
        var reader = new SpanReader(bytes);
        return M.Decode(ref reader, mode);
    }

    private void AssertAll(Func<Case, OracleFlow, string?> check)
    {
        var failures = new List<string>();
        for (int i = 0; i < _cases.Count; i++)
        {
            string? failure;
            try
            {
                failure = check(_cases[i], _oracle[i]);
            }
            catch (Exception e) when (e is TextParseException or Errors.OpenFlowException or InvalidOperationException)
            {
                failure = $"{e.GetType().Name}: {e.Message}";
            }

            if (failure is not null)
            {
                failures.Add($"{_cases[i].Flow}\n    {failure}");
            }
        }

        Assert.That(failures, Is.Empty, $"{failures.Count} of {_cases.Count} differ, first ones:\n" + string.Join("\n", failures.Take(15)));
    }

    [Test]
    public void Parse_GeneratedAndHandPickedMatches_EncodesToOvsBytes()
    {
        AssertAll((c, ovs) =>
        {
            var ours = Encode(MatchText.Parse(c.Pairs, PortNames.None));
            var expected = OvsMatchBytes(ovs.Message);
            return ours.AsSpan().SequenceEqual(expected) ? null : $"ours {Convert.ToHexStringLower(ours)}\n    ovs  {Convert.ToHexStringLower(expected)}";
        });
    }

    [Test]
    public void Format_DecodedOvsBytes_EqualsOvsText()
    {
        AssertAll((c, ovs) =>
        {
            if (DecodeError(ovs.Printed) is { } ovsError)
            {
                // ovs-ofctl encodes some flows it then refuses to decode (L4 fields on a later fragment).
                try
                {
                    Decode(OvsMatchBytes(ovs.Message));
                    return $"ovs-ofctl fails to decode with {ovsError}, we decode";
                }
                catch (Errors.OpenFlowException e)
                {
                    return e.Error.ToString() == ovsError ? null : $"ovs-ofctl fails with {ovsError}, we with {e.Error}";
                }
            }

            var match = Decode(OvsMatchBytes(ovs.Message));
            var text = new StringBuilder();
            MatchText.Format(text, match, PortNames.None, c.Index);
            string expected = OvsMatchText(ovs.Printed);
            return text.ToString() == expected ? null : $"ours '{text}'\n    ovs  '{expected}'";
        });
    }

    private static string? DecodeError(string printed)
    {
        const string marker = "***decode error: ";
        int at = printed.IndexOf(marker, StringComparison.Ordinal);
        return at < 0 ? null : printed[(at + marker.Length)..].TrimEnd('*');
    }

    [Test]
    public void Decode_OvsBytes_ReencodesToSameBytes()
    {
        AssertAll((_, ovs) =>
        {
            if (DecodeError(ovs.Printed) is not null)
            {
                return null;
            }

            var expected = OvsMatchBytes(ovs.Message);
            var again = Encode(Decode(expected));
            return again.AsSpan().SequenceEqual(expected) ? null : $"re-encoded {Convert.ToHexStringLower(again)}\n    ovs        {Convert.ToHexStringLower(expected)}";
        });
    }

    [Test]
    public void Parse_GeneratedMatches_EqualsDecodedOvsMatch()
    {
        AssertAll((c, ovs) =>
        {
            if (DecodeError(ovs.Printed) is not null)
            {
                return null;
            }

            var parsed = MatchText.Parse(c.Pairs, PortNames.None);
            var decoded = Decode(OvsMatchBytes(ovs.Message));
            return parsed.Equals(decoded) ? null : "parsed match differs from the decoded OVS match";
        });
    }

    [Test]
    public void Parse_FormattedText_RoundTrips()
    {
        // Our printed text parses back to the same match (as ovs-ofctl's own output does).
        AssertAll((_, ovs) =>
        {
            if (DecodeError(ovs.Printed) is not null)
            {
                return null;
            }

            var decoded = Decode(OvsMatchBytes(ovs.Message));
            string text = MatchText.ToText(decoded, PortNames.None);
            var again = MatchText.Parse(SplitMatch(text), PortNames.None);

            // match_format never prints a default packet_type, so it cannot come back from the text.
            static IEnumerable<OxmEntry> Visible(M m) => m.Entries.Where(e => !ReferenceEquals(e.Field, OxmFields.PacketType));
            return Visible(again).SequenceEqual(Visible(decoded)) ? null : $"'{text}' parses to a different match";
        });
    }
}
