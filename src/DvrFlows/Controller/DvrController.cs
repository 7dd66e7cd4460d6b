using System.Collections.Concurrent;
using Dvr.DvrFlows.Apply;
using Dvr.DvrFlows.Reconcile;
using Dvr.DvrFlows.Topology;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dvr.DvrFlows.Controller;

/// <summary>
/// Ties switches to the topology: a connected switch is identified by its datapath id as (host, bridge),
/// gets a <see cref="BridgeSession"/>, and is kept equal to the flows compiled for it. A topology change or a
/// port change on any bridge of a host re-runs the compile and reconciles the affected sessions; sessions
/// whose flows did not change send nothing.
/// </summary>
public sealed partial class DvrController
{
    private readonly IDesiredFlowSource _source;
    private readonly BridgeSessionOptions _sessionOptions;
    private readonly IControllerMetrics _metrics;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<(string Host, string Bridge), BridgeSession> _sessions = new();
    private readonly ConcurrentDictionary<string, HostPortMap> _ports = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CachedCompile> _compiled = new(StringComparer.Ordinal);
    private Topology.Topology _topology;
    private long _topologyVersion;

    public DvrController(Topology.Topology topology, IDesiredFlowSource source, BridgeSessionOptions? sessionOptions = null, IControllerMetrics? metrics = null, ILoggerFactory? loggerFactory = null)
    {
        _topology = topology;
        _source = source;
        _sessionOptions = sessionOptions ?? BridgeSessionOptions.Default;
        _metrics = metrics ?? NullControllerMetrics.Instance;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<DvrController>();
    }

    public Topology.Topology Topology => Volatile.Read(ref _topology);

    /// <summary>The live sessions (one per connected, known bridge).</summary>
    public IReadOnlyCollection<BridgeSession> Sessions => [.. _sessions.Values];

    public BridgeSession? FindSession(string host, string bridge) => _sessions.TryGetValue((host, bridge), out var s) ? s : null;

