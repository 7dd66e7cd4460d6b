using Dvr.OpenFlow.Connection;
using NUnit.Framework;

namespace Dvr.OpenFlow.Tests.Connection;

/// <summary>
/// Closing a channel whose peer already dropped it: DisposeAsync and Completion report nothing, whatever
/// state the writer was left in (the close reason says what happened).
/// </summary>
[TestFixture]
[CancelAfter(10_000)]
public class ChannelCloseTests
{
    // OpenFlow 1.0 HELLO without a version bitmap: our 1.3-only side must refuse it.
    private static readonly byte[] Hello10 = Convert.FromHexString("0100000800000001");

    [Test]
    public async Task DisposeAsync_AfterRefusedHelloWhoseErrorCannotBeWritten_DoesNotThrow()
    {
        // Arrange: our HELLO goes out, then the peer resets the connection, so the HELLO_FAILED error stays
        // buffered in the pipe writer when the channel aborts and disposes the stream.
        var stream = new ScriptedStream(Hello10) { FailWritesAfter = 1 };
        var channel = StreamTransport.CreateChannel(stream, "scripted", null, null);

        // Act
        channel.Start();
        var negotiation = Assert.ThrowsAsync<OpenFlowChannelClosedException>(() => channel.Negotiated);
        await channel.Completion;
        var dispose = async () => await channel.DisposeAsync();

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(negotiation!.Message, Does.Contain("write failed: Connection reset by peer"));
            Assert.That(channel.CloseReason, Does.StartWith("write failed"));
            Assert.That(dispose, Throws.Nothing);
            Assert.That(stream.Writes, Is.EqualTo(2), "our HELLO, then the failed ERROR; nothing written after the stream was disposed");
        });
    }

    [Test]
    public async Task DisposeAsync_AfterRefusedHello_DoesNotThrowAndCompletionDoesNotFault()
    {
        // Arrange: the peer stays readable for the error, then the stream ends.
        var stream = new ScriptedStream(Hello10);
        var channel = StreamTransport.CreateChannel(stream, "scripted", null, null);

        // Act
        channel.Start();
        await channel.Completion;
        var dispose = async () => await channel.DisposeAsync();

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(channel.Completion.IsCompletedSuccessfully, Is.True);
            Assert.That(channel.CloseReason, Does.StartWith("version negotiation failed: We support version 0x04, peer supports version 0x01"));
            Assert.That(dispose, Throws.Nothing);
        });
    }

    [Test]
    public async Task SendAsync_AfterDispose_ThrowsChannelClosed()
    {
        // Arrange
        var channel = StreamTransport.CreateChannel(new ScriptedStream(Hello10), "scripted", null, null);
        channel.Start();
        await channel.DisposeAsync();

        // Act
        var send = async () => await channel.SendAsync(Dvr.OpenFlow.Messages.Symmetric.Hello.OpenFlow13Only(1));

        // Assert
        Assert.That(send, Throws.TypeOf<OpenFlowChannelClosedException>().With.Message.Contains("closed by controller").Or.Message.Contains("version negotiation failed"));
    }
}
