using System.Buffers;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Framing;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Messages.Switch;
using Dvr.OpenFlow.Messages.Symmetric;
using Dvr.OpenFlow.Tests.Messages;
using Dvr.OpenFlow.Wire;
using NUnit.Framework;

namespace Dvr.OpenFlow.Tests.Framing;

[TestFixture]
public class FrameReaderTests
{
    /// <summary>A read-only sequence with one segment per byte: the worst split a socket can deliver.</summary>
    private static ReadOnlySequence<byte> OneBytePerSegment(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(bytes.AsMemory(0, 1), 0);
        var last = first;
        for (int i = 1; i < bytes.Length; i++)
        {
            last = last.Append(bytes.AsMemory(i, 1));
        }

        return new ReadOnlySequence<byte>(first, 0, last, 1);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    [Test]
    public void TryReadFrame_OneByteSegments_YieldsEveryMessageIntact()
    {
        // Arrange
        var messages = MessageCorpus.All().ToList();
        byte[] stream = [.. messages.SelectMany(m => m.ToBytes())];
        var buffer = OneBytePerSegment(stream);

        // Act
        var decoded = new List<OpenFlowMessage>();
        while (OpenFlowFrameReader.TryReadFrame(ref buffer, out var header, out var frame))
        {
            Assert.That(frame.Length, Is.EqualTo(header.Length));
            decoded.Add(MessageDecoder.Decode(frame.ToArray(), DecodeMode.Loose));
        }

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(buffer.Length, Is.Zero);
            Assert.That(decoded, Is.EqualTo(messages));
        });
    }

    [Test]
    public void TryReadFrame_TruncatedMessage_ReturnsFalseAndKeepsBuffer()
    {
        // Arrange: every proper prefix of an echo request.
        byte[] bytes = new EchoRequest { Xid = 3, Data = ByteData.FromHex("00112233445566778899") }.ToBytes();

        // Act / Assert
        Assert.Multiple(() =>
        {
            for (int length = 0; length < bytes.Length; length++)
            {
                var buffer = OneBytePerSegment(bytes[..length]);
                Assert.That(OpenFlowFrameReader.TryReadFrame(ref buffer, out _, out _), Is.False, $"prefix {length}");
                Assert.That(buffer.Length, Is.EqualTo(length));
            }
        });
    }

    [Test]
    public void TryReadFrame_MaximumLengthMessage_IsOneFrame()
    {
        // Arrange: a 65,535-byte echo (the 16-bit length field's maximum) followed by a barrier.
        var echo = new EchoRequest { Xid = 1, Data = ByteData.Copy(new byte[OfpHeader.MaxLength - OfpHeader.Size]) };
        byte[] stream = [.. echo.ToBytes(), .. new BarrierRequest { Xid = 2 }.ToBytes()];
        var buffer = new ReadOnlySequence<byte>(stream);

        // Act
        bool first = OpenFlowFrameReader.TryReadFrame(ref buffer, out var header, out var frame);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(first, Is.True);
            Assert.That(header.Length, Is.EqualTo(OfpHeader.MaxLength));
            Assert.That(MessageDecoder.Decode(frame.ToArray()), Is.EqualTo(echo));
            Assert.That(buffer.Length, Is.EqualTo(OfpHeader.Size));
        });
    }

    [Test]
    public void TryReadFrame_LengthBelowHeader_ThrowsBadLenBeforeBodyArrives()
    {
        var buffer = OneBytePerSegment(Convert.FromHexString("0402000700000001"));

        var ex = Assert.Throws<OpenFlowException>(() => OpenFlowFrameReader.TryReadFrame(ref buffer, out _, out _));

        Assert.That(ex!.Error, Is.EqualTo(OfpError.BadLen));
    }

    [Test]
    public void TryReadFrame_WrongVersion_ThrowsBadVersion()
    {
        var buffer = new ReadOnlySequence<byte>(Convert.FromHexString("0102000800000001"));

        var ex = Assert.Throws<OpenFlowException>(() => OpenFlowFrameReader.TryReadFrame(ref buffer, out _, out _));

        Assert.That(ex!.Error, Is.EqualTo(OfpError.BadVersion));
    }

    [Test]
    public void TryReadFrame_HelloOfOtherVersion_IsAccepted()
    {
        var buffer = OneBytePerSegment(Convert.FromHexString("0600001000000001000100080000005000"));

        bool read = OpenFlowFrameReader.TryReadFrame(ref buffer, out var header, out var frame);

        Assert.Multiple(() =>
        {
            Assert.That(read, Is.True);
            Assert.That(header.Version, Is.EqualTo(6));
            Assert.That(((Hello)MessageDecoder.Decode(frame.ToArray())).Offers(OfpHeader.Version13), Is.True);
            Assert.That(buffer.Length, Is.EqualTo(1));
        });
    }

    [Test]
    public void TryReadFrame_SpanForm_SplitsBackToBackMessages()
    {
        byte[] stream = [.. new BarrierRequest { Xid = 1 }.ToBytes(), .. new BarrierReply { Xid = 1 }.ToBytes()];
        ReadOnlySpan<byte> buffer = stream;

        bool first = OpenFlowFrameReader.TryReadFrame(ref buffer, out var firstHeader, out _);
        bool second = OpenFlowFrameReader.TryReadFrame(ref buffer, out var secondHeader, out _);
        bool third = OpenFlowFrameReader.TryReadFrame(ref buffer, out _, out _);

        Assert.Multiple(() =>
        {
            Assert.That(first && second, Is.True);
            Assert.That(third, Is.False);
            Assert.That(firstHeader.Type, Is.EqualTo(OfpType.BarrierRequest));
            Assert.That(secondHeader.Type, Is.EqualTo(OfpType.BarrierReply));
        });
    }
}
