using System.Buffers.Binary;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Match;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;
using NUnit.Framework;
using M = Dvr.OpenFlow.Match.Match;

namespace Dvr.OpenFlow.Tests.Match;

/// <summary>
/// Malformed and unusual OXM matches, each checked against ovs-ofctl 3.1 (one <c>ofp-parse</c> run over all of
/// them wrapped in FLOW_MODs): where OVS reports a decode error, our strict decode must fail with the same
/// OFPBMC code; where OVS accepts, our decode must print the same match.
/// </summary>
[TestFixture]
public class MatchDecodeTests
{
    private static readonly (string Name, string Oxm)[] Cases =
    [
        ("dup eth_type", "80000a02080080000a020800"),
        ("dup vlan_vid", "80000c02100580000c021006"),
        ("dup reg0 (NXM)", "000100040000000100010004 00000002"),
        ("xreg0 then reg1 overlap", "8001000800000000000000050001020400000001"),
        ("dup eth_src via NXM mirror", "80000806010203040506 00000406010203040506"),
        ("ipv4_src alone", "8000160401020304"),
        ("ipv4_src before eth_type", "800016040102030480000a020800"),
        ("tcp_src without ip_proto", "80000a02080080001a020050"),
        ("vlan_pcp without vlan_vid", "80000e0103"),
        ("vlan_pcp with OFPVID_NONE", "80000c02000080000e0103"),
        ("vlan_pcp after present vid", "80000d041000100080000e0103"),
        ("nd_target with type 1", "80000a0286dd800014013a80003a0101 80003e10fe800000000000000000000000000001"),
        ("nd_sll with type 136", "80000a0286dd800014013a80003a0188 800040060102030405 06"),
        ("nd_target with code 1", "80000a0286dd800014013a80003a0187 80003c0101 80003e10fe800000000000000000000000000001"),
        ("arp_op with ip", "80000a020800 80002a020001"),
        ("arp_op with rarp", "80000a028035 80002a020003"),
        ("ct_nw_src without ct_state", "80000a0208000001f00401010101"),
        ("ct_nw_src with +trk only", "80000a0208000001d30800000020000000200001f00401010101"),
        ("ct_nw_src with +trk-inv", "80000a0208000001d30800000020000000300001f00401010101"),
        ("mpls_label with ip", "80000a020800 8000440400000005"),
        ("tcp_src on a later fragment", "80000a0208000001340103800014010680001a020050"),
        ("icmp_type on a later fragment", "80000a020800000134010380001401018000260103"),
        ("icmpv4_type with ipv6", "80000a0286dd800014013a8000260103"),
        ("ipv4_src with length 3", "80000a020800800016 03010203"),
        ("eth_type with length 3", "80000a0308000080000a020800"),
        ("truncated TLV", "80000a020800800016040102"),
        ("unknown OXM basic field 50", "8000640400000000"),
        ("in_phy_port", "80000004000000018000020400000001"),
        ("pbb_isid", "80000a0288e78000480300000580"),
        ("ipv6_exthdr", "80000a0286dd80004e020001"),
        ("unknown NXM1 field 126", "0001fc0400000000"),
        ("unknown experimenter field", "ffff0a0812345678 00000001"),
        ("eth_type masked", "80000b040800ff00"),
        ("eth_type masked with all ones", "80000b040800ffff"),
        ("ip_proto masked", "80000a0208008000150206ff"),
        ("in_port masked", "800001080000000100000fff"),
        ("vlan_vid 0x2001", "80000c022001"),
        ("vlan_vid masked 0x1fff", "80000d04100f1fff"),
        ("vlan_vid 0x1000/0x1000", "80000d0410001000"),
        ("ip_dscp 0x40", "80000a0208008000100140"),
        ("ip_ecn 4", "80000a0208008000120104"),
        ("mpls_label 0x100000", "80000a0288478000440400100000"),
        ("mpls_tc 8", "80000a0288478000460108"),
        ("in_port 0x10000", "8000000400010000"),
        ("in_port 0xffffff00", "80000004ffffff00"),
        ("arp_op 0x100", "80000a02080680002a020100"),
        ("ct_state 0x100", "0001d20400000100"),
        ("ct_state exact 0x21", "0001d20400000021"),
        ("tun_flags exact", "0001d0020001"),
        ("ipv6_label 0x100000", "80000a0286dd8000380400100000"),
        ("tcp_flags 0x1000", "80000a020800 8000140106 ffff54064f4e4600 1000"),
        ("ip_frag value 4", "80000a02080000013401 04"),
        ("value outside mask", "80000a0208008000170801020304ffffff00"),
        ("zero mask", "80000a0208008000170800000000 00000000"),
        ("NXM_OF_ETH_SRC", "00000406010203040506"),
        ("NXM_OF_IP_TOS", "80000a020800 00000a0110"),
        ("NXM_OF_VLAN_TCI", "0000080210 05"),
        ("NXM_OF_VLAN_TCI masked pcp", "0000090460000000e000"),
        ("xreg1", "8001020800000000 00000007"),
        ("xxreg0", "0001de10 00000000000000000000000000000005"),
        ("tcp_flags NXM", "80000a020800 8000140106 00014402 0012"),
        ("actset_output", "ffff56084f4e460000000005"),
        ("packet_type ethernet", "8000580400000000"),
        ("packet_type ethernet with ip", "800058040000000080000a020800"),
        ("recirc_id with eth_src", "000148040000000380000806010203040506"),
        ("ct_state +trk+est", "0001d30800000022000000220001d4020005"),
        ("nd_reserved and options type", "80000a0286dd800014013a80003a0187 100002040000000110000401 02"),

        // The decoder's in-order fast path handing over to the general one part-way (Match.DecodeOxm).
        ("in order, then in_port again", "8000000400000001 80000606fa163e000002 8000000400000002"),
        ("in order, then eth_src again", "8000000400000001 80000806fa163e000001 80000a020800 80000806fa163e000003"),
        ("eth_dst before in_port", "80000606fa163e000002 8000000400000001"),
        ("reg0 before eth_type and ipv4_src", "0001000400000005 80000a020800 800016040a000001"),
        ("in order, then xreg0 and reg1", "8000000400000001 80000a020800 8001000800000001 00000002 0001020400000003"),
        ("in order, then packet_type", "8000000400000001 8000580400000000"),
        ("in order with an exact-mask eth_dst", "8000000400000001 8000070cfa163e000002ffffffffffff 80000a020800"),
        ("in order with a zero-mask eth_dst", "8000000400000001 8000070c000000000000000000000000 80000806fa163e000001"),
        ("in order with a masked vlan_vid covering 13 bits", "8000000400000001 80000d0410051fff 80000a020800"),
        ("in order, ipv4_src without eth_type", "8000000400000001 80000806fa163e000001 800016040a000001"),
    ];

