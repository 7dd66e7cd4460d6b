using System.Buffers;
using System.Collections.Concurrent;
using Dvr.DvrFlows.Reconcile;
using Dvr.OpenFlow.Connection;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Messages.Bundle;
using Dvr.OpenFlow.Messages.Flow;
using Dvr.OpenFlow.Messages.Multipart;
using Dvr.OpenFlow.Messages.Port;
using Dvr.OpenFlow.Messages.Switch;
using Dvr.OpenFlow.Messages.Symmetric;
using Dvr.OpenFlow.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dvr.DvrFlows.Apply;

/// <summary>
/// A switch (one OVS bridge) behind an <see cref="OpenFlowChannel"/>: the handshake (FEATURES for the
/// datapath id, PORT_DESC for the ports), live port tracking from PORT_STATUS, cookie-filtered flow dumps,
/// and atomic application of a change set as one ONF bundle (EXT-230).
/// </summary>
public sealed partial class OpenFlowSwitch : ISwitchConnection
{
    private readonly OpenFlowChannel _channel;
    private readonly ILogger _logger;
    private readonly Lock _portsLock = new();
    private readonly List<PortStatus> _earlyStatuses = [];
    private readonly ConcurrentDictionary<uint, OpenFlowErrorReplyException> _errors = new();
    private Dictionary<string, uint> _ports = new(StringComparer.Ordinal);
    private bool _portsKnown;
    private uint _nextBundleId;
    private (uint First, uint End) _errorWindow;

    private OpenFlowSwitch(OpenFlowChannel channel, ILogger logger)
    {
        _channel = channel;
        _logger = logger;
    }

    public event EventHandler? PortsChanged;

    public string PeerName => _channel.PeerName;

    public ulong DatapathId { get; private set; }

    public OpenFlowChannel Channel => _channel;

    public IReadOnlyDictionary<string, uint> Ports
    {
        get
        {
            lock (_portsLock)
            {
                return _ports;
            }
        }
    }

    public Task Completion => _channel.Completion;

    /// <summary>
    /// Runs the handshake on a started channel: waits for version negotiation, reads the datapath id
    /// (FEATURES_REQUEST, OpenFlow 1.3.5 §7.3.1) and the ports (OFPMP_PORT_DESC, §7.3.5.7).
    /// </summary>
    public static async Task<OpenFlowSwitch> HandshakeAsync(OpenFlowChannel channel, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        var session = new OpenFlowSwitch(channel, logger ?? NullLogger.Instance);
        channel.MessageReceived = session.OnMessageAsync;
        await channel.Negotiated.WaitAsync(cancellationToken).ConfigureAwait(false);
        var features = Decode<FeaturesReply>((await channel.RequestAsync(new FeaturesRequest(), cancellationToken).ConfigureAwait(false))[0]);
        session.DatapathId = features.DatapathId;
        var parts = await channel.RequestAsync(new MultipartRequest { Body = new PortDescRequest() }, cancellationToken).ConfigureAwait(false);
        var ports = MultipartAssembler.Ports(parts.Select(Decode<MultipartReply>));
        lock (session._portsLock)
        {
            session._ports = ports.ToDictionary(p => p.Name, p => p.PortNumber, StringComparer.Ordinal);
            session._portsKnown = true;
            foreach (var status in session._earlyStatuses)
            {
                session.ApplyPortStatus(status);
            }

            session._earlyStatuses.Clear();
        }

        LogHandshake(session._logger, channel.PeerName, features.DatapathId, ports.Length);
        return session;
    }

    /// <summary>Sends OFPT_ROLE_REQUEST (OpenFlow 1.3.5 §7.3.9) and returns the role the switch granted.</summary>
    public async Task<RoleReply> RequestRoleAsync(ControllerRole role, ulong generationId, CancellationToken cancellationToken = default)
    {
        var reply = await _channel.RequestAsync(new RoleRequest { Role = role, GenerationId = generationId }, cancellationToken).ConfigureAwait(false);
        return Decode<RoleReply>(reply[0]);
    }

