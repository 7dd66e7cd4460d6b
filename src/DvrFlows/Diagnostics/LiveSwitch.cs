using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Security.Authentication;
using Dvr.OpenFlow.Connection;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Messages.Multipart;
using Dvr.OpenFlow.Messages.Port;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.DvrFlows.Diagnostics;

/// <summary>
/// A short-lived active OpenFlow 1.3 connection to one live switch, as <c>ovs-ofctl -O OpenFlow13</c> makes:
/// connect to <c>unix:PATH</c> (a bridge's <c>.mgmt</c> service socket) or <c>tcp:IP:PORT</c>, exchange
/// HELLO (version 1.3 only), then send requests and collect their (multipart) replies. Every failure becomes
/// a one-line <see cref="DiagnosticsException"/> naming the target.
/// </summary>
public sealed class LiveSwitch : IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>ofp_multipart_reply before its body: ofp_header(8) type(2) flags(2) pad(4).</summary>
    private const int MultipartReplyHeaderLength = OfpHeader.Size + 8;

    /// <summary>OVS sends multipart replies in parts of up to 64 KiB.</summary>
    private const int ReadSegmentSize = 64 * 1024;

    private readonly OpenFlowChannel _channel;
    private uint? _nextXid;

    private LiveSwitch(OpenFlowChannel channel, string target)
    {
        _channel = channel;
        Target = target;
    }

    /// <summary>The target as given ("unix:/run/openvswitch/br-int.mgmt", "tcp:127.0.0.1:6634").</summary>
    public string Target { get; }

    /// <summary>Connects over unix: or tcp: and negotiates OpenFlow 1.3.</summary>
    /// <exception cref="DiagnosticsException">Bad target, unreachable, refused, or another version.</exception>
    public static Task<LiveSwitch> ConnectAsync(string target, CancellationToken cancellationToken = default) =>
        ConnectAsync(target, tls: null, cancellationToken);

    /// <summary>
    /// Connects and negotiates OpenFlow 1.3; an <c>ssl:IP:PORT</c> target (a bridge listening on OVS's
    /// <c>pssl:</c>) needs <paramref name="tls"/>, as <c>ovs-ofctl</c> needs <c>-p/-c/-C</c>.
    /// </summary>
    /// <exception cref="DiagnosticsException">Bad target, unreachable, refused (TLS included), or another version.</exception>
    public static async Task<LiveSwitch> ConnectAsync(string target, OpenFlowTlsOptions? tls, CancellationToken cancellationToken = default)
    {
        OpenFlowEndpoint endpoint;
        try
        {
            endpoint = OpenFlowEndpoint.Parse(target);
        }
        catch (FormatException ex)
        {
            throw new DiagnosticsException($"{ex.Message} (expected unix:PATH, tcp:IP:PORT or ssl:IP:PORT)", ex);
        }

        if (target.StartsWith('p'))
        {
            throw new DiagnosticsException($"'{target}' is a passive (listening) address; connect to a switch with unix:PATH, tcp:IP:PORT or ssl:IP:PORT");
        }

        if (endpoint.Transport == OpenFlowTransport.Ssl && tls is null)
        {
            throw new DiagnosticsException($"'{target}': ssl: needs a private key, certificate and CA certificate (--private-key/-p, --certificate/-c, --ca-cert/-C)");
        }

        var socket = SocketTransport.CreateSocket(endpoint);
        Stream stream;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ConnectTimeout);
            await socket.ConnectAsync(endpoint.EndPoint, timeout.Token).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new DiagnosticsException($"connecting to {target} ({SocketReason(endpoint, ex)})", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new DiagnosticsException($"connecting to {target} (no answer within {ConnectTimeout.TotalSeconds:0} s)", ex);
        }

        if (endpoint.Transport == OpenFlowTransport.Ssl)
        {
            try
            {
                stream = await tls!.AuthenticateAsClientAsync(stream, endpoint, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AuthenticationException or IOException)
            {
                // A switch that refuses our certificate closes the connection during the handshake (IOException).
                throw new DiagnosticsException($"{target}: TLS handshake failed ({ex.Message})", ex);
            }
        }

        var channel = CreateChannel(stream, target);
        channel.Start();
        try
        {
            await channel.Negotiated.WaitAsync(ConnectTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OpenFlowChannelClosedException or TimeoutException)
        {
            // A refused HELLO closes the channel while it is still writing; its close reason says why.
            string reason = channel.CloseReason ?? ex.Message;
            await channel.DisposeAsync().ConfigureAwait(false);
            throw new DiagnosticsException($"{target}: OpenFlow 1.3 negotiation failed ({reason})", ex);
        }

        return new LiveSwitch(channel, target);
    }

    /// <summary>
    /// Skips transaction ids so the next request carries <paramref name="xid"/>. ovs-ofctl allocates xids
    /// from one process-wide counter and prints them in reply headers; aligning ours keeps the output
    /// byte-identical.
    /// </summary>
    public void AlignNextXid(uint xid) => _nextXid = xid;

    /// <summary>Sends a request and returns its reply frames (all parts of a multipart reply).</summary>
    public async Task<IReadOnlyList<OpenFlowFrame>> RequestAsync(OpenFlowMessage request, CancellationToken cancellationToken = default)
    {
        try
        {
            if (_nextXid is null)
            {
                return await _channel.RequestAsync(request, cancellationToken).ConfigureAwait(false);
            }

            uint xid = TakeXid();
            var reply = _channel.ExpectReply(xid, request.Type);
            try
            {
                await _channel.SendAsync(request with { Xid = xid }, cancellationToken).ConfigureAwait(false);
                return await reply.WaitAsync(_channel.Options.RequestTimeout, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _channel.CancelExpectation(xid);
            }
        }
        catch (OpenFlowErrorReplyException ex)
        {
            throw new DiagnosticsException($"{Target}: the switch rejected {request.TextName}: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is OpenFlowChannelClosedException or TimeoutException)
        {
            throw new DiagnosticsException($"{Target}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Sends a multipart request and hands each reply part to <paramref name="onPart"/> as it arrives, on the
    /// connection's read loop, instead of holding every part until the last one (a 100k-flow dump is about
    /// 180 parts of 64 KiB). Returns when the part without OFPMPF_REPLY_MORE has been handled (OpenFlow
    /// 1.3.5 §7.3.5: every part of one reply carries the request's xid).
    /// </summary>
    /// <exception cref="DiagnosticsException">
    /// The switch answered with an error, the connection closed, no complete reply within the request timeout,
    /// Whatever <paramref name="onPart"/> throws (a decode error, an IOException of the output) is passed on as is.
    /// </exception>
    public async Task StreamAsync(OpenFlowMessage request, Action<OpenFlowFrame> onPart, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(onPart);
        uint xid = TakeXid();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Parts of an xid nobody registered with the channel reach MessageReceived, in order, one at a time.
        _channel.MessageReceived = frame =>
        {
            if (frame.Xid != xid || done.Task.IsCompleted)
            {
                return ValueTask.CompletedTask;
            }

            if (frame.Type == OfpType.Error)
            {
                var error = OpenFlowErrorReplyException.FromFrame(frame);
                done.TrySetException(new DiagnosticsException($"{Target}: the switch rejected {request.TextName}: {error.Message}", error));
                return ValueTask.CompletedTask;
            }

            try
            {
                onPart(frame);
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
                return ValueTask.CompletedTask;
            }

            if (!frame.IsMultipartReplyMore)
            {
                done.TrySetResult();
            }

            return ValueTask.CompletedTask;
        };
        try
        {
            await _channel.SendAsync(request with { Xid = xid }, cancellationToken).ConfigureAwait(false);
            var finished = await Task.WhenAny(done.Task, _channel.Completion).WaitAsync(_channel.Options.RequestTimeout, cancellationToken).ConfigureAwait(false);
            if (finished != done.Task && !done.Task.IsCompleted)
            {
                throw new DiagnosticsException($"{Target}: connection closed before the {request.TextName} reply was complete ({_channel.CloseReason ?? "no reason given"})");
            }

            await done.Task.ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new DiagnosticsException($"{Target}: no complete reply to {request.TextName} within {_channel.Options.RequestTimeout.TotalSeconds:0} s", ex);
        }
        catch (OpenFlowChannelClosedException ex)
        {
            throw new DiagnosticsException($"{Target}: {ex.Message}", ex);
        }
        finally
        {
            _channel.MessageReceived = null;
        }
    }

    /// <summary>
    /// The flows of one OFPMP_FLOW reply part (OpenFlow 1.3.5 §A.3.5.2), decoded entry by entry into
    /// <paramref name="flows"/> (cleared first), so a streamed dump never holds more than one part.
    /// </summary>
    /// <exception cref="DiagnosticsException">The frame is not a flow stats reply or does not decode.</exception>
    public void DecodeFlowPart(OpenFlowFrame frame, List<FlowStatsEntry> flows)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(flows);
        flows.Clear();

        // ofp_multipart_reply: header(8) type(2) flags(2) pad(4), then ofp_flow_stats entries.
        var bytes = frame.Bytes.Span;
        if (frame.Type != OfpType.MultipartReply || bytes.Length < MultipartReplyHeaderLength
            || BinaryPrimitives.ReadUInt16BigEndian(bytes[OfpHeader.Size..]) != (ushort)MultipartType.Flow)
        {
            throw new DiagnosticsException($"{Target}: expected an OFPMP_FLOW reply, got {frame}");
        }

        try
        {
            var body = new SpanReader(bytes[MultipartReplyHeaderLength..]);
            while (!body.IsEmpty)
            {
                flows.Add(FlowStatsEntry.Decode(ref body, DecodeMode.Loose));
            }
        }
        catch (OpenFlowException ex)
        {
            throw new DiagnosticsException($"{Target}: undecodable OFPMP_FLOW reply part (xid 0x{frame.Xid:x}): {ex.Message}", ex);
        }
    }

    /// <summary>Decodes a reply frame as <typeparamref name="T"/>.</summary>
    public T Decode<T>(OpenFlowFrame frame)
        where T : OpenFlowMessage
    {
        try
        {
            return MessageDecoder.Decode(frame.Bytes.Span, DecodeMode.Loose) as T
                ?? throw new DiagnosticsException($"{Target}: expected {typeof(T).Name}, got {frame.Type}");
        }
        catch (OpenFlowException ex)
        {
            throw new DiagnosticsException($"{Target}: undecodable {frame.Type}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The xid for the next request: the aligned one when <see cref="AlignNextXid"/> chose it (moving the
    /// channel's counter past it so no later request can reuse it), otherwise the channel's next.
    /// </summary>
    private uint TakeXid()
    {
        if (_nextXid is not { } xid)
        {
            return _channel.NextXid();
        }

        _nextXid = null;
        while (_channel.NextXid() < xid)
        {
        }

        return xid;
    }

    /// <summary>OFPMP_FLOW (OpenFlow 1.3.5 §7.3.5.2): the flows the request selects, in the switch's order.</summary>
    public async Task<(IReadOnlyList<OpenFlowFrame> Frames, IReadOnlyList<FlowStatsEntry> Flows)> DumpFlowsAsync(FlowStatsRequest request, CancellationToken cancellationToken = default)
    {
        var frames = await RequestAsync(new MultipartRequest { Body = request }, cancellationToken).ConfigureAwait(false);
        return (frames, MultipartAssembler.FlowEntries(frames.Select(Decode<MultipartReply>)));
    }

    /// <summary>OFPMP_PORT_DESC (OpenFlow 1.3.5 §7.3.5.7).</summary>
    public async Task<(IReadOnlyList<OpenFlowFrame> Frames, IReadOnlyList<PortDescription> Ports)> PortDescAsync(CancellationToken cancellationToken = default)
    {
        var frames = await RequestAsync(new MultipartRequest { Body = new PortDescRequest() }, cancellationToken).ConfigureAwait(false);
        return (frames, MultipartAssembler.Ports(frames.Select(Decode<MultipartReply>)));
    }

    /// <summary>The port numbering as ovs-ofctl --names uses it (number → name).</summary>
    public static PortNames NamesOf(IEnumerable<PortDescription> ports) =>
        new(ports.GroupBy(p => p.PortNumber).ToDictionary(g => g.Key, g => g.First().Name));

    public ValueTask DisposeAsync() => _channel.DisposeAsync();

    /// <summary>
    /// The channel over the connected socket, reading in 64 KiB segments: a dump is megabytes of 64 KiB reply
    /// parts, which SocketTransport's 4 KiB segments (sized for a controller's small messages) would read in
    /// sixteen system calls each and then stitch together.
    /// </summary>
    private static OpenFlowChannel CreateChannel(Stream stream, string target)
    {
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: ReadSegmentSize, minimumReadSize: ReadSegmentSize / 4, leaveOpen: true));
        var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        return new OpenFlowChannel(new SocketPipe(reader, writer), target, OpenFlowChannelOptions.Default, logger: null, transportOwner: stream);
    }

    private sealed record SocketPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;

    /// <summary>The errno text ovs-ofctl prints (.NET reports a missing unix socket as EADDRNOTAVAIL).</summary>
    private static string SocketReason(OpenFlowEndpoint endpoint, SocketException ex) => ex.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "Connection refused",
        _ when endpoint.Transport == OpenFlowTransport.Unix && !File.Exists(endpoint.EndPoint.ToString()) => "No such file or directory",
        _ => ex.Message,
    };
}
