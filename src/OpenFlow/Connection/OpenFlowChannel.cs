using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Framing;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Messages.Symmetric;
using Dvr.OpenFlow.Wire;
using Microsoft.Extensions.Logging;

namespace Dvr.OpenFlow.Connection;

/// <summary>
/// One OpenFlow 1.3 connection over a duplex pipe: version negotiation, a read loop that frames messages in
/// place with <see cref="OpenFlowFrameReader"/>, echo keepalive in both directions with dead-peer detection,
/// xid-correlated requests (single and multipart replies), and a bounded, serialised writer.
/// Every connection runs its own loops, so one slow or dead switch never stalls another.
/// The channel does not interpret message bodies beyond the header, multipart flags and error codes; the
/// session on top decodes what it receives.
/// </summary>
public sealed partial class OpenFlowChannel : IAsyncDisposable
{
    private readonly IDuplexPipe _transport;
    private readonly IDisposable? _transportOwner;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<uint, PendingRequest> _pending = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _negotiated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _run;
    private uint _nextXid;
    private long _lastReceivedTicks;
    private int _closed;

    public OpenFlowChannel(IDuplexPipe transport, string peerName, OpenFlowChannelOptions? options = null, ILogger? logger = null, IDisposable? transportOwner = null)
    {
        _transport = transport;
        _transportOwner = transportOwner;
        PeerName = peerName;
        Options = options ?? OpenFlowChannelOptions.Default;
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _lastReceivedTicks = Environment.TickCount64;
    }

    /// <summary>The peer's address as logged ("tcp:127.0.0.1:40312", "unix:...").</summary>
    public string PeerName { get; }

    public OpenFlowChannelOptions Options { get; }

    /// <summary>Why the connection ended, once it has.</summary>
    public string? CloseReason { get; private set; }

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Completes when both HELLOs have been exchanged and version 1.3 is agreed.</summary>
    public Task Negotiated => _negotiated.Task;

    /// <summary>Completes when the connection has ended, for whatever reason (never faults).</summary>
    public Task Completion => _run ?? Task.CompletedTask;

    /// <summary>
    /// Receives every message that is not the reply to one of our requests (PORT_STATUS, PACKET_IN,
    /// FLOW_REMOVED, errors for messages we did not wait on, ...). Called on the read loop: a slow
    /// handler slows only this connection.
    /// </summary>
    public Func<OpenFlowFrame, ValueTask>? MessageReceived { get; set; }

    /// <summary>Starts the read and keepalive loops and sends our HELLO.</summary>
    public void Start()
    {
        if (_run is not null)
        {
            throw new InvalidOperationException($"connection {PeerName} is already started");
        }

        _run = RunAsync();
    }

    /// <summary>Allocates a transaction id; <paramref name="count"/> consecutive ids for a batch.</summary>
    public uint NextXid(uint count = 1) => Interlocked.Add(ref _nextXid, count) - count + 1;

