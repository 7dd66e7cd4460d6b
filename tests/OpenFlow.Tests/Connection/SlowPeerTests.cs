using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Dvr.OpenFlow.Connection;
using Dvr.OpenFlow.Framing;
using Dvr.OpenFlow.Wire;
using NUnit.Framework;

namespace Dvr.OpenFlow.Tests.Connection;

/// <summary>
/// A switch that stops reading must not hold the controller: the write that cannot drain is abandoned after
/// the write timeout and the peer dropped, while another connection keeps being served meanwhile.
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
public class SlowPeerTests
{
    [Test]
    public async Task SendEncodedAsync_PeerStopsReading_IsDroppedAfterWriteTimeout_WhileOtherConnectionIsServed()
    {
        // Arrange: two connections on one listener; the first peer never reads.
        using var log = new ListLoggerFactory();
        var channels = new List<OpenFlowChannel>();
        var bothAccepted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new OpenFlowChannelOptions { WriteTimeout = TimeSpan.FromMilliseconds(500) };
        await using var listener = new OpenFlowListener(OpenFlowEndpoint.Parse("tcp:127.0.0.1:0"), async (channel, cancellationToken) =>
        {
            lock (channels)
            {
                channels.Add(channel);
                if (channels.Count == 2)
                {
                    bothAccepted.TrySetResult();
                }
            }

            channel.Start();
            await channel.Completion.WaitAsync(cancellationToken);
        }, options, log);
        listener.Start();
        using var stalled = await ConnectAndHelloAsync(listener.LocalEndPoint!);
        stalled.ReceiveBufferSize = 4096;
        await Task.Delay(100); // accepted first
        using var healthy = await ConnectAndHelloAsync(listener.LocalEndPoint!);
        await bothAccepted.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await Task.WhenAll(channels.Select(c => c.Negotiated));
        var stalledChannel = channels.Single(c => c.PeerName.EndsWith($":{((IPEndPoint)stalled.LocalEndPoint!).Port}", StringComparison.Ordinal));

        // Act: 64 MiB to the peer that does not read, and meanwhile echo round trips on the other connection.
        var clock = Stopwatch.StartNew();
        var flood = stalledChannel.SendEncodedAsync(new byte[64 << 20]).AsTask();
        var echoTimes = new List<TimeSpan>();
        while (!flood.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            var sent = Stopwatch.StartNew();
            await healthy.SendAsync(Convert.FromHexString("0402000800000063")); // ECHO_REQUEST xid 0x63
            var reply = await ReadFrameAsync(healthy);
            Assert.That(reply[1], Is.EqualTo((byte)OfpType.EchoReply));
            echoTimes.Add(sent.Elapsed);
        }

        var failure = Assert.ThrowsAsync<OpenFlowChannelClosedException>(() => flood);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(failure!.Message, Does.Contain("peer did not drain our writes within 0.5 s"));
            Assert.That(stalledChannel.IsClosed, Is.True);
            Assert.That(echoTimes, Has.Count.GreaterThanOrEqualTo(1), "the other connection answered while the write was stuck");
            Assert.That(channels.Single(c => c != stalledChannel).IsClosed, Is.False);
        });
    }

    private static async Task<Socket> ConnectAndHelloAsync(EndPoint endpoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endpoint);
        await socket.SendAsync(Convert.FromHexString("04000010000000010001000800000010")); // HELLO, bitmap {1.3}
        return socket;
    }

    /// <summary>Reads frames until one that is not HELLO (our side's HELLO comes first).</summary>
    private static async Task<byte[]> ReadFrameAsync(Socket socket)
    {
        var pending = new List<byte>();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (true)
        {
            var span = (ReadOnlySpan<byte>)pending.ToArray();
            while (OpenFlowFrameReader.TryReadFrame(ref span, out var header, out var frame))
            {
                if (header.Type != OfpType.Hello)
                {
                    return frame.ToArray();
                }

                pending = [.. span];
            }

            int read = await socket.ReceiveAsync(buffer, timeout.Token);
            if (read == 0)
            {
                throw new IOException("connection closed");
            }

            pending.AddRange(buffer.AsSpan(0, read));
        }
    }
}
