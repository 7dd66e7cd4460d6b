using System.Diagnostics;
using Dvr.DvrFlows.Apply;
using Dvr.DvrFlows.Controller;
using Dvr.DvrFlows.Topology;
using Dvr.OpenFlow.Connection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dvr.OvsTestbed;

/// <summary>
/// A whole DVR cloud on one machine: the namespace testbed built from a topology, with the Dvr controller
/// (in this process) as the controller of every bridge over a unix socket. Used by the end-to-end tests and the
/// demo. The controller can be stopped and started again while the testbed keeps forwarding
/// (fail_mode=secure keeps flows while no controller is connected).
/// </summary>
public sealed class DvrCloud : IAsyncDisposable
{
    private readonly ILoggerFactory _logs;
    private ControllerHost? _controller;

    private DvrCloud(Topology topology, string controllerSocket, ILoggerFactory logs)
    {
        Topology = topology;
        ControllerSocket = controllerSocket;
        _logs = logs;
    }

    public Topology Topology { get; private set; }

    public RunningTestbed Testbed { get; private set; } = null!;

    /// <summary>The unix socket the controller listens on (each host's rundir links to it).</summary>
    public string ControllerSocket { get; }

    public DvrController? Controller => _controller?.Controller;

    /// <summary>Bridges the controller must own: every host's br-int, br-tun and physical bridges.</summary>
    public int ExpectedBridgeCount => Topology.Hosts.Sum(h => 2 + h.PhysicalBridges.Count);