    /// <summary>Finds the (host, bridge) a datapath id belongs to.</summary>
    public static (Host Host, string Bridge)? Locate(Topology.Topology topology, ulong datapathId)
    {
        foreach (var host in topology.Hosts)
        {
            if (host.Integration.DatapathId == datapathId)
            {
                return (host, host.Integration.Name);
            }

            if (host.Tunnel.DatapathId == datapathId)
            {
                return (host, host.Tunnel.Name);
            }

            foreach (var physical in host.PhysicalBridges.Values)
            {
                if (physical.DatapathId == datapathId)
                {
                    return (host, physical.Name);
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Checks that <paramref name="topology"/> compiles for every host with connected bridges (with their
    /// live ports) before anything is changed, then applies it. A topology that fails is rejected whole and
    /// the running flows stay as they are.
    /// </summary>
    /// <returns>null when applied; otherwise why it was rejected.</returns>
    public string? TryUpdateTopology(Topology.Topology topology)
    {
        foreach (string hostName in _sessions.Keys.Select(k => k.Host).Distinct(StringComparer.Ordinal))
        {
            var host = topology.Hosts.FirstOrDefault(h => h.Name == hostName);
            if (host is null)
            {
                continue;
            }

            try
            {
                _source.Compute(topology, host, _ports.TryGetValue(hostName, out var map) ? map : HostPortMap.Empty);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or KeyNotFoundException or FormatException)
            {
                return $"host {hostName}: {ex.Message}";
            }
        }

        UpdateTopology(topology);
        return null;
    }

    /// <summary>
    /// Replaces the topology (already validated) and reconciles every connected bridge. Bridges whose
    /// compiled flows are unchanged send nothing.
    /// </summary>
    public void UpdateTopology(Topology.Topology topology)
    {
        Volatile.Write(ref _topology, topology);
        Interlocked.Increment(ref _topologyVersion);
        _compiled.Clear();
        LogTopologyApplied(_logger, topology.Hosts.Length, _sessions.Count);
        foreach (var session in _sessions.Values)
        {
            session.RequestReconcile();
        }
    }

    /// <summary>
    /// Runs one switch for as long as it stays connected: locate it by datapath id, track its ports, and keep
    /// its flows reconciled. A switch not in the topology is left alone (its flows untouched).
    /// </summary>
    public async Task RunSwitchAsync(ISwitchConnection connection, CancellationToken cancellationToken)
    {
        var located = Locate(Topology, connection.DatapathId);
        if (located is null)
        {
            LogUnknownDatapath(_logger, connection.PeerName, connection.DatapathId);
            await connection.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        var (host, bridge) = located.Value;
        var session = new BridgeSession(
            host.Name,
            bridge,
            Topology.Global.Cookie,
            connection,
            () => DesiredFor(host.Name, bridge),
            _sessionOptions,
            _metrics,
            _loggerFactory.CreateLogger<BridgeSession>());

        if (_sessions.TryGetValue((host.Name, bridge), out var previous))
        {
            // The bridge reconnected before the old connection noticed it was dead (e.g. vswitchd restart).
            LogReplaced(_logger, host.Name, bridge, previous.Connection.PeerName);
        }

        _sessions[(host.Name, bridge)] = session;
        UpdatePorts(host.Name, bridge, connection.Ports);
        void OnPortsChanged(object? sender, EventArgs e) => UpdatePorts(host.Name, bridge, connection.Ports);
        connection.PortsChanged += OnPortsChanged;
        try
        {
            await session.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            connection.PortsChanged -= OnPortsChanged;
            if (_sessions.TryRemove(new KeyValuePair<(string, string), BridgeSession>((host.Name, bridge), session)))
            {
                _metrics.SetState(host.Name, bridge, BridgeState.Disconnected);
            }
        }
    }

    private void UpdatePorts(string host, string bridge, IReadOnlyDictionary<string, uint> ports)
    {
        var snapshot = new Dictionary<string, uint>(ports, StringComparer.Ordinal);
        _ports.AddOrUpdate(host, _ => HostPortMap.Empty.With(bridge, snapshot), (_, map) => map.With(bridge, snapshot));
        _compiled.TryRemove(host, out _);

        // A port on one bridge can change flows on its sibling bridges (patch and tunnel ports).
        foreach (var session in _sessions.Values)
        {
            if (session.Host == host)
            {
                session.RequestReconcile();
            }
        }
    }

    private IReadOnlyList<FlowEntry>? DesiredFor(string hostName, string bridge)
    {
        var topology = Topology;
        long version = Interlocked.Read(ref _topologyVersion);
        var ports = _ports.TryGetValue(hostName, out var map) ? map : HostPortMap.Empty;
        if (!_compiled.TryGetValue(hostName, out var cached) || cached.TopologyVersion != version || !ReferenceEquals(cached.Ports, ports))
        {
            var host = topology.Hosts.FirstOrDefault(h => h.Name == hostName);
            if (host is null)
            {
                return null;
            }

            cached = new CachedCompile(version, ports, _source.Compute(topology, host, ports));
            _compiled[hostName] = cached;
        }

        return cached.Bridges.TryGetValue(bridge, out var flows) ? flows : null;
    }

    private sealed record CachedCompile(long TopologyVersion, HostPortMap Ports, IReadOnlyDictionary<string, IReadOnlyList<FlowEntry>> Bridges);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OpenFlow {Peer}: datapath {DatapathId:x16} is not a bridge of any host in the topology; leaving its flows alone")]
    private static partial void LogUnknownDatapath(ILogger logger, string peer, ulong datapathId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Host}/{Bridge}: new connection replaces the one from {Peer}")]
    private static partial void LogReplaced(ILogger logger, string host, string bridge, string peer);

    [LoggerMessage(Level = LogLevel.Information, Message = "topology applied: {Hosts} host(s), reconciling {Sessions} connected bridge(s)")]
    private static partial void LogTopologyApplied(ILogger logger, int hosts, int sessions);
}
