using System.Buffers;
using Dvr.OpenFlow.Wire;
using NUnit.Framework;

namespace Dvr.OpenFlow.Tests.Framing;

public class PooledBufferWriterTests
{
    [Test]
    public void Write_PastTheFirstArray_GrowsAndKeepsEveryByte()
    {
        var pool = ArrayPool<byte>.Create(1 << 20, 1);
        using var writer = new PooledBufferWriter(pool, 300);
        var expected = new List<byte>();
        for (int i = 0; i < 5000; i++)
        {
            var span = writer.GetSpan(3);
            span[0] = (byte)i;
            span[1] = (byte)(i >> 8);
            span[2] = 0xab;
            writer.Advance(3);
            expected.AddRange([(byte)i, (byte)(i >> 8), 0xab]);
        }

        Assert.Multiple(() =>
        {
            Assert.That(writer.WrittenCount, Is.EqualTo(15000));
            Assert.That(writer.WrittenSpan.ToArray(), Is.EqualTo(expected.ToArray()));
            Assert.That(writer.WrittenMemory.ToArray(), Is.EqualTo(expected.ToArray()));
        });
    }

    [Test]
    public void Dispose_ReturnsTheArray_TheNextWriterRentsTheSameOne()
    {
        var pool = ArrayPool<byte>.Create(1 << 20, 1);
        byte[] first;
        using (var writer = new PooledBufferWriter(pool, 5000))
        {
            first = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(writer.GetMemory(), out ArraySegment<byte> segment) ? segment.Array! : [];
        }

        using var second = new PooledBufferWriter(pool, 5000);
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(second.GetMemory(), out ArraySegment<byte> again);

        Assert.That(again.Array, Is.SameAs(first));
    }

    [Test]
    public void ResetWrittenCount_StartsOverInTheSameArray()
    {
        using var writer = new PooledBufferWriter(ArrayPool<byte>.Shared, 64);
        writer.GetSpan(10).Fill(1);
        writer.Advance(10);

        writer.ResetWrittenCount();
        writer.GetSpan(1)[0] = 7;
        writer.Advance(1);

        Assert.That(writer.WrittenSpan.ToArray(), Is.EqualTo(new byte[] { 7 }));
    }

    [Test]
    public void Advance_PastTheSpanOrAfterDispose_Throws()
    {
        var writer = new PooledBufferWriter(ArrayPool<byte>.Shared, 256);
        int capacity = writer.GetSpan().Length;

        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Advance(capacity + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Advance(-1));
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.GetSpan(1));
        Assert.DoesNotThrow(writer.Dispose);
    }
}
