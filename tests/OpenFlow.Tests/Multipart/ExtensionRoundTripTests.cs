using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Messages.Meter;
using Dvr.OpenFlow.Messages.Multipart;
using NUnit.Framework;

namespace Dvr.OpenFlow.Tests.Multipart;

/// <summary>
/// Extension points OVS itself does not print (experimenter multiparts, experimenter meter bands): they must
/// still decode to equal objects and re-encode to the same bytes, and be refused where a state change is asked.
/// </summary>
[TestFixture]
public class ExtensionRoundTripTests
{
    [Test]
    public void Decode_ExperimenterMultipart_RoundTripsBothDirections()
    {
        var request = Mp.Request(new ExperimenterMultipartRequest(0x00002320, 3, [1, 2, 3, 4, 5, 6, 7, 8]));
        var reply = Mp.Reply(new ExperimenterMultipartReply(0x4f4e4600, 9, ValueList<byte>.Empty), flags: 1);

        var decodedRequest = MessageDecoder.Decode(request.ToBytes());
        var decodedReply = MessageDecoder.Decode(reply.ToBytes(), DecodeMode.Loose);

        Assert.Multiple(() =>
        {
            Assert.That(decodedRequest, Is.EqualTo(request));
            Assert.That(decodedReply, Is.EqualTo(reply));
            Assert.That(decodedReply.ToBytes(), Is.EqualTo(reply.ToBytes()));
        });
    }

    [Test]
    public void Decode_ExperimenterMultipartShorterThanItsHeader_IsBadLen()
    {
        byte[] bytes = Convert.FromHexString("0413001400000002ffff0000000000000000232000");
        bytes[3] = (byte)bytes.Length;

        var error = Assert.Throws<OpenFlowException>(() => MessageDecoder.Decode(bytes, DecodeMode.Loose));

        Assert.That(error!.Error, Is.EqualTo(OfpError.BadLen));
    }

    [Test]
    public void Decode_ExperimenterMeterBand_LooseConfigReplyKeepsItStrictMeterModRefusesIt()
    {
        var band = new MeterBand(MeterBandType.Experimenter, 10, 20, 0, 0x2320);
        var reply = Mp.Reply(new MeterConfigReply([new MeterConfig(MeterFlags.Pktps | MeterFlags.Burst, 4, [band, MeterBand.Drop(5, 1)])]));
        var mod = new MeterMod { Xid = 5, Flags = MeterFlags.Pktps, MeterId = 4, Bands = [band] };

        var decodedReply = MessageDecoder.Decode(reply.ToBytes(), DecodeMode.Loose);
        var error = Assert.Throws<OpenFlowException>(() => MessageDecoder.Decode(mod.ToBytes(), DecodeMode.Strict));

        Assert.Multiple(() =>
        {
            Assert.That(decodedReply, Is.EqualTo(reply));
            Assert.That(decodedReply.ToBytes(), Is.EqualTo(reply.ToBytes()));
            Assert.That(error!.Error, Is.EqualTo(OfpError.BadBand));
        });
    }
}
