using System.Diagnostics;
using Dvr.DvrFlows.Reconcile;
using Microsoft.Extensions.Logging;

namespace Dvr.DvrFlows.Apply;

/// <summary>Timers of a bridge session.</summary>
public sealed record BridgeSessionOptions
{
    public static readonly BridgeSessionOptions Default = new();

    /// <summary>
    /// How often the installed flows are read back from the switch and compared again, so a flow of ours
    /// deleted or changed by hand is put back. Between audits the session trusts its own record of what it
    /// committed (OVN's installed table).
    /// </summary>
    public TimeSpan AuditInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>First retry delay after a rejected change set; doubles up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>Counters of one session, for logs and tests.</summary>
public sealed record BridgeSessionStats(long Reconciles, long FlowModsSent, long BundlesCommitted, long BundlesFailed, FlowDiff LastDiff);

/// <summary>
/// Keeps one connected bridge's flows equal to the desired flows. Runs at most one reconcile at a time: a
/// request that arrives while a change set is in flight only marks the session dirty, and the next pass
/// reads the latest desired flows, so changes coalesce and nothing queues without bound (OVN
/// ofctrl_can_put). Each pass: read installed flows if unknown (first connect, audit, after an error),
/// compare, apply the diff as one bundle, and record the result as installed.
/// </summary>
public sealed partial class BridgeSession
{
    private readonly ISwitchConnection _switch;
    private readonly Func<IReadOnlyList<FlowEntry>?> _desired;
    private readonly BridgeSessionOptions _options;
    private readonly IControllerMetrics _metrics;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _idleLock = new();
    private TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IReadOnlyList<FlowEntry>? _installed;
    private Task _loop = Task.CompletedTask;
    private int _dirty;
    private int _running;
    private TimeSpan _retryDelay;
    private long _reconciles;
    private long _flowModsSent;
    private long _bundlesCommitted;
    private long _bundlesFailed;
    private FlowDiff _lastDiff = FlowDiff.Empty;

    public BridgeSession(
        string host,
        string bridge,
        ulong cookie,
        ISwitchConnection connection,
        Func<IReadOnlyList<FlowEntry>?> desired,
        BridgeSessionOptions? options = null,
        IControllerMetrics? metrics = null,
        ILogger? logger = null)
    {
        Host = host;
        Bridge = bridge;
        Cookie = cookie;
        _switch = connection;
        _desired = desired;
        _options = options ?? BridgeSessionOptions.Default;
        _metrics = metrics ?? NullControllerMetrics.Instance;
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _retryDelay = _options.RetryDelay;
    }

    public string Host { get; }

    public string Bridge { get; }

    public ulong Cookie { get; }

    public ISwitchConnection Connection => _switch;

    public BridgeState State { get; private set; } = BridgeState.Syncing;

    public BridgeSessionStats Stats => new(
        Interlocked.Read(ref _reconciles), Interlocked.Read(ref _flowModsSent), Interlocked.Read(ref _bundlesCommitted), Interlocked.Read(ref _bundlesFailed), _lastDiff);

    /// <summary>Asks for a reconcile pass; coalesces with one in flight.</summary>
    public void RequestReconcile(bool rereadInstalled = false)
    {
        if (rereadInstalled)
        {
            _installed = null;
        }

        lock (_idleLock)
        {
            if (_idle.Task.IsCompleted)
            {
                _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        Volatile.Write(ref _dirty, 1);
        if (Interlocked.CompareExchange(ref _running, 1, 0) == 0)
        {
            _loop = Task.Run(LoopAsync);
        }
    }

    /// <summary>Completes when no reconcile is pending or running (in sync, or given up until the next retry).</summary>
    public Task WhenIdleAsync()
    {
        lock (_idleLock)
        {
            return _idle.Task;
        }
    }

    /// <summary>Reconciles now and then on every audit tick until the connection ends.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var registration = linked.Token.Register(() => _stopping.Cancel());
        LogStarted(_logger, Host, Bridge, _switch.PeerName, _switch.DatapathId);
        SetState(BridgeState.Syncing);
        RequestReconcile(rereadInstalled: true);
        using var audit = new PeriodicTimer(_options.AuditInterval);
        try
        {
            var closed = _switch.Completion;
            while (!closed.IsCompleted)
            {
                var tick = audit.WaitForNextTickAsync(linked.Token).AsTask();
                var first = await Task.WhenAny(closed, tick).ConfigureAwait(false);
                if (first == tick && await tick.ConfigureAwait(false))
                {
                    RequestReconcile(rereadInstalled: true);
                }
            }
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            // Shutting down: leave the switch's flows as they are (fail-secure keeps forwarding).
        }
        finally
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(false);
            SetState(BridgeState.Disconnected);
            LogStopped(_logger, Host, Bridge, _switch.PeerName);
        }
    }

