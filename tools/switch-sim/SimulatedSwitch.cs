using System.Collections.Immutable;
using System.IO.Pipelines;
using System.Net.Sockets;
using Dvr.OpenFlow;
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

namespace Dvr.SwitchSim;

/// <summary>
/// One simulated OpenFlow 1.3 switch (one OVS bridge) on one connection to a controller, built on the Dvr
/// codec. The connection (<see cref="OpenFlowChannel"/>) does HELLO negotiation and ECHO both ways; this class
/// answers FEATURES, PORT_DESC and FLOW stats (split into REPLY_MORE parts as OVS does), BARRIER, ROLE, and
/// applies FLOW_MODs and ONF bundles (EXT-230: OPEN, ADD, CLOSE, COMMIT atomic, DISCARD) to an in-memory
/// <see cref="SimulatedFlowTable"/>, answering a bad request with the OFPT_ERROR OVS would send.
/// Messages are handled one at a time, in order, on the connection's read loop, so a barrier reply means
/// every earlier message has been processed (OpenFlow 1.3.5 §6.2).
/// </summary>
public sealed partial class SimulatedSwitch : IAsyncDisposable
{
    private readonly OpenFlowChannel _channel;
    private readonly SimulatedSwitchOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _tableLock = new();
    private readonly Dictionary<uint, OpenBundle> _bundles = [];
    private readonly Dictionary<string, uint> _ports;
    private SimulatedFlowTable _table = new();
    private ControllerRole _role = ControllerRole.Equal;
    private ulong? _generationId;
    private long _flowModsApplied;
    private long _barriersAnswered;
    private long _bundlesCommitted;
    private long _errorsSent;

    private SimulatedSwitch(OpenFlowChannel channel, SimulatedSwitchOptions options, ILogger logger)
    {
        _channel = channel;
        _options = options;
        _logger = logger;
        _ports = options.Ports.ToDictionary(p => p.Name, p => p.Number, StringComparer.Ordinal);
        channel.MessageReceived = OnMessageAsync;
    }

    public ulong DatapathId => _options.DatapathId;

    public string PeerName => _channel.PeerName;

    /// <summary>Completes when the connection to the controller has ended.</summary>
    public Task Completion => _channel.Completion;

    /// <summary>Completes once HELLO has been exchanged (version 1.3 agreed).</summary>
    public Task Negotiated => _channel.Negotiated;

    public int FlowCount
    {
        get
        {
            lock (_tableLock)
            {
                return _table.Count;
            }
        }
    }

    public long FlowModsApplied => Interlocked.Read(ref _flowModsApplied);

    public long BarriersAnswered => Interlocked.Read(ref _barriersAnswered);

    public long BundlesCommitted => Interlocked.Read(ref _bundlesCommitted);

    public long ErrorsSent => Interlocked.Read(ref _errorsSent);

    /// <summary>Raised after each BARRIER_REPLY is sent (on the connection's read loop; keep handlers short).</summary>
    public event EventHandler? BarrierAnswered;

    /// <summary>A snapshot of the installed flows.</summary>
    public ImmutableArray<SimulatedFlow> Flows()
    {
        lock (_tableLock)
        {
            return [.. _table.Flows];
        }
    }

