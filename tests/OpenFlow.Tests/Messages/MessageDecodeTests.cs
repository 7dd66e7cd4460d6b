using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Match;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Messages.Bundle;
using Dvr.OpenFlow.Messages.Flow;
using Dvr.OpenFlow.Messages.Multipart;
using Dvr.OpenFlow.Messages.Packet;
using Dvr.OpenFlow.Messages.Port;
using Dvr.OpenFlow.Messages.Switch;
using Dvr.OpenFlow.Messages.Symmetric;
using NUnit.Framework;

namespace Dvr.OpenFlow.Tests.Messages;

[TestFixture]
public class MessageDecodeTests
{
    private static T DecodeAs<T>(byte[] bytes, DecodeMode mode = DecodeMode.Strict)
        where T : OpenFlowMessage => (T)MessageDecoder.Decode(bytes, mode);

    [Test]
    public void Decode_OvsHelloWithBitmap_OffersItsVersions()
    {
        // Arrange: versions 1 and 4 (bitmap 0x12), encoded by OVS.
        byte[] bytes = MessageOracle.ParseHexDump(MessageOracle.Run("encode-hello", "0x12"));

        // Act
        var hello = DecodeAs<Hello>(bytes);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(hello.OfferedVersions, Is.EqualTo(new byte[] { 1, 4 }));
            Assert.That(hello.Offers(OfpHeader13), Is.True);
            Assert.That(hello.ToBytes(), Is.EqualTo(bytes));
        });
    }

    private const byte OfpHeader13 = 4;

    [Test]
    public void Decode_HelloOfNewerVersionWithUnknownElement_DecodesAndKeepsVersion()
    {
        // Arrange: OF1.5 HELLO, an unknown element type 9 (4 bytes + pad), then a bitmap offering 1.3 and 1.5.
        byte[] bytes = Convert.FromHexString("06000018000000050009000400000000" + "0001000800000050");

        // Act
        var hello = DecodeAs<Hello>(bytes);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(hello.Version, Is.EqualTo(6));
            Assert.That(hello.OfferedVersions, Is.EqualTo(new byte[] { 4, 6 }));
        });
    }

    [Test]
    public void Decode_HelloWithoutBitmap_OffersEveryVersionUpToHeader()
    {
        var hello = DecodeAs<Hello>(Convert.FromHexString("0300000800000001"));

        Assert.That(hello.OfferedVersions, Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    [Test]
    public void Decode_OvsErrorReply_CarriesErrorAndOffendingRequest()
    {
        // Arrange
        byte[] request = new BarrierRequest { Xid = 7 }.ToBytes();
        byte[] bytes = MessageOracle.ParseHexDump(MessageOracle.Run("encode-error-reply", "OFPBAC_BAD_OUT_PORT", Convert.ToHexStringLower(request)));

        // Act
        var error = DecodeAs<ErrorMessage>(bytes);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(error.Error, Is.EqualTo(OfpError.BadOutPort));
            Assert.That(error.Xid, Is.EqualTo(7u));
            Assert.That(error.Data.Span.ToArray(), Is.EqualTo(request));
            Assert.That(ErrorMessage.ForRequest(OfpError.BadOutPort, request).ToBytes(), Is.EqualTo(bytes));
        });
    }

    [Test]
    public void Encode_ErrorForException_EchoesOffendingMessage()
    {
        // Arrange
        byte[] bad = Convert.FromHexString("0418001800000009000000070000000000000000000000ff");
        var exception = Assert.Throws<OpenFlowException>(() => MessageDecoder.Decode(bad))!;

        // Act
        var reply = ErrorMessage.ForException(exception);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(reply.Error, Is.EqualTo(OfpError.BadRole));
            Assert.That(reply.Xid, Is.EqualTo(9u));
            Assert.That(reply.Data.Span.ToArray(), Is.EqualTo(bad));
        });
    }

    [Test]
    public void CreateReply_EchoRequest_KeepsXidAndData()
    {
        var request = new EchoRequest { Xid = 42, Data = ByteData.FromHex("beef") };

        var reply = request.CreateReply();

        Assert.That(reply, Is.EqualTo(new EchoReply { Xid = 42, Data = ByteData.FromHex("beef") }));
    }

    [Test]
    public void Decode_SetConfigWithUnknownFlagsStrict_ThrowsBadFlags()
    {
        byte[] bytes = new SetConfig { Flags = 0x8000, MissSendLength = 128 }.ToBytes();

        var ex = Assert.Throws<OpenFlowException>(() => MessageDecoder.Decode(bytes));

        Assert.That(ex!.Error, Is.EqualTo(OfpError.SwitchConfigBadFlags));
    }

    [Test]
    public void Decode_PortStatusWithUnknownReason_ThrowsBadValue()
    {
        byte[] bytes = new PortStatus { Reason = PortStatusReason.Modify, Port = MessageCorpus.Port(1, "p1") }.ToBytes();
        bytes[8] = 9;

        var ex = Assert.Throws<OpenFlowException>(() => MessageDecoder.Decode(bytes));

        Assert.That(ex!.Error, Is.EqualTo(OfpError.BadValue));
    }

    [Test]
    public void Encode_BundleAdd_WritesOuterXidIntoInnerMessage()
    {
        // Arrange: the inner FLOW_MOD carries a different xid; OVS requires inner xid == outer xid.
        var add = new BundleAddMessage { Xid = 77, BundleId = 3, Flags = BundleFlags.Atomic, Message = new FlowMod { Xid = 1 } };

        // Act
        var decoded = DecodeAs<BundleAddMessage>(add.ToBytes());

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(decoded.Message.Xid, Is.EqualTo(77u));
            Assert.That(decoded.Message, Is.EqualTo(new FlowMod { Xid = 77 }));
            Assert.That(decoded.BundleId, Is.EqualTo(3u));
        });
    }

    [Test]
    public void Decode_BundleAddWithMismatchedInnerXid_ThrowsMsgBadXid()
    {
        byte[] bytes = new BundleAddMessage { Xid = 5, Message = new FlowMod() }.ToBytes();
        bytes[24 + 7] = 6;

        var ex = Assert.Throws<OpenFlowException>(() => MessageDecoder.Decode(bytes));

        Assert.That(ex!.Error, Is.EqualTo(OfpError.BundleMessageBadXid));
    }

    [Test]
    public void Decode_BundleAddOfBarrier_ThrowsMsgUnsupported()
    {
        byte[] bytes = Convert.FromHexString("04040020000000064f4e4600000008fd00000000000000030414000800000006");

        var ex = Assert.Throws<OpenFlowException>(() => MessageDecoder.Decode(bytes));

        Assert.That(ex!.Error, Is.EqualTo(OfpError.BundleMessageUnsupported));
    }

    [Test]
    public void Decode_BundleControlFromOvs_ReadsOpenRequest()
    {
        // Captured from ovs-ofctl --bundle add-flow (openflow-oracles.md §1).
        var control = DecodeAs<BundleControl>(Convert.FromHexString("04040018000000074f4e4600000008fc0000000000000003"));

        Assert.Multiple(() =>
        {
            Assert.That(control.ControlType, Is.EqualTo(BundleControlType.OpenRequest));
            Assert.That(control.Flags, Is.EqualTo(BundleFlags.Atomic | BundleFlags.Ordered));
            Assert.That(control.CreateReply().ControlType, Is.EqualTo(BundleControlType.OpenReply));
        });
    }

    [Test]
    public void Decode_CapturedFlowStatsReply_ReadsBothEntries()
    {
        // Arrange: an OFPMP_FLOW reply captured from ovs-vswitchd 3.1 (openflow-oracles.md §1), second entry only.
        byte[] bytes = Convert.FromHexString(
            "0413007800000002000100000000000000680100000000000290" +
            "20c00002000000000000000000000000000000000000000000000000000000000000000000000001001480000806fa163e00000180000c0210050000000000040018000000000019001080000806fa163f00000100000001000802000000");

        // Act
        var reply = DecodeAs<MultipartReply>(bytes);

        // Assert
        var entry = ((FlowStatsReply)reply.Body).Entries.Single();
        Assert.Multiple(() =>
        {
            Assert.That(entry.TableId, Is.EqualTo(1));
            Assert.That(entry.Priority, Is.EqualTo(2));
            Assert.That(entry.DurationNanoseconds, Is.EqualTo(43_000_000u));
            Assert.That(entry.Instructions.Instructions[^1], Is.EqualTo(new GotoTableInstruction(2)));
            Assert.That(reply.ToBytes(), Is.EqualTo(bytes));
        });
    }

    [Test]
    public void Decode_UnsupportedMultipartType_ThrowsBadStat()
    {
        var ex = Assert.Throws<OpenFlowException>(() => MessageDecoder.Decode(Convert.FromHexString("04120010000000010063000000000000")));

        Assert.That(ex!.Error, Is.EqualTo(OfpError.BadMultipart));
    }

    [Test]
    public void Decode_PacketOutWithReservedInPort_ThrowsBadPort()
    {
        byte[] bytes = new PacketOut { InPort = OfpPort.Flood }.ToBytes();

        var ex = Assert.Throws<OpenFlowException>(() => MessageDecoder.Decode(bytes));

        Assert.That(ex!.Error, Is.EqualTo(OfpError.BadPort));
    }

    [Test]
    public void Decode_UnknownExperimenter_DecodesAsGenericExperimenter()
    {
        var message = DecodeAs<ExperimenterMessage>(Convert.FromHexString("0404001200000001000023200000001e0102"));

        Assert.Multiple(() =>
        {
            Assert.That(message.Experimenter, Is.EqualTo(0x2320u));
            Assert.That(message.ExperimenterType, Is.EqualTo(30u));
            Assert.That(message.Data.Length, Is.EqualTo(2));
        });
    }

    [Test]
    public void FlowStatsRequest_DefaultsAskForAllTablesPortsAndGroups()
    {
        var request = new MultipartRequest { Xid = 1, Body = new FlowStatsRequest { Cookie = 0xd0, CookieMask = ulong.MaxValue } };

        Assert.That(Convert.ToHexStringLower(request.ToBytes()), Is.EqualTo(
            "04120038000000010001000000000000ff000000ffffffffffffffff0000000000000000000000d0ffffffffffffffff0001000400000000"));
    }
}