    private static byte[] FlowMod(byte[] oxm)
    {
        int matchLength = 4 + oxm.Length;
        int padded = SpanWriter.Align(matchLength, 8);
        var message = new byte[48 + padded];
        // ofp_header, cookie, cookie_mask, table_id 0, ADD, idle 0, hard 0, priority 0x8000,
        // buffer_id/out_port/out_group "none", flags 0, pad (OpenFlow 1.3.5 §A.3.4.1).
        var header = Convert.FromHexString(
            "040e000000000001" + "0000000000000000" + "0000000000000000" + "0000" + "00000000" + "8000" + "ffffffff" + "ffffffff" + "ffffffff" + "00000000");
        header.CopyTo(message, 0);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)message.Length);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(48), M.TypeOxm);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(50), (ushort)matchLength);
        oxm.CopyTo(message, 52);
        return message;
    }

    private static byte[] Oxm(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    private static M DecodeMatch(byte[] flowMod, DecodeMode mode)
    {
        var reader = new SpanReader(flowMod.AsSpan(48));
        return M.Decode(ref reader, mode);
    }

    [Test]
    public void Decode_MalformedAndUnusualMatches_AgreeWithOvs()
    {
        // Arrange
        var messages = Cases.Select(c => FlowMod(Oxm(c.Oxm))).ToList();

        // Act
        var ovs = MatchOracle.OfpParse(messages);

        // Assert
        var failures = new List<string>();
        for (int i = 0; i < Cases.Length; i++)
        {
            string expected = ovs[i];
            string ours;
            try
            {
                var match = DecodeMatch(messages[i], DecodeMode.Strict);
                ours = $"ADD {MatchText.ToText(match, PortNames.None)}".TrimEnd() + " actions=drop";
            }
            catch (OpenFlowException e)
            {
                ours = $"***decode error: {e.Error}***";
            }

            string ovsPart = expected[(expected.IndexOf("): ", StringComparison.Ordinal) + 3)..];
            if (ovsPart != ours)
            {
                failures.Add($"{Cases[i].Name}: ours '{ours}', ovs '{ovsPart}'");
            }
        }

        Assert.That(failures, Is.Empty, string.Join("\n", failures));
    }

    [Test]
    public void Decode_UnknownFieldLoose_SkipsIt()
    {
        var flowMod = FlowMod(Oxm("80000a020800 8000640400000000 8000180401020304"));

        var match = DecodeMatch(flowMod, DecodeMode.Loose);

        Assert.That(MatchText.ToText(match, PortNames.None), Is.EqualTo("ip,nw_dst=1.2.3.4"));
    }

    [Test]
    public void Decode_UnknownFieldStrict_IsBadField()
    {
        var flowMod = FlowMod(Oxm("80000a020800 8000640400000000"));

        var error = Assert.Throws<OpenFlowException>(() => DecodeMatch(flowMod, DecodeMode.Strict));

        Assert.That(error!.Error, Is.EqualTo(OfpError.BadField));
    }

    [Test]
    public void Decode_WrongLengthKnownFieldLoose_SkipsItAsOvsDoes()
    {
        var flowMod = FlowMod(Oxm("80000a020800 80001603010203"));

        var match = DecodeMatch(flowMod, DecodeMode.Loose);

        Assert.That(MatchText.ToText(match, PortNames.None), Is.EqualTo("ip"));
    }

    [Test]
    public void Decode_MatchTypeNotOxm_IsBadType()
    {
        var flowMod = FlowMod(Oxm("80000a020800"));
        flowMod[49] = 0;

        var error = Assert.Throws<OpenFlowException>(() => DecodeMatch(flowMod, DecodeMode.Strict));

        Assert.That(error!.Error, Is.EqualTo(OfpError.BadMatchType));
    }

    [Test]
    public void Decode_MatchLengthBelowHeader_IsBadLen()
    {
        var flowMod = FlowMod(Oxm("80000a020800"));
        flowMod[51] = 3;

        var error = Assert.Throws<OpenFlowException>(() => DecodeMatch(flowMod, DecodeMode.Strict));

        Assert.That(error!.Error, Is.EqualTo(OfpError.BadMatchLen));
    }

    [Test]
    public void Build_DuplicateField_IsDupField()
    {
        var builder = new MatchBuilder().EthType(0x0800);

        var error = Assert.Throws<OpenFlowException>(() => builder.EthType(0x0806));

        Assert.That(error!.Error, Is.EqualTo(OfpError.DupField));
    }

    [Test]
    public void Build_MissingPrerequisite_IsBadPrereq()
    {
        var builder = new MatchBuilder().Exact(OxmFields.Ipv4Src, 0x01020304);

        var error = Assert.Throws<OpenFlowException>(() => builder.Build());

        Assert.That(error!.Error, Is.EqualTo(OfpError.BadPrereq));
    }

    [Test]
    public void Build_VlanVidOutOfRange_IsBadValue()
    {
        var error = Assert.Throws<OpenFlowException>(() => new MatchBuilder().Exact(OxmFields.VlanVid, 0x2001));

        Assert.That(error!.Error, Is.EqualTo(OfpError.BadValue));
    }

    [Test]
    public void Build_XregAndOverlappingReg_IsDupField()
    {
        var builder = new MatchBuilder().Exact(OxmFields.Xreg0, 5);

        var error = Assert.Throws<OpenFlowException>(() => builder.Exact(OxmFields.Reg1, 1));

        Assert.That(error!.Error, Is.EqualTo(OfpError.DupField));
    }

    [Test]
    public void Build_EntriesInAnyOrder_EncodeInOvsOrder()
    {
        var built = new MatchBuilder()
            .Exact(OxmFields.Reg0, 1)
            .Exact(OxmFields.Ipv4Dst, 0x0a000001)
            .Exact(OxmFields.EthType, 0x0800)
            .Exact(OxmFields.InPort, 3)
            .Build();

        Assert.That(built.Entries.Select(e => e.Field.Name), Is.EqualTo(new[] { "in_port", "eth_type", "ipv4_dst", "reg0" }));
    }
}