    /// <summary>Connects to a controller listening on <paramref name="controller"/> (tcp:IP:PORT or unix:PATH) and starts answering.</summary>
    /// <exception cref="SocketException">The controller is not listening there.</exception>
    public static async Task<SimulatedSwitch> ConnectAsync(OpenFlowEndpoint controller, SimulatedSwitchOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(options);
        loggerFactory ??= NullLoggerFactory.Instance;
        var socket = controller.Transport == OpenFlowTransport.Tcp
            ? new Socket(controller.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(controller.EndPoint, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var channel = SocketTransport.CreateChannel(socket, $"{controller.Text} (dpid {options.DatapathId:x16})", options.Channel, loggerFactory.CreateLogger<OpenFlowChannel>());
        var simulated = new SimulatedSwitch(channel, options, loggerFactory.CreateLogger<SimulatedSwitch>());
        channel.Start();
        return simulated;
    }

    /// <summary>Runs the switch over an existing duplex pipe (an in-memory connection in tests).</summary>
    public static SimulatedSwitch Attach(IDuplexPipe transport, SimulatedSwitchOptions options, string peerName = "in-memory", ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        loggerFactory ??= NullLoggerFactory.Instance;
        var channel = new OpenFlowChannel(transport, peerName, options.Channel, loggerFactory.CreateLogger<OpenFlowChannel>());
        var simulated = new SimulatedSwitch(channel, options, loggerFactory.CreateLogger<SimulatedSwitch>());
        channel.Start();
        return simulated;
    }

    /// <summary>Adds (or renumbers) a port and tells the controller with PORT_STATUS ADD/MODIFY (OpenFlow 1.3.5 §7.4.3).</summary>
    public ValueTask AddPortAsync(string name, uint number, CancellationToken cancellationToken = default)
    {
        PortStatusReason reason;
        lock (_tableLock)
        {
            reason = _ports.ContainsKey(name) ? PortStatusReason.Modify : PortStatusReason.Add;
            _ports[name] = number;
        }

        return _channel.SendAsync(new PortStatus { Reason = reason, Port = Port(name, number) }, cancellationToken);
    }

    /// <summary>Removes a port and tells the controller with PORT_STATUS DELETE.</summary>
    public ValueTask RemovePortAsync(string name, CancellationToken cancellationToken = default)
    {
        uint number;
        lock (_tableLock)
        {
            if (!_ports.Remove(name, out number))
            {
                throw new ArgumentException($"port {name} does not exist on {_options.BridgeName}", nameof(name));
            }
        }

        return _channel.SendAsync(new PortStatus { Reason = PortStatusReason.Delete, Port = Port(name, number) }, cancellationToken);
    }

    /// <summary>Drops the connection (as if the switch went away).</summary>
    public void Disconnect(string reason = "simulated switch disconnected") => _channel.Abort(reason);

    public ValueTask DisposeAsync() => _channel.DisposeAsync();

    private async ValueTask OnMessageAsync(OpenFlowFrame frame)
    {
        OpenFlowMessage message;
        try
        {
            // Strict, as OVS is with what a controller asks it to change.
            message = MessageDecoder.Decode(frame.Bytes.Span, DecodeMode.Strict);
        }
        catch (OpenFlowException ex)
        {
            LogRejected(_logger, PeerName, frame.Type.ToString(), ex.Message);
            await SendErrorAsync(ex.Error, frame).ConfigureAwait(false);
            return;
        }

        switch (message)
        {
            case FeaturesRequest:
                await _channel.SendAsync(new FeaturesReply
                {
                    Xid = frame.Xid,
                    DatapathId = _options.DatapathId,
                    BufferCount = 0,
                    TableCount = SimulatedFlowTable.MaxTableId,
                    Capabilities = SwitchCapabilities.FlowStats | SwitchCapabilities.TableStats | SwitchCapabilities.PortStats | SwitchCapabilities.GroupStats | SwitchCapabilities.QueueStats,
                }).ConfigureAwait(false);
                break;
            case MultipartRequest { Body: PortDescRequest }:
                await _channel.SendAsync(new MultipartReply { Xid = frame.Xid, Body = new PortDescReply { Ports = PortDescriptions() } }).ConfigureAwait(false);
                break;
            case MultipartRequest { Body: FlowStatsRequest stats }:
                await SendFlowStatsAsync(frame.Xid, stats).ConfigureAwait(false);
                break;
            case MultipartRequest:
                // OVS answers multipart types it does not implement with OFPBRC_BAD_STAT (= BAD_MULTIPART in 1.3).
                await SendErrorAsync(OfpError.BadMultipart, frame).ConfigureAwait(false);
                break;
            case BarrierRequest:
                if (_options.ReplyDelay > TimeSpan.Zero)
                {
                    await Task.Delay(_options.ReplyDelay).ConfigureAwait(false);
                }

                await _channel.SendAsync(new BarrierReply { Xid = frame.Xid }).ConfigureAwait(false);
                Interlocked.Increment(ref _barriersAnswered);
                BarrierAnswered?.Invoke(this, EventArgs.Empty);
                break;
            case RoleRequest role:
                await AnswerRoleAsync(role, frame).ConfigureAwait(false);
                break;
            case FlowMod mod:
                OfpError? error;
                lock (_tableLock)
                {
                    error = _table.Apply(mod);
                }

                if (error is { } failed)
                {
                    await SendErrorAsync(failed, frame).ConfigureAwait(false);
                }
                else
                {
                    Interlocked.Increment(ref _flowModsApplied);
                }

                break;
            case BundleControl control:
                await HandleBundleControlAsync(control, frame).ConfigureAwait(false);
                break;
            case BundleAddMessage add:
                await HandleBundleAddAsync(add, frame).ConfigureAwait(false);
                break;
            case EchoReply or Hello or ErrorMessage:
                // Noise or answers to nothing we asked: a switch ignores them.
                break;
            default:
                // Messages a real bridge accepts but this simulator does not model (GROUP_MOD, PACKET_OUT, ...).
                await SendErrorAsync(OfpError.BadType, frame).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>
    /// OFPMP_FLOW reply in parts: entries are appended while the part stays within
    /// <see cref="SimulatedSwitchOptions.MaxPartBytes"/>; every part but the last carries REPLY_MORE
    /// (OpenFlow 1.3.5 §7.3.5). An empty result is one empty part.
    /// </summary>
    private async Task SendFlowStatsAsync(uint xid, FlowStatsRequest request)
    {
        List<FlowStatsEntry> entries;
        lock (_tableLock)
        {
            entries = [.. _table.Query(request.TableId, request.Cookie, request.CookieMask, request.Match, request.OutPort).Select(ToStatsEntry)];
        }

        var parts = new List<OpenFlowMessage>();
        var part = ImmutableArray.CreateBuilder<FlowStatsEntry>();
        int partBytes = OfpHeader.Size + MultipartMessage.HeaderLength;
        foreach (var entry in entries)
        {
            int length = entry.EncodedLength;
            if (part.Count > 0 && partBytes + length > _options.MaxPartBytes)
            {
                parts.Add(new MultipartReply { Xid = xid, Flags = MultipartFlags.More, Body = new FlowStatsReply { Entries = part.ToImmutable() } });
                part.Clear();
                partBytes = OfpHeader.Size + MultipartMessage.HeaderLength;
            }

            part.Add(entry);
            partBytes += length;
        }

        parts.Add(new MultipartReply { Xid = xid, Body = new FlowStatsReply { Entries = part.ToImmutable() } });
        await _channel.SendAsync(parts).ConfigureAwait(false);
    }

    private static FlowStatsEntry ToStatsEntry(SimulatedFlow flow) => new()
    {
        TableId = flow.TableId,
        Priority = flow.Priority,
        IdleTimeout = flow.IdleTimeout,
        HardTimeout = flow.HardTimeout,
        Flags = flow.Flags,
        Cookie = flow.Cookie,
        Match = flow.Match,
        Instructions = flow.Instructions,
    };

    /// <summary>
    /// ROLE_REQUEST (OpenFlow 1.3.5 §6.3.7): NOCHANGE reports the current role; PRIMARY/SECONDARY carry a
    /// generation_id that must not go backwards (compared as a wrapping signed difference), else OFPRRFC_STALE.
    /// </summary>
    private async Task AnswerRoleAsync(RoleRequest request, OpenFlowFrame frame)
    {
        if (request.Role is ControllerRole.Primary or ControllerRole.Secondary)
        {
            if (_generationId is { } cached && (long)(request.GenerationId - cached) < 0)
            {
                await SendErrorAsync(OfpError.RoleStale, frame).ConfigureAwait(false);
                return;
            }

            _generationId = request.GenerationId;
        }

        if (request.Role != ControllerRole.NoChange)
        {
            _role = request.Role;
        }

        await _channel.SendAsync(new RoleReply { Xid = frame.Xid, Role = _role, GenerationId = _generationId ?? 0 }).ConfigureAwait(false);
    }

    /// <summary>
    /// ONF bundle control (EXT-230, as OVS ofproto/bundles.c and ofproto.c handle_bundle_control): bundles belong
    /// to this connection. OPEN of an existing id drops it and fails with BAD_ID; CLOSE, COMMIT and DISCARD of an
    /// unknown id fail with BAD_ID; flags must be the ones the bundle was opened with (BAD_FLAGS). COMMIT
    /// applies every message to a staged copy of the table and switches over only if all succeed; otherwise the
    /// failing message's error is sent with its own xid, then MSG_FAILED for the commit, and nothing changes.
    /// </summary>
    private async Task HandleBundleControlAsync(BundleControl control, OpenFlowFrame frame)
    {
        _bundles.TryGetValue(control.BundleId, out var bundle);
        switch (control.ControlType)
        {
            case BundleControlType.OpenRequest:
                if (bundle is not null)
                {
                    _bundles.Remove(control.BundleId);
                    await SendErrorAsync(OfpError.BundleBadId, frame).ConfigureAwait(false);
                    return;
                }

                _bundles[control.BundleId] = new OpenBundle(control.Flags);
                break;
            case BundleControlType.CloseRequest:
                if (bundle is null || bundle.Closed || bundle.Flags != control.Flags)
                {
                    await FailBundleAsync(control.BundleId, bundle is null ? OfpError.BundleBadId : bundle.Closed ? OfpError.BundleClosed : OfpError.BundleBadFlags, frame).ConfigureAwait(false);
                    return;
                }

                bundle.Closed = true;
                break;
            case BundleControlType.CommitRequest:
                if (bundle is null || bundle.Flags != control.Flags)
                {
                    await FailBundleAsync(control.BundleId, bundle is null ? OfpError.BundleBadId : OfpError.BundleBadFlags, frame).ConfigureAwait(false);
                    return;
                }

                _bundles.Remove(control.BundleId);
                if (!await CommitAsync(bundle).ConfigureAwait(false))
                {
                    await SendErrorAsync(OfpError.BundleMessageFailed, frame).ConfigureAwait(false);
                    return;
                }

                if (_options.ReplyDelay > TimeSpan.Zero)
                {
                    await Task.Delay(_options.ReplyDelay).ConfigureAwait(false);
                }

                Interlocked.Increment(ref _bundlesCommitted);
                break;
            case BundleControlType.DiscardRequest:
                if (bundle is null)
                {
                    await SendErrorAsync(OfpError.BundleBadId, frame).ConfigureAwait(false);
                    return;
                }

                _bundles.Remove(control.BundleId);
                break;
            default:
                // A *_REPLY type sent to a switch.
                await SendErrorAsync(OfpError.BundleBadType, frame).ConfigureAwait(false);
                return;
        }

        await _channel.SendAsync(control.CreateReply()).ConfigureAwait(false);
    }

    private async Task<bool> CommitAsync(OpenBundle bundle)
    {
        (FlowMod Mod, OpenFlowFrame Frame, OfpError Error)? failure = null;
        lock (_tableLock)
        {
            var staged = _table.Clone();
            foreach (var (mod, addFrame) in bundle.Messages)
            {
                if (staged.Apply(mod) is { } error)
                {
                    failure = (mod, addFrame, error);
                    break;
                }
            }

            if (failure is null)
            {
                _table = staged;
                Interlocked.Add(ref _flowModsApplied, bundle.Messages.Count);
            }
        }

        if (failure is { } failed)
        {
            await SendErrorAsync(failed.Error, failed.Frame).ConfigureAwait(false);
            return false;
        }

        return true;
    }

    /// <summary>
    /// ONF bundle add: an unknown id opens the bundle implicitly (OVS does the same); adding to a closed bundle
    /// or with other flags fails and drops the bundle; the inner message must be bundlable here (FLOW_MOD),
    /// carry the outer xid, and pass the checks a FLOW_MOD gets, or it is refused with an error at add time and
    /// left out of the bundle (the rest still commits, as in OVS).
    /// </summary>
    private async Task HandleBundleAddAsync(BundleAddMessage add, OpenFlowFrame frame)
    {
        if (!_bundles.TryGetValue(add.BundleId, out var bundle))
        {
            bundle = new OpenBundle(add.Flags);
            _bundles[add.BundleId] = bundle;
        }

        if (bundle.Closed || bundle.Flags != add.Flags)
        {
            // OVS drops the whole bundle for these two (ofproto/bundles.c ofp_bundle_add_message).
            await FailBundleAsync(add.BundleId, bundle.Closed ? OfpError.BundleClosed : OfpError.BundleBadFlags, frame).ConfigureAwait(false);
            return;
        }

        OfpError? error =
            add.Message is not FlowMod ? OfpError.BundleMessageUnsupported
            : add.Message.Xid != add.Xid ? OfpError.BundleMessageBadXid
            : SimulatedFlowTable.Validate((FlowMod)add.Message);
        if (error is { } failed)
        {
            await SendErrorAsync(failed, frame).ConfigureAwait(false);
            return;
        }

        bundle.Messages.Add(((FlowMod)add.Message, frame));
    }

    private async Task FailBundleAsync(uint bundleId, OfpError error, OpenFlowFrame frame)
    {
        _bundles.Remove(bundleId);
        await SendErrorAsync(error, frame).ConfigureAwait(false);
    }

    private async ValueTask SendErrorAsync(OfpError error, OpenFlowFrame offending)
    {
        Interlocked.Increment(ref _errorsSent);
        LogError(_logger, PeerName, ErrorNames.Format(error), offending.Xid);

        // OVS echoes the whole offending message in the error's data (ofperr_encode_reply).
        await _channel.SendAsync(ErrorMessage.ForRequest(error, offending.Bytes.Span)).ConfigureAwait(false);
    }

    private ImmutableArray<PortDescription> PortDescriptions()
    {
        lock (_tableLock)
        {
            return [.. _ports.OrderBy(p => p.Value).Select(p => Port(p.Key, p.Value)), Port(_options.BridgeName, Dvr.OpenFlow.Actions.OfpPort.Local)];
        }
    }

    private PortDescription Port(string name, uint number) => new()
    {
        PortNumber = number,
        Name = name,

        // A locally administered MAC derived from the datapath and port, stable across runs.
        HardwareAddress = new MacAddress(0x020000000000UL | ((_options.DatapathId & 0xffffff) << 16) | (number & 0xffff)),
        State = PortState.Live,
        CurrentSpeedKbps = 10_000_000,
        MaxSpeedKbps = 10_000_000,
    };

    private sealed class OpenBundle(BundleFlags flags)
    {
        public BundleFlags Flags { get; } = flags;

        public bool Closed { get; set; }

        public List<(FlowMod Mod, OpenFlowFrame Frame)> Messages { get; } = [];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "switch-sim {Peer}: could not decode {Type}: {Detail}")]
    private static partial void LogRejected(ILogger logger, string peer, string type, string detail);

    [LoggerMessage(Level = LogLevel.Debug, Message = "switch-sim {Peer}: sent {Error} for xid {Xid}")]
    private static partial void LogError(ILogger logger, string peer, string error, uint xid);
}