    /// <summary>Sends one message (xid as given).</summary>
    public async ValueTask SendAsync(OpenFlowMessage message, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfClosed();
            message.Encode(_transport.Output);
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Sends many messages back to back under one write lock (nothing else interleaves, which a bundle
    /// needs only for readability: bundles are keyed by id). Flushes every
    /// <see cref="OpenFlowChannelOptions.FlushThresholdBytes"/>, so the buffered bytes stay bounded.
    /// </summary>
    public async ValueTask SendAsync(IEnumerable<OpenFlowMessage> messages, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfClosed();
            var output = _transport.Output;
            foreach (var message in messages)
            {
                message.Encode(output);
                if (output.CanGetUnflushedBytes && output.UnflushedBytes >= Options.FlushThresholdBytes)
                {
                    await FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Writes already-encoded OpenFlow messages (used by benchmarks and pass-through).</summary>
    public async ValueTask SendEncodedAsync(ReadOnlyMemory<byte> messages, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfClosed();
            var output = _transport.Output;
            while (!messages.IsEmpty)
            {
                int chunk = Math.Min(messages.Length, Options.FlushThresholdBytes);
                output.Write(messages.Span[..chunk]);
                messages = messages[chunk..];
                await FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/> with a fresh xid and returns its reply: one frame, or all parts of a
    /// multipart reply in order (OFPMPF_REPLY_MORE reassembly, OpenFlow 1.3.5 §7.3.5).
    /// </summary>
    /// <exception cref="OpenFlowErrorReplyException">The switch answered with OFPT_ERROR.</exception>
    /// <exception cref="OpenFlowChannelClosedException">The connection ended first.</exception>
    /// <exception cref="TimeoutException">No reply within <see cref="OpenFlowChannelOptions.RequestTimeout"/>.</exception>
    public async Task<IReadOnlyList<OpenFlowFrame>> RequestAsync(OpenFlowMessage request, CancellationToken cancellationToken = default, TimeSpan? timeout = null)
    {
        uint xid = NextXid();
        var pending = new PendingRequest(request.Type);
        _pending[xid] = pending;
        try
        {
            await SendAsync(request with { Xid = xid }, cancellationToken).ConfigureAwait(false);
            return await pending.Completion.Task.WaitAsync(timeout ?? Options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{PeerName}: no reply to {request.Type} xid {xid} within {(timeout ?? Options.RequestTimeout).TotalSeconds:0.#} s");
        }
        finally
        {
            _pending.TryRemove(xid, out _);
        }
    }

    /// <summary>Registers interest in the reply to an xid the caller sends itself (e.g. the last message of a batch).</summary>
    public Task<IReadOnlyList<OpenFlowFrame>> ExpectReply(uint xid, OfpType requestType)
    {
        var pending = new PendingRequest(requestType);
        _pending[xid] = pending;
        return pending.Completion.Task;
    }

    /// <summary>Forgets an <see cref="ExpectReply"/> that will not be answered.</summary>
    public void CancelExpectation(uint xid) => _pending.TryRemove(xid, out _);

    /// <summary>
    /// Sends OFPT_ERROR echoing (at least 64 bytes of) the offending message (OpenFlow 1.3.5 §A.4.4), for a
    /// message the session could not decode or accept.
    /// </summary>
    public ValueTask SendErrorAsync(OfpError error, uint xid, ReadOnlySpan<byte> offending, CancellationToken cancellationToken = default) =>
        SendAsync(ErrorMessage.ForRequest(error, offending[..Math.Min(offending.Length, ErrorMessage.MinimumEchoedBytes)]) with { Xid = xid }, cancellationToken);

    /// <summary>Drops the connection with a logged reason. Idempotent.</summary>
    public void Abort(string reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        CloseReason = reason;
        LogClosed(_logger, PeerName, reason);
        _negotiated.TrySetException(new OpenFlowChannelClosedException($"{PeerName}: {reason}"));
        _closing.Cancel();
        _transport.Input.CancelPendingRead();
        _transportOwner?.Dispose();
        foreach (var (xid, pending) in _pending)
        {
            pending.Completion.TrySetException(new OpenFlowChannelClosedException($"{PeerName}: connection closed before the reply to {pending.RequestType} xid {xid} ({reason})"));
        }
    }

    /// <summary>
    /// Closes the connection and waits for its loops to end. Never throws: a peer that already dropped the
    /// connection leaves nothing to report beyond <see cref="CloseReason"/>. The write lock and the closing
    /// token stay usable afterwards (they hold no OS handle), so a late send fails with
    /// <see cref="OpenFlowChannelClosedException"/> instead of ObjectDisposedException.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Abort("closed by controller");
        await Completion.ConfigureAwait(false);
    }

    private void ThrowIfClosed()
    {
        if (IsClosed)
        {
            throw new OpenFlowChannelClosedException($"{PeerName}: connection closed ({CloseReason})");
        }
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
        timeout.CancelAfter(Options.WriteTimeout);
        try
        {
            var result = await _transport.Output.FlushAsync(timeout.Token).ConfigureAwait(false);
            if (result.IsCompleted)
            {
                Abort("peer stopped reading (write side closed)");
                ThrowIfClosed();
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !_closing.IsCancellationRequested)
        {
            Abort($"peer did not drain our writes within {Options.WriteTimeout.TotalSeconds:0.#} s");
            ThrowIfClosed();
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            ThrowIfClosed();
        }
        catch (IOException ex)
        {
            Abort($"write failed: {ex.Message}");
            ThrowIfClosed();
        }
        catch (ObjectDisposedException)
        {
            Abort("write failed: transport disposed");
            ThrowIfClosed();
        }
    }

    private async Task RunAsync()
    {
        var keepalive = KeepaliveLoopAsync();
        try
        {
            // OpenFlow 1.3.5 §6.3.1: each side sends HELLO as soon as the connection is up; ours offers only 1.3.
            await SendAsync(Hello.OpenFlow13Only(NextXid())).ConfigureAwait(false);
            await ReadLoopAsync().ConfigureAwait(false);
        }
        catch (OpenFlowChannelClosedException)
        {
            // Abort already logged why.
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            Abort($"connection error: {ex.Message}");
        }
        finally
        {
            Abort(CloseReason ?? "connection ended");
            await CompleteTransportAsync().ConfigureAwait(false);
            await keepalive.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>
    /// Completes both pipe ends after <see cref="Abort"/> has disposed the stream under them. The writer is
    /// completed with an exception, which makes it drop whatever a failed or cancelled flush left buffered
    /// instead of writing it to the disposed stream (that write was the ObjectDisposedException that used to
    /// escape from DisposeAsync after a refused HELLO). Holding the write lock keeps a concurrent sender
    /// (the keepalive probe, a session) from encoding into a writer being completed.
    /// </summary>
    private async Task CompleteTransportAsync()
    {
        var closed = new OpenFlowChannelClosedException($"{PeerName}: connection closed ({CloseReason})");
        await _transport.Input.CompleteAsync(closed).ConfigureAwait(false);

        // Senders blocked in a flush are released by the closing token; the timeout only guards against a
        // stream that ignores cancellation, in which case the writer is left to the garbage collector.
        if (await _writeLock.WaitAsync(Options.WriteTimeout).ConfigureAwait(false))
        {
            try
            {
                await _transport.Output.CompleteAsync(closed).ConfigureAwait(false);
            }
            finally
            {
                _writeLock.Release();
            }
        }
    }

    private async Task ReadLoopAsync()
    {
        var input = _transport.Input;
        while (!IsClosed)
        {
            var result = await input.ReadAsync(_closing.Token).ConfigureAwait(false);
            var buffer = result.Buffer;
            try
            {
                while (OpenFlowFrameReader.TryReadFrame(ref buffer, out var header, out var frame))
                {
                    Volatile.Write(ref _lastReceivedTicks, Environment.TickCount64);
                    await DispatchAsync(header, frame).ConfigureAwait(false);
                    if (IsClosed)
                    {
                        return;
                    }
                }
            }
            catch (OpenFlowException ex)
            {
                // Framing-level garbage: nothing after it can be trusted, so answer once and drop the peer.
                LogGarbage(_logger, PeerName, ex.Message);
                await TrySendErrorAsync(ex.Error, ReadXidOrZero(buffer), ex.Offending).ConfigureAwait(false);
                Abort($"framing error: {ex.Message}");
                return;
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                Abort(buffer.IsEmpty
                    ? "peer closed the connection"
                    : $"peer closed the connection in the middle of a message ({buffer.Length} byte(s) of a truncated frame)");
                return;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static uint ReadXidOrZero(ReadOnlySequence<byte> buffer)
    {
        if (buffer.Length < OfpHeader.Size)
        {
            return 0;
        }

        Span<byte> header = stackalloc byte[OfpHeader.Size];
        buffer.Slice(0, OfpHeader.Size).CopyTo(header);
        return BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
    }

    private async ValueTask DispatchAsync(OfpHeader header, ReadOnlySequence<byte> frame)
    {
        if (!_negotiated.Task.IsCompleted)
        {
            await NegotiateAsync(header, frame).ConfigureAwait(false);
            return;
        }

        switch (header.Type)
        {
            case OfpType.EchoRequest:
                // Mirror the request's data and xid (OpenFlow 1.3.5 §A.5.2).
                await SendAsync(new EchoReply { Xid = header.Xid, Data = ByteData.Copy(frame.Slice(OfpHeader.Size).ToArray()) }).ConfigureAwait(false);
                return;
            case OfpType.Hello:
                // A second HELLO is legal noise; nothing to do.
                return;
        }

        if (_pending.TryGetValue(header.Xid, out var pending))
        {
            var copy = OpenFlowFrame.Copy(header, frame);
            if (header.Type == OfpType.Error)
            {
                _pending.TryRemove(header.Xid, out _);
                pending.Completion.TrySetException(OpenFlowErrorReplyException.FromFrame(copy));
                return;
            }

            pending.Parts.Add(copy);
            if (!copy.IsMultipartReplyMore)
            {
                _pending.TryRemove(header.Xid, out _);
                pending.Completion.TrySetResult(pending.Parts);
            }

            return;
        }

        if (header.Type == OfpType.EchoReply)
        {
            // Our keepalive probe's answer; receiving it already refreshed the liveness clock.
            return;
        }

        if (MessageReceived is { } handler)
        {
            await handler(OpenFlowFrame.Copy(header, frame)).ConfigureAwait(false);
        }
    }

    private async ValueTask NegotiateAsync(OfpHeader header, ReadOnlySequence<byte> frame)
    {
        if (header.Type != OfpType.Hello)
        {
            await TrySendErrorAsync(OfpError.BadType, header.Xid, frame.Slice(0, Math.Min(frame.Length, 64)).ToArray()).ConfigureAwait(false);
            Abort($"expected HELLO first, got {header.Type}");
            return;
        }

        Hello hello;
        try
        {
            hello = (Hello)MessageDecoder.Decode(frame.ToArray(), DecodeMode.Loose);
        }
        catch (OpenFlowException ex)
        {
            LogGarbage(_logger, PeerName, ex.Message);
            await TrySendErrorAsync(ex.Error, header.Xid, ex.Offending).ConfigureAwait(false);
            Abort($"malformed HELLO: {ex.Message}");
            return;
        }

        if (!hello.Offers(OfpHeader.Version13))
        {
            // The same wording as OVS (lib/vconn.c): "We support version 0x04, peer supports version 0x01".
            string offered = string.Join(", ", hello.OfferedVersions.Select(v => $"0x{v:x2}"));
            string text = $"We support version 0x04, peer supports version {(offered.Length == 0 ? "none" : offered)}";
            LogVersionMismatch(_logger, PeerName, text);
            try
            {
                await SendAsync(new ErrorMessage { Xid = header.Xid, Error = OfpError.HelloIncompatible, Data = ByteData.Copy(System.Text.Encoding.ASCII.GetBytes(text)) }).ConfigureAwait(false);
            }
            catch (OpenFlowChannelClosedException)
            {
                // Already gone.
            }

            Abort($"version negotiation failed: {text}");
            return;
        }

        LogNegotiated(_logger, PeerName);
        _negotiated.TrySetResult();
    }

    private async ValueTask TrySendErrorAsync(OfpError error, uint xid, ReadOnlyMemory<byte> offending)
    {
        try
        {
            await SendErrorAsync(error, xid, offending.Span).ConfigureAwait(false);
        }
        catch (OpenFlowChannelClosedException)
        {
            // The peer is already gone; the drop below is logged anyway.
        }
    }

    private async Task KeepaliveLoopAsync()
    {
        var tick = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond * 50, Math.Min(Options.EchoInterval.Ticks, Options.EchoTimeout.Ticks) / 4));
        using var timer = new PeriodicTimer(tick);
        long helloDeadline = Environment.TickCount64 + (long)Options.HelloTimeout.TotalMilliseconds;
        bool probeSent = false;
        try
        {
            while (await timer.WaitForNextTickAsync(_closing.Token).ConfigureAwait(false))
            {
                long now = Environment.TickCount64;
                if (!_negotiated.Task.IsCompleted)
                {
                    if (now > helloDeadline)
                    {
                        Abort($"no HELLO within {Options.HelloTimeout.TotalSeconds:0.#} s");
                        return;
                    }

                    continue;
                }

                long idle = now - Volatile.Read(ref _lastReceivedTicks);
                if (idle < Options.EchoInterval.TotalMilliseconds)
                {
                    probeSent = false;
                    continue;
                }

                if (idle >= (Options.EchoInterval + Options.EchoTimeout).TotalMilliseconds)
                {
                    LogDeadPeer(_logger, PeerName, idle / 1000.0);
                    Abort($"no echo reply or other message for {idle / 1000.0:0.#} s (dead peer)");
                    return;
                }

                if (!probeSent)
                {
                    probeSent = true;
                    await SendAsync(new EchoRequest { Xid = NextXid() }).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Connection closing.
        }
        catch (OpenFlowChannelClosedException)
        {
            // Connection closing.
        }
    }

    private sealed class PendingRequest(OfpType requestType)
    {
        public OfpType RequestType { get; } = requestType;

        public List<OpenFlowFrame> Parts { get; } = [];

        public TaskCompletionSource<IReadOnlyList<OpenFlowFrame>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "OpenFlow {Peer}: negotiated OpenFlow 1.3")]
    private static partial void LogNegotiated(ILogger logger, string peer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OpenFlow {Peer}: version negotiation failed: {Detail}; sent OFPT_ERROR HELLO_FAILED/INCOMPATIBLE and dropped the peer")]
    private static partial void LogVersionMismatch(ILogger logger, string peer, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OpenFlow {Peer}: malformed message, sent OFPT_ERROR and dropped the peer: {Detail}")]
    private static partial void LogGarbage(ILogger logger, string peer, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OpenFlow {Peer}: no echo reply for {IdleSeconds:0.#} s, peer is dead")]
    private static partial void LogDeadPeer(ILogger logger, string peer, double idleSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "OpenFlow {Peer}: connection closed: {Reason}")]
    private static partial void LogClosed(ILogger logger, string peer, string reason);
}