    private async Task LoopAsync()
    {
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                Volatile.Write(ref _dirty, 0);
                if (!await ReconcileOnceAsync().ConfigureAwait(false))
                {
                    await Task.Delay(_retryDelay, _stopping.Token).ConfigureAwait(false);
                    _retryDelay = TimeSpan.FromTicks(Math.Min(_retryDelay.Ticks * 2, _options.MaxRetryDelay.Ticks));
                    continue;
                }

                _retryDelay = _options.RetryDelay;
                if (Volatile.Read(ref _dirty) != 0)
                {
                    continue;
                }

                Volatile.Write(ref _running, 0);
                // A request that raced with the line above found _running = 1 and did not start a loop: take it.
                if (Volatile.Read(ref _dirty) == 0 || Interlocked.CompareExchange(ref _running, 1, 0) != 0)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Session stopping.
        }
        finally
        {
            if (_stopping.IsCancellationRequested)
            {
                Volatile.Write(ref _running, 0);
            }

            lock (_idleLock)
            {
                if (Volatile.Read(ref _running) == 0)
                {
                    _idle.TrySetResult();
                }
            }
        }
    }

    /// <summary>One pass. Returns false when it should be retried after a delay.</summary>
    private async Task<bool> ReconcileOnceAsync()
    {
        var started = Stopwatch.GetTimestamp();
        var desired = _desired();
        if (desired is null)
        {
            LogNotManaged(_logger, Host, Bridge);
            return true;
        }

        try
        {
            Interlocked.Increment(ref _reconciles);
            if (_installed is null)
            {
                if (State != BridgeState.OutOfSync)
                {
                    // An out-of-sync bridge stays reported as such until a pass succeeds.
                    SetState(BridgeState.Syncing);
                }

                _installed = await _switch.DumpFlowsAsync(Cookie, _stopping.Token).ConfigureAwait(false);
            }

            var diff = Reconciler.Compare(_installed, desired);
            _lastDiff = diff;
            if (!diff.IsEmpty)
            {
                await _switch.ApplyAsync(diff, _stopping.Token).ConfigureAwait(false);
                Interlocked.Add(ref _flowModsSent, diff.Count);
                Interlocked.Increment(ref _bundlesCommitted);
                _metrics.AddFlowModsSent(Host, Bridge, diff.Count);
                _metrics.BundleCommitted(Host, Bridge);
                LogApplied(_logger, Host, Bridge, diff.Adds.Length, diff.Modifies.Length, diff.Deletes.Length, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            _installed = desired;
            _metrics.SetFlowCounts(Host, Bridge, desired.Count, desired.Count);
            SetState(BridgeState.InSync);
            return true;
        }
        catch (FlowApplyException ex)
        {
            Interlocked.Increment(ref _bundlesFailed);
            _metrics.BundleFailed(Host, Bridge);
            LogRejected(_logger, Host, Bridge, ex.Message, _retryDelay.TotalSeconds);
            return MarkOutOfSync();
        }
        catch (TimeoutException ex)
        {
            LogRejected(_logger, Host, Bridge, ex.Message, _retryDelay.TotalSeconds);
            return MarkOutOfSync();
        }
        catch (Exception ex) when (ex is OperationCanceledException || _switch.Completion.IsCompleted)
        {
            // The connection ended mid-pass; the next connection starts from a fresh dump.
            _installed = null;
            return true;
        }
        finally
        {
            _metrics.ObserveReconcile(Host, Bridge, Stopwatch.GetElapsedTime(started));
        }
    }

    private bool MarkOutOfSync()
    {
        // What the switch holds is no longer known for sure: read it again before the retry.
        _installed = null;
        SetState(BridgeState.OutOfSync);
        return false;
    }

    private void SetState(BridgeState state)
    {
        State = state;
        _metrics.SetState(Host, Bridge, state);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Host}/{Bridge}: session started on {Peer} (datapath {DatapathId:x16})")]
    private static partial void LogStarted(ILogger logger, string host, string bridge, string peer, ulong datapathId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Host}/{Bridge}: session ended ({Peer})")]
    private static partial void LogStopped(ILogger logger, string host, string bridge, string peer);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Host}/{Bridge}: applied {Adds} add(s), {Modifies} modify(s), {Deletes} delete(s) in one bundle ({Milliseconds:0.#} ms)")]
    private static partial void LogApplied(ILogger logger, string host, string bridge, int adds, int modifies, int deletes, double milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Host}/{Bridge}: out of sync: {Detail}; retrying in {RetrySeconds:0.#} s")]
    private static partial void LogRejected(ILogger logger, string host, string bridge, string detail, double retrySeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Host}/{Bridge}: no longer in the topology; its flows are left as they are")]
    private static partial void LogNotManaged(ILogger logger, string host, string bridge);
}
