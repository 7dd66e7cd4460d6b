using Dvr.OpenFlow;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Match;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Messages.Flow;
using NUnit.Framework;

namespace Dvr.OpenFlow.Tests;

[TestFixture]
public class FlowModTests
{
    // ovs-ofctl -O OpenFlow13 -mmmmm parse-flow 'table=1,priority=2,dl_vlan=5,dl_src=fa:16:3e:00:00:01 actions=mod_dl_src:fa:16:3f:00:00:01,goto_table:2'
    private const string OvsHex =
        "040e006800000001000000000000000000000000000000000100000000000002ffffffffffffffffffffffff00000000" +
        "0001001480000806fa163e00000180000c0210050000000000040018000000000019001080000806fa163f00000100000001000802000000";

    private static FlowMod DvrRewrite() => new()
    {
        Xid = 1,
        TableId = 1,
        Priority = 2,
        Match = new MatchBuilder().VlanVid(5).EthSrc(MacAddress.Parse("fa:16:3e:00:00:01")).Build(),
        Instructions = new InstructionList(
            new ApplyActionsInstruction(new ActionList(new SetFieldAction(OxmFields.EthSrc, MacAddress.Parse("fa:16:3f:00:00:01").Value))),
            new GotoTableInstruction(2)),
    };

    [Test]
    public void Encode_DvrRewrite_EqualsOvsBytes()
    {
        Assert.That(Convert.ToHexStringLower(DvrRewrite().ToBytes()), Is.EqualTo(OvsHex));
    }

    [Test]
    public void Decode_OvsBytes_RoundTripsToSameBytesAndEqualMessage()
    {
        var bytes = Convert.FromHexString(OvsHex);
        var decoded = (FlowMod)MessageDecoder.Decode(bytes);
        Assert.Multiple(() =>
        {
            Assert.That(decoded, Is.EqualTo(DvrRewrite()));
            Assert.That(decoded.ToBytes(), Is.EqualTo(bytes));
        });
    }
}