    /// <summary>Starts the controller, brings the testbed up pointed at it, and waits until every bridge is in sync.</summary>
    public static async Task<DvrCloud> StartAsync(Topology topology, string prefix, ILoggerFactory? logs = null, TimeSpan? convergeTimeout = null, CancellationToken cancellationToken = default)
    {
        var options = new TestbedOptions { Prefix = prefix };
        // The socket lives beside (not inside) the run directory, which `up` wipes when it cleans a previous run.
        string socketDirectory = Path.Combine(TestbedOptions.DefaultBaseParent, prefix + "ctl");
        Directory.CreateDirectory(socketDirectory);
        string socket = Path.Combine(socketDirectory, "controller.sock");
        File.Delete(socket);
        var cloud = new DvrCloud(topology, socket, logs ?? NullLoggerFactory.Instance);
        cloud.StartController();
        try
        {
            cloud.Testbed = await OvsTestbed.Testbed.UpAsync(topology, options with { Controller = new UnixController(socket) }, cancellationToken).ConfigureAwait(false);
            await cloud.WaitConvergedAsync(convergeTimeout ?? TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
            return cloud;
        }
        catch
        {
            await cloud.StopControllerAsync().ConfigureAwait(false);
            await OvsTestbed.Testbed.DownAsync(options, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>(Re)starts the in-process controller listening on <see cref="ControllerSocket"/>.</summary>
    public void StartController()
    {
        if (_controller is not null)
        {
            throw new InvalidOperationException("the controller is already running");
        }

        File.Delete(ControllerSocket);
        var controller = new DvrController(
            Topology,
            CompilerFlowSource.Instance,
            new BridgeSessionOptions { AuditInterval = TimeSpan.FromSeconds(5), RetryDelay = TimeSpan.FromMilliseconds(200) },
            loggerFactory: _logs);
        _controller = new ControllerHost(controller, loggerFactory: _logs);
        _controller.Listen(OpenFlowEndpoint.Parse($"unix:{ControllerSocket}"));
    }

    /// <summary>Stops the controller as a crash would look to the switches: connections close, flows stay.</summary>
    public async Task StopControllerAsync()
    {
        if (_controller is { } running)
        {
            _controller = null;
            await running.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Applies a new topology to the running controller (a valid edit of the topology file).</summary>
    public void UpdateTopology(Topology topology)
    {
        Topology = topology;
        Controller?.UpdateTopology(topology);
    }

    /// <summary>
    /// Applies a new topology to the whole cloud while it runs, in the order that keeps traffic flowing longest
    /// (docs/testbed.md, "Dynamics"): the testbed creates new namespaces and ports first (new router legs come up
    /// silent), then the controller gets the topology and every bridge converges, then the new router legs announce
    /// themselves (gratuitous ARP, now kept off the tunnels by the DVR flows), then the testbed removes what is gone
    /// and the controller converges on the port deletions.
    /// </summary>
    public async Task<TopologyApplyResult> ApplyTopologyAsync(Topology topology, TimeSpan? convergeTimeout = null, CancellationToken cancellationToken = default)
    {
        var timeout = convergeTimeout ?? TimeSpan.FromSeconds(30);
        var startedUtc = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        using var transition = await Testbed.PlanTransitionAsync(topology, cancellationToken).ConfigureAwait(false);
        var planned = clock.Elapsed;
        await transition.AddAsync(cancellationToken).ConfigureAwait(false);
        var added = clock.Elapsed;
        UpdateTopology(topology);

        // Each host announces its new router legs as soon as its own bridges have the new flows: the gap between the
        // flows and the announcement is where a switching router loses packets (docs/testbed.md).
        await Task.WhenAll(topology.Hosts.Select(async host =>
        {
            await WaitConvergedAsync(timeout, host.Name, cancellationToken).ConfigureAwait(false);
            await transition.AnnounceAsync(host.Name, cancellationToken).ConfigureAwait(false);
        })).ConfigureAwait(false);
        var announced = clock.Elapsed;
        await WaitConvergedAsync(timeout, cancellationToken).ConfigureAwait(false);
        var converged = clock.Elapsed;
        await transition.RemoveAsync(cancellationToken).ConfigureAwait(false);
        await WaitConvergedAsync(timeout, cancellationToken).ConfigureAwait(false);
        return new TopologyApplyResult(transition, startedUtc, planned, added, announced, converged, clock.Elapsed);
    }

    /// <summary>Loads a topology file (as the controller's file watcher would) and applies it with <see cref="ApplyTopologyAsync(Topology, TimeSpan?, CancellationToken)"/>.</summary>
    public Task<TopologyApplyResult> ApplyTopologyFileAsync(string path, TimeSpan? convergeTimeout = null, CancellationToken cancellationToken = default) =>
        ApplyTopologyAsync(TopologyLoader.Load(path), convergeTimeout, cancellationToken);

    /// <summary>Waits until every expected bridge has a session that is in sync and has nothing in flight.</summary>
    public Task WaitConvergedAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitConvergedAsync(timeout, null, cancellationToken);

    /// <summary>Like <see cref="WaitConvergedAsync(TimeSpan, CancellationToken)"/>, for the bridges of one host (all when null).</summary>
    public async Task WaitConvergedAsync(TimeSpan timeout, string? host, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        int expected = host is null ? ExpectedBridgeCount : 2 + Topology.GetHost(host).PhysicalBridges.Count;
        while (true)
        {
            var sessions = (Controller?.Sessions ?? []).Where(s => host is null || s.Host == host).ToList();
            if (sessions.Count >= expected && sessions.All(s => s.State == BridgeState.InSync))
            {
                foreach (var session in sessions)
                {
                    await session.WhenIdleAsync().WaitAsync(timeout - clock.Elapsed, cancellationToken).ConfigureAwait(false);
                }

                if (sessions.All(s => s.State == BridgeState.InSync))
                {
                    return;
                }
            }

            if (clock.Elapsed > timeout)
            {
                string states = string.Join(", ", sessions.Select(s => $"{s.Host}/{s.Bridge}={s.State}"));
                throw new TimeoutException($"the controller did not converge in {timeout.TotalSeconds:0} s: {sessions.Count}/{expected} bridges connected ({states})");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopControllerAsync().ConfigureAwait(false);
        if (Testbed is not null)
        {
            await Testbed.DisposeAsync().ConfigureAwait(false);
        }

        // The socket directory sits beside the run directory (see StartAsync): remove it too, as long as it holds
        // nothing but the socket.
        File.Delete(ControllerSocket);
        string? directory = Path.GetDirectoryName(ControllerSocket);
        if (directory is not null && Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any())
        {
            Directory.Delete(directory);
        }
    }
}

/// <summary>
/// What <see cref="DvrCloud.ApplyTopologyAsync"/> did and when, measured from its start (<see cref="StartedUtc"/>): the
/// live state was read after
/// <see cref="Planned"/>, the testbed's additions were in place and the controller got the topology after
/// <see cref="Added"/> (<see cref="ControllerUpdatedUtc"/>), every host had the new flows
/// and had announced its new router legs after <see cref="Announced"/>, every bridge was idle after
/// <see cref="Converged"/>, and removals were done and converged after <see cref="Total"/>.
/// </summary>
public sealed record TopologyApplyResult(TestbedTransition Transition, DateTime StartedUtc, TimeSpan Planned, TimeSpan Added, TimeSpan Announced, TimeSpan Converged, TimeSpan Total)
{
    /// <summary>When the controller was given the new topology (wall clock, UTC).</summary>
    public DateTime ControllerUpdatedUtc => StartedUtc + Added;

    public override string ToString() =>
        $"planned {Planned.TotalMilliseconds:0} ms, testbed added {Added.TotalMilliseconds:0} ms, flows + announce {Announced.TotalMilliseconds:0} ms, " +
        $"converged {Converged.TotalMilliseconds:0} ms, done {Total.TotalMilliseconds:0} ms: {Transition}";
}
