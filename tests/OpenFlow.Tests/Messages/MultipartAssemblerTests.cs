using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Messages.Multipart;
using NUnit.Framework;

namespace Dvr.OpenFlow.Tests.Messages;

[TestFixture]
public class MultipartAssemblerTests
{
    private static MultipartReply FlowPart(uint xid, bool more, byte table) => new()
    {
        Xid = xid,
        Flags = more ? MultipartFlags.More : MultipartFlags.None,
        Body = new FlowStatsReply { Entries = [new FlowStatsEntry { TableId = table }] },
    };

    [Test]
    public void TryAdd_InterleavedReplies_CompletesEachXidInOrder()
    {
        // Arrange
        var assembler = new MultipartAssembler();

        // Act
        bool first = assembler.TryAdd(FlowPart(1, more: true, table: 0), out _);
        bool other = assembler.TryAdd(FlowPart(2, more: true, table: 9), out _);
        bool second = assembler.TryAdd(FlowPart(1, more: true, table: 1), out _);
        bool last = assembler.TryAdd(FlowPart(1, more: false, table: 2), out var parts);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(first || other || second, Is.False);
            Assert.That(last, Is.True);
            Assert.That(MultipartAssembler.FlowEntries(parts).Select(e => e.TableId), Is.EqualTo(new byte[] { 0, 1, 2 }));
            Assert.That(assembler.PendingCount, Is.EqualTo(1));
        });
    }

    [Test]
    public void TryAdd_SinglePartReply_CompletesImmediately()
    {
        var assembler = new MultipartAssembler();

        bool done = assembler.TryAdd(FlowPart(5, more: false, table: 3), out var parts);

        Assert.Multiple(() =>
        {
            Assert.That(done, Is.True);
            Assert.That(parts, Has.Length.EqualTo(1));
            Assert.That(assembler.PendingCount, Is.Zero);
        });
    }

    [Test]
    public void TryAdd_TypeChangesWithinXid_ThrowsBadStat()
    {
        var assembler = new MultipartAssembler();
        assembler.TryAdd(FlowPart(1, more: true, table: 0), out _);

        var ex = Assert.Throws<OpenFlowException>(() => assembler.TryAdd(new MultipartReply { Xid = 1, Body = new PortDescReply() }, out _));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Error, Is.EqualTo(OfpError.BadMultipart));
            Assert.That(assembler.PendingCount, Is.Zero);
        });
    }

    [Test]
    public void TryAdd_MorePartsThanLimit_ThrowsBufferOverflow()
    {
        var assembler = new MultipartAssembler(maxParts: 2);
        assembler.TryAdd(FlowPart(1, more: true, table: 0), out _);
        assembler.TryAdd(FlowPart(1, more: true, table: 0), out _);

        var ex = Assert.Throws<OpenFlowException>(() => assembler.TryAdd(FlowPart(1, more: true, table: 0), out _));

        Assert.That(ex!.Error, Is.EqualTo(OfpError.MultipartBufferOverflow));
    }
}
