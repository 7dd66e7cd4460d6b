using System.Buffers;
using Dvr.OpenFlow;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Match;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Messages.Bundle;
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

    public static IEnumerable<TestCaseData> Mods()
    {
        yield return new TestCaseData(DvrRewrite() with { Xid = 9, Command = FlowModCommand.Add, Cookie = 0x4456520000000001 }).SetName("{m}(dvr rewrite, add)");
        yield return new TestCaseData(DvrRewrite() with { Xid = 10, Command = FlowModCommand.ModifyStrict, Cookie = 3, CookieMask = ulong.MaxValue }).SetName("{m}(modify strict)");
        yield return new TestCaseData(new FlowMod { Xid = 11, Command = FlowModCommand.DeleteStrict, TableId = 60, Priority = 0, CookieMask = ulong.MaxValue }).SetName("{m}(empty match, drop)");
        yield return new TestCaseData(new FlowMod
        {
            Xid = uint.MaxValue,
            TableId = 254,
            Priority = ushort.MaxValue,
            Match = new MatchBuilder().Arp().ArpTpa(System.Net.IPAddress.Parse("10.0.0.1")).TunnelId(0x1234).EthDst(MacAddress.Parse("01:00:00:00:00:00"), MacAddress.Parse("01:00:00:00:00:00")).Build(),
            Instructions = new InstructionList(new ApplyActionsInstruction(new ActionList(new OutputAction(OfpPort.InPort)))),
        }).SetName("{m}(arp, tunnel id, in_port)");
    }

    [TestCaseSource(nameof(Mods))]
    public void EncodeTo_FromFields_EqualsTheRecordsBytes(FlowMod mod)
    {
        int length = FlowMod.EncodedLengthOf(mod.Match, mod.Instructions);
        var bytes = new byte[length];

        FlowMod.EncodeTo(bytes, length, mod.Xid, mod.Command, mod.Cookie, mod.CookieMask, mod.TableId, mod.Priority, mod.Match, mod.Instructions);

        Assert.That(Convert.ToHexStringLower(bytes), Is.EqualTo(Convert.ToHexStringLower(mod.ToBytes())));
    }

    [TestCaseSource(nameof(Mods))]
    public void BundleAddEncodeFlowMod_FromFields_EqualsTheRecordsBytes(FlowMod mod)
    {
        var output = new ArrayBufferWriter<byte>();
        var record = new BundleAddMessage { Xid = mod.Xid, BundleId = 0x01020304, Flags = BundleFlags.Atomic | BundleFlags.Ordered, Message = mod };

        int written = BundleAddMessage.EncodeFlowMod(output, mod.Xid, 0x01020304, BundleFlags.Atomic | BundleFlags.Ordered, mod.Command, mod.Cookie, mod.CookieMask, mod.TableId, mod.Priority, mod.Match, mod.Instructions);

        Assert.Multiple(() =>
        {
            Assert.That(written, Is.EqualTo(output.WrittenCount));
            Assert.That(Convert.ToHexStringLower(output.WrittenSpan), Is.EqualTo(Convert.ToHexStringLower(record.ToBytes())));
        });
    }

    [Test]
    public void BundleAddEncodeFlowMod_OverTheMessageLimit_ThrowsAndWritesNothing()
    {
        var outputs = new ActionList(Enumerable.Range(1, 4100).Select(p => (OfpAction)new OutputAction((uint)p)).ToArray());
        var output = new ArrayBufferWriter<byte>();

        var error = Assert.Throws<InvalidOperationException>(() => BundleAddMessage.EncodeFlowMod(
            output, 1, 1, BundleFlags.Atomic, FlowModCommand.Add, 0, 0, 0, 1, Dvr.OpenFlow.Match.Match.Any, new InstructionList(new ApplyActionsInstruction(outputs))));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("65,535"));
            Assert.That(output.WrittenCount, Is.Zero);
        });
    }
}