    /// <summary>Sends a barrier and waits for its reply: every earlier message has been processed.</summary>
    public async Task BarrierAsync(CancellationToken cancellationToken = default) =>
        await _channel.RequestAsync(new BarrierRequest(), cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<FlowEntry>> DumpFlowsAsync(ulong cookie, CancellationToken cancellationToken)
    {
        // OFPMP_FLOW with cookie_mask all ones: only flows carrying exactly our cookie (OpenFlow 1.3.5 §7.3.5.2).
        var request = new MultipartRequest { Body = new FlowStatsRequest { Cookie = cookie, CookieMask = ulong.MaxValue } };
        var parts = await _channel.RequestAsync(request, cancellationToken).ConfigureAwait(false);
        var entries = MultipartAssembler.FlowEntries(parts.Select(Decode<MultipartReply>));
        return [.. entries.Select(e => new FlowEntry(e.TableId, e.Priority, e.Match, e.Cookie, e.Instructions))];
    }

    /// <summary>
    /// One bundle per change set (ONF EXT-230, as OVN's ofctrl_put): OPEN, ADD_MESSAGE × N, then a BARRIER so
    /// every ADD has been validated (OVS reports a bad message at ADD time and would still commit the rest),
    /// then COMMIT with ATOMIC|ORDERED and a final BARRIER. Any error discards the bundle.
    /// </summary>
    public async Task ApplyAsync(FlowDiff diff, CancellationToken cancellationToken)
    {
        uint bundleId = Interlocked.Increment(ref _nextBundleId);
        const BundleFlags flags = BundleFlags.Atomic | BundleFlags.Ordered;
        uint first = _channel.NextXid((uint)diff.Count + 4);

        // Each FLOW_MOD carries the xid of the BUNDLE_ADD that carries it (EXT-230 requires them equal); they are
        // encoded straight from the flows (no FlowMod objects), and an error names its flow through diff.At.
        uint openXid = first;
        uint barrierXid = first + (uint)diff.Count + 1;
        uint commitXid = barrierXid + 1;
        uint finalBarrierXid = commitXid + 1;
        _errors.Clear();
        _errorWindow = (first, finalBarrierXid + 1);
        try
        {
            var opened = _channel.ExpectReply(openXid, OfpType.Experimenter);
            var validated = _channel.ExpectReply(barrierXid, OfpType.BarrierRequest);
            await SendBundleAddsAsync(diff, bundleId, flags, first, barrierXid, cancellationToken).ConfigureAwait(false);
            await AwaitReplyAsync(validated, cancellationToken).ConfigureAwait(false);
            await AwaitReplyAsync(opened, cancellationToken).ConfigureAwait(false);
            if (FirstError(first, diff) is { } rejected)
            {
                await DiscardAsync(bundleId, flags, cancellationToken).ConfigureAwait(false);
                throw rejected;
            }

            var committed = _channel.ExpectReply(commitXid, OfpType.Experimenter);
            var done = _channel.ExpectReply(finalBarrierXid, OfpType.BarrierRequest);
            await _channel.SendAsync(
                [new BundleControl { Xid = commitXid, BundleId = bundleId, ControlType = BundleControlType.CommitRequest, Flags = flags }, new BarrierRequest { Xid = finalBarrierXid }],
                cancellationToken).ConfigureAwait(false);
            await AwaitReplyAsync(done, cancellationToken).ConfigureAwait(false);
            try
            {
                await AwaitReplyAsync(committed, cancellationToken).ConfigureAwait(false);
            }
            catch (OpenFlowErrorReplyException ex)
            {
                throw FirstError(first, diff) ?? new FlowApplyException(PeerName, ex.Error, null, "bundle commit failed");
            }
        }
        catch (OpenFlowErrorReplyException ex)
        {
            throw new FlowApplyException(PeerName, ex.Error, null, $"bundle control xid {ex.Xid} failed");
        }
        finally
        {
            _errorWindow = default;
            foreach (uint xid in new[] { openXid, barrierXid, commitXid, finalBarrierXid })
            {
                _channel.CancelExpectation(xid);
            }
        }
    }

    /// <summary>
    /// The encode buffers, kept between applies: a fresh 18 MB array per 100,000-flow push cost about 50 ms of page
    /// faults and large-object collections. A pool of its own because <see cref="ArrayPool{T}.Shared"/> parks a
    /// returned array in the returning thread's slot, out of reach of the next apply's continuation on another thread
    /// (3 of 4 pushes still got a fresh array). It keeps at most one array per power-of-two size up to 32 MiB.
    /// </summary>
    private static readonly ArrayPool<byte> EncodeBuffers = ArrayPool<byte>.Create(32 * 1024 * 1024, 1);

    /// <summary>
    /// Up to this many encoded bytes (≈190,000 bundled DVR flows) are prepared before they are written: with the OPEN
    /// before and one more message after, a slab still fits the pool's largest array.
    /// </summary>
    private const int EncodeSlabBytes = 32 * 1024 * 1024 - 2 * OfpHeader.MaxLength;

    /// <summary>Bytes a bundled DVR FLOW_MOD takes, to size the encode buffer (an estimate: the buffer grows if needed).</summary>
    private const int TypicalBundledFlowModBytes = 176;

    /// <summary>
    /// Encodes OPEN, the diff's BUNDLE_ADDs and the validation barrier into memory, then writes them (in slabs of
    /// <see cref="EncodeSlabBytes"/>). Measured on a 2-vCPU machine with 100,000 flows (docs/benchmarks.md, "Push"):
    /// encoding while the switch reads made ovs-vswitchd spend 15-25% more CPU on the same bytes than when they
    /// arrive pre-encoded (with the old encoder and again with this one), which costs far more wall time than the
    /// 10-20 ms of encoding up front.
    /// </summary>
    private async Task SendBundleAddsAsync(FlowDiff diff, uint bundleId, BundleFlags flags, uint openXid, uint barrierXid, CancellationToken cancellationToken)
    {
        using var buffer = new PooledBufferWriter(EncodeBuffers, (int)Math.Min(EncodeSlabBytes + OfpHeader.MaxLength, (diff.Count + 4L) * TypicalBundledFlowModBytes));
        new BundleControl { Xid = openXid, BundleId = bundleId, ControlType = BundleControlType.OpenRequest, Flags = flags }.Encode(buffer);
        int next = 0;
        while (true)
        {
            next = diff.EncodeBundled(buffer, next, openXid + 1, bundleId, flags, EncodeSlabBytes);
            if (next == diff.Count)
            {
                break;
            }

            await _channel.SendEncodedAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            buffer.ResetWrittenCount();
        }

        new BarrierRequest { Xid = barrierXid }.Encode(buffer);
        await _channel.SendEncodedAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    private FlowApplyException? FirstError(uint firstXid, FlowDiff diff)
    {
        foreach (var (xid, error) in _errors.OrderBy(e => e.Key))
        {
            long index = (long)xid - firstXid - 1;
            if (index >= 0 && index < diff.Count)
            {
                var (flow, command) = diff.At((int)index);
                return new FlowApplyException(PeerName, error.Error, flow, $"{command}, xid {xid}");
            }

            return new FlowApplyException(PeerName, error.Error, null, $"bundle control, xid {xid}");
        }

        return null;
    }

    private async Task DiscardAsync(uint bundleId, BundleFlags flags, CancellationToken cancellationToken)
    {
        try
        {
            await _channel.RequestAsync(new BundleControl { BundleId = bundleId, ControlType = BundleControlType.DiscardRequest, Flags = flags }, cancellationToken).ConfigureAwait(false);
        }
        catch (OpenFlowErrorReplyException)
        {
            // The switch may have dropped the bundle already (e.g. the OPEN failed); either way it is gone.
        }
    }

    private async Task AwaitReplyAsync(Task<IReadOnlyList<OpenFlowFrame>> reply, CancellationToken cancellationToken)
    {
        try
        {
            await reply.WaitAsync(_channel.Options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{PeerName}: no reply to the bundle within {_channel.Options.RequestTimeout.TotalSeconds:0.#} s");
        }
    }

    private ValueTask OnMessageAsync(OpenFlowFrame frame)
    {
        try
        {
            switch (frame.Type)
            {
                case OfpType.PortStatus:
                    var status = Decode<PortStatus>(frame);
                    bool changed;
                    lock (_portsLock)
                    {
                        if (!_portsKnown)
                        {
                            _earlyStatuses.Add(status);
                            return ValueTask.CompletedTask;
                        }

                        changed = ApplyPortStatus(status);
                    }

                    LogPortStatus(_logger, PeerName, status.Reason.ToString(), status.Port.Name, status.Port.PortNumber);
                    if (changed)
                    {
                        PortsChanged?.Invoke(this, EventArgs.Empty);
                    }

                    break;
                case OfpType.Error:
                    var error = OpenFlowErrorReplyException.FromFrame(frame);
                    var (first, end) = _errorWindow;
                    if (frame.Xid >= first && frame.Xid < end)
                    {
                        _errors.TryAdd(frame.Xid, error);
                    }
                    else
                    {
                        LogUnsolicitedError(_logger, PeerName, ErrorNames.Format(error.Error), frame.Xid);
                    }

                    break;
                default:
                    // PACKET_IN, FLOW_REMOVED, ...: Dvr installs no flow that sends them; nothing to do.
                    break;
            }
        }
        catch (OpenFlowException ex)
        {
            LogUndecodable(_logger, PeerName, frame.Type.ToString(), ex.Message);
            return _channel.SendErrorAsync(ex.Error, frame.Xid, frame.Bytes.Span);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Returns true when the name → number map changed.</summary>
    private bool ApplyPortStatus(PortStatus status)
    {
        var next = new Dictionary<string, uint>(_ports, StringComparer.Ordinal);
        if (status.Reason == PortStatusReason.Delete)
        {
            next.Remove(status.Port.Name);
        }
        else
        {
            next[status.Port.Name] = status.Port.PortNumber;
        }

        bool changed = next.Count != _ports.Count || next.Any(p => !_ports.TryGetValue(p.Key, out uint n) || n != p.Value);
        _ports = next;
        return changed;
    }

    private static T Decode<T>(OpenFlowFrame frame)
        where T : OpenFlowMessage =>
        MessageDecoder.Decode(frame.Bytes.Span, DecodeMode.Loose) as T
        ?? throw new OpenFlowException(OfpError.BadType, $"expected {typeof(T).Name}, got {frame.Type}", frame.Bytes.Span);

    [LoggerMessage(Level = LogLevel.Information, Message = "OpenFlow {Peer}: datapath {DatapathId:x16} with {Ports} port(s)")]
    private static partial void LogHandshake(ILogger logger, string peer, ulong datapathId, int ports);

    [LoggerMessage(Level = LogLevel.Information, Message = "OpenFlow {Peer}: port {Reason} {Name} ofport {OfPort}")]
    private static partial void LogPortStatus(ILogger logger, string peer, string reason, string name, uint ofPort);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OpenFlow {Peer}: switch reported {Error} for xid {Xid}")]
    private static partial void LogUnsolicitedError(ILogger logger, string peer, string error, uint xid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OpenFlow {Peer}: could not decode {Type}: {Detail}; sent OFPT_ERROR")]
    private static partial void LogUndecodable(ILogger logger, string peer, string type, string detail);
}
