using System.Net;
using System.Net.Sockets;
using Dvr.OpenFlow.Framing;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Messages.Multipart;
using Dvr.OpenFlow.Messages.Port;
using Dvr.OpenFlow.Messages.Switch;
using Dvr.OpenFlow.Messages.Symmetric;
using Dvr.OpenFlow.Wire;

namespace Dvr.Integration.Tests.Controller;

/// <summary>
/// A scripted OpenFlow peer over TCP: either well behaved (answers HELLO, FEATURES, PORT_DESC in two
/// multipart parts, and echoes) or used raw to send bad bytes. Frames received are recorded.
/// </summary>
public sealed class SimulatedSwitch : IAsyncDisposable
{
    private readonly TcpClient _client = new();
    private readonly List<byte[]> _received = [];
    private NetworkStream _stream = null!;
    private byte[] _pending = [];

    public ulong DatapathId { get; init; } = 0x999;

    /// <summary>Ports reported in PORT_DESC, split over two reply parts (REPLY_MORE on the first).</summary>
    public IReadOnlyList<(string Name, uint Number)> Ports { get; init; } = [("p1", 1), ("p2", 2), ("p3", 3)];

    /// <summary>When false the peer never answers echo requests (a hung switch).</summary>
    public bool AnswerEcho { get; init; } = true;

    public int EchoRequestsSeen { get; private set; }

    public bool Closed { get; private set; }

    public IReadOnlyList<byte[]> Received => _received;

    public async Task ConnectAsync(EndPoint endpoint)
    {
        var ip = (IPEndPoint)endpoint;
        await _client.ConnectAsync(ip.Address, ip.Port);
        _stream = _client.GetStream();
    }

    public Task SendAsync(byte[] bytes) => _stream.WriteAsync(bytes).AsTask();

    public Task SendAsync(OpenFlowMessage message) => SendAsync(message.ToBytes());

    public void CloseWrite() => _client.Client.Shutdown(SocketShutdown.Send);

    /// <summary>Reads the next whole message, or null at end of stream or timeout.</summary>
    public async Task<byte[]?> ReadAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[65536];
        while (true)
        {
            var span = (ReadOnlySpan<byte>)_pending;
            if (OpenFlowFrameReader.TryReadFrame(ref span, out _, out var frame))
            {
                var message = frame.ToArray();
                _pending = span.ToArray();
                _received.Add(message);
                return message;
            }

            int read;
            try
            {
                read = await _stream.ReadAsync(buffer, cts.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                return null;
            }

            if (read == 0)
            {
                Closed = true;
                return null;
            }

            _pending = [.. _pending, .. buffer.AsSpan(0, read)];
        }
    }

    /// <summary>Behaves like a switch until the connection closes or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await SendAsync(Hello.OpenFlow13Only(1));
        while (!cancellationToken.IsCancellationRequested)
        {
            var message = await ReadAsync(TimeSpan.FromMilliseconds(200));
            if (message is null)
            {
                if (Closed)
                {
                    return;
                }

                continue;
            }

            var header = OfpHeader.Read(message);
            switch (header.Type)
            {
                case OfpType.FeaturesRequest:
                    await SendAsync(new FeaturesReply { Xid = header.Xid, DatapathId = DatapathId, TableCount = 254 });
                    break;
                case OfpType.MultipartRequest:
                    int half = Ports.Count / 2;
                    await SendAsync(PortDesc(header.Xid, Ports.Take(half), MultipartFlags.More));
                    await SendAsync(PortDesc(header.Xid, Ports.Skip(half), MultipartFlags.None));
                    break;
                case OfpType.EchoRequest:
                    EchoRequestsSeen++;
                    if (AnswerEcho)
                    {
                        await SendAsync(new EchoReply { Xid = header.Xid });
                    }

                    break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }

        _client.Dispose();
    }

    private static MultipartReply PortDesc(uint xid, IEnumerable<(string Name, uint Number)> ports, MultipartFlags flags) => new()
    {
        Xid = xid,
        Flags = flags,
        Body = new PortDescReply { Ports = [.. ports.Select(p => new PortDescription { Name = p.Name, PortNumber = p.Number })] },
    };
}
