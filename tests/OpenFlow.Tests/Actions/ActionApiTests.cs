using System.Collections.Immutable;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Match;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;
using NUnit.Framework;

namespace Dvr.OpenFlow.Tests.Actions;

/// <summary>
/// The typed API the flow compiler uses: actions built in code must equal what the text parser produces for the
/// same ovs-ofctl string (whose bytes the differential tests check against OVS), and errors must name the input.
/// </summary>
[TestFixture]
public class ActionApiTests
{
    private static NxmSubfield Field(string name) => NxmSubfield.Parse(name);

    [Test]
    public void Build_DvrLearnFromTunnel_EqualsParsedOvsText()
    {
        // Arrange: br-tun table 10 (LEARN_FROM_TUN) as Neutron writes it.
        const string text = "learn(table=20,hard_timeout=300,priority=1,cookie=0x1234,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],output:OXM_OF_IN_PORT[]),output:1";
        var learn = new LearnAction
        {
            TableId = 20,
            HardTimeout = 300,
            Priority = 1,
            Cookie = 0x1234,
            Specs =
            [
                new LearnSpec(LearnSpecKind.Match, 12, Field("NXM_OF_VLAN_TCI[0..11]"), 0, Field("NXM_OF_VLAN_TCI[0..11]")),
                new LearnSpec(LearnSpecKind.Match, 48, Field("NXM_OF_ETH_SRC[]"), 0, Field("NXM_OF_ETH_DST[]")),
                new LearnSpec(LearnSpecKind.Load, 16, null, 0, Field("NXM_OF_VLAN_TCI[]")),
                new LearnSpec(LearnSpecKind.Load, 64, Field("NXM_NX_TUN_ID[]"), 0, Field("NXM_NX_TUN_ID[]")),
                new LearnSpec(LearnSpecKind.Output, 32, Field("OXM_OF_IN_PORT[]"), 0, null),
            ],
        };
        var built = new InstructionList(new ApplyActionsInstruction(new ActionList(learn, new OutputAction(1))));

        // Act
        var parsed = ActionText.ParseInstructions(text, PortNames.None);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(built, Is.EqualTo(parsed));
            Assert.That(ActionDifferentialTests.Encode(built), Is.EqualTo(ActionDifferentialTests.Encode(parsed)));
            Assert.That(ActionDifferentialTests.Format(built), Is.EqualTo(text));
        });
    }

    [Test]
    public void Build_DvrArpResponder_EqualsParsedOvsText()
    {
        // Arrange: br-tun ARP_RESPONDER (table 21) for 10.0.0.1 at fa:16:3e:00:00:01.
        const string text = "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],set_field:fa:16:3e:00:00:01->eth_src,load:0x2->NXM_OF_ARP_OP[],move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],load:0xfa163e000001->NXM_NX_ARP_SHA[],load:0xa000001->NXM_OF_ARP_SPA[],IN_PORT";
        var built = new ActionList(
            new RegMoveAction(Field("NXM_OF_ETH_SRC[]"), Field("NXM_OF_ETH_DST[]")),
            new SetFieldAction(OxmFields.EthSrc, 0xfa163e000001),
            new RegLoadAction(Field("NXM_OF_ARP_OP[]"), 2),
            new RegMoveAction(Field("NXM_NX_ARP_SHA[]"), Field("NXM_NX_ARP_THA[]")),
            new RegMoveAction(Field("NXM_OF_ARP_SPA[]"), Field("NXM_OF_ARP_TPA[]")),
            new RegLoadAction(Field("NXM_NX_ARP_SHA[]"), 0xfa163e000001),
            new RegLoadAction(Field("NXM_OF_ARP_SPA[]"), 0x0a000001),
            new OutputAction(OfpPort.InPort));

        // Act
        var parsed = ActionText.ParseActions(text, PortNames.None);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(built, Is.EqualTo(parsed));
            Assert.That(built.ToString(), Is.EqualTo(text));
        });
    }

    [Test]
    public void Build_VlanTranslationWithGoto_EqualsParsedOvsText()
    {
        // Arrange
        const string text = "push_vlan:0x8100,set_field:4101->vlan_vid,NORMAL,write_metadata:0x1/0xff,goto_table:9";
        var built = new InstructionList(
            new ApplyActionsInstruction(new ActionList(new PushVlanAction(), new SetFieldAction(OxmFields.VlanVid, 0x1005), new OutputAction(OfpPort.Normal))),
            new WriteMetadataInstruction(1, 0xff),
            new GotoTableInstruction(9));

        // Act
        var parsed = ActionText.ParseInstructions(text, PortNames.None);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(built, Is.EqualTo(parsed));
            Assert.That(ActionDifferentialTests.Format(built), Is.EqualTo(text));
        });
    }

    [Test]
    public void Format_EmptyInstructions_PrintsDrop()
    {
        Assert.That(ActionDifferentialTests.Format(InstructionList.Drop), Is.EqualTo("drop"));
    }

    [Test]
    public void Format_OutputWithPortNames_PrintsTheName()
    {
        // Arrange
        var names = new PortNames(new Dictionary<uint, string> { [3] = "patch-tun", [4] = "tap1" });

        // Act
        var text = new System.Text.StringBuilder();
        new ActionList(new OutputAction(3), new OutputAction(4), new ResubmitAction(4, 2)).Format(text, names);

        // Assert: names made only of letters, digits and '_' print bare, others quoted (ofputil_port_to_string).
        Assert.That(text.ToString(), Is.EqualTo("output:\"patch-tun\",output:tap1,resubmit(tap1,2)"));
    }

    [Test]
    public void Parse_PortName_ResolvesThroughPortNames()
    {
        var names = new PortNames(new Dictionary<uint, string> { [7] = "tap1" });
        Assert.That(ActionText.ParseActions("output:tap1,tap1", names), Is.EqualTo(new ActionList(new OutputAction(7), new OutputAction(7))));
    }

    [TestCase("bogus_action", "bogus_action")]
    [TestCase("output:1,frobnicate:3", "frobnicate")]
    [TestCase("move:NXM_NX_NOPE[]->NXM_NX_REG0[]", "NXM_NX_NOPE")]
    [TestCase("set_field:1->nosuchfield", "nosuchfield")]
    [TestCase("set_field:zz:zz->eth_src", "zz:zz")]
    [TestCase("load:0x10->NXM_NX_REG0[0..3]", "0x10")]
    [TestCase("learn(table=1,bogus=2)", "bogus")]
    [TestCase("group:x", "x")]
    [TestCase("set_field:5->vlan_vid", "vlan_vid")]
    public void Parse_BadToken_ThrowsTextParseExceptionNamingIt(string text, string token)
    {
        var error = Assert.Throws<TextParseException>(() => ActionText.ParseInstructions(text, PortNames.None));
        Assert.That(error!.Message, Does.Contain(token));
    }

    private static OfpError DecodeError(string hex, bool instructions = false)
    {
        var bytes = Convert.FromHexString(hex);
        var error = Assert.Throws<OpenFlowException>(() =>
        {
            var reader = new SpanReader(bytes);
            if (instructions)
            {
                InstructionCodec.DecodeList(ref reader, DecodeMode.Strict);
            }
            else
            {
                ActionCodec.DecodeList(ref reader, DecodeMode.Strict);
            }
        });
        return error!.Error;
    }

    [Test]
    public void Decode_UnknownActionType_IsBadType() => Assert.That(DecodeError("0063000800000000"), Is.EqualTo(OfpError.BadActionType));

    [Test]
    public void Decode_UnknownExperimenter_IsBadVendor() => Assert.That(DecodeError("ffff0010000012340000000000000000"), Is.EqualTo(OfpError.BadActionExperimenter));

    [Test]
    public void Decode_UnknownNiciraSubtype_IsBadVendorType() => Assert.That(DecodeError("ffff001000002320 00ff000000000000".Replace(" ", string.Empty, StringComparison.Ordinal)), Is.EqualTo(OfpError.BadActionExperimenterType));

    [Test]
    public void Decode_OutputOfWrongLength_IsBadLen() => Assert.That(DecodeError("0000000800000001"), Is.EqualTo(OfpError.BadActionLen));

    [Test]
    public void Decode_OutputToAny_IsBadOutPort() => Assert.That(DecodeError("00000010ffffffff0000000000000000"), Is.EqualTo(OfpError.BadOutPort));

    [Test]
    public void Decode_SetFieldOfUnknownField_IsBadSetLen() => Assert.That(DecodeError("001900108000ff06fa163f0000010000"), Is.EqualTo(OfpError.BadSetLen));

    [Test]
    public void Decode_SetFieldWithMask_IsBadSetMask() => Assert.That(DecodeError("001900188000090cfa163f000001ffffffffffff00000000"), Is.EqualTo(ActionErrors.BadSetMask));

    [Test]
    public void Decode_DuplicateInstruction_IsOnfDupInst() =>
        Assert.That(DecodeError("00010008010000000001000802000000", instructions: true), Is.EqualTo(InstructionCodec.DuplicateInstruction));

    [Test]
    public void Decode_ExperimenterInstruction_IsBadExperimenter() =>
        Assert.That(DecodeError("ffff000800000000", instructions: true), Is.EqualTo(OfpError.BadInstructionExperimenter));

    [Test]
    public void Decode_InstructionsInAnyOrder_ComeBackInOvsOrder()
    {
        // Arrange: goto_table before apply_actions on the wire.
        var bytes = Convert.FromHexString("000100080300000000040018000000000000001000000001" + "0000000000000000");
        var reader = new SpanReader(bytes);

        // Act
        var list = InstructionCodec.DecodeList(ref reader, DecodeMode.Strict);

        // Assert
        Assert.That(list.Instructions.Select(i => i.InstructionType), Is.EqualTo(ImmutableArray.Create(OfpInstructionType.ApplyActions, OfpInstructionType.GotoTable)));
    }
}
