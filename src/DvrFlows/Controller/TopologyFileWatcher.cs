using Dvr.DvrFlows.Topology;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dvr.DvrFlows.Controller;

/// <summary>
/// Watches the topology file and applies each valid edit to the controller (each bridge then gets only its
/// minimal diff). An edit that does not load or does not compile is rejected whole with a clear log line,
/// and the running flows stay untouched. Editors often write a file in several steps (truncate, write,
/// rename), so changes are debounced.
/// </summary>
public sealed partial class TopologyFileWatcher : IDisposable
{
    private readonly string _path;
    private readonly DvrController _controller;
    private readonly ILogger _logger;
    private readonly FileSystemWatcher _watcher;
    private readonly Timer _debounce;
    private readonly TimeSpan _delay;
    private readonly Lock _reloadLock = new();

    public TopologyFileWatcher(string path, DvrController controller, TimeSpan? debounce = null, ILogger? logger = null)
    {
        _path = Path.GetFullPath(path);
        _controller = controller;
        _logger = logger ?? NullLogger.Instance;
        _delay = debounce ?? TimeSpan.FromMilliseconds(300);
        _debounce = new Timer(_ => Reload(), null, Timeout.Infinite, Timeout.Infinite);
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(_path)!, Path.GetFileName(_path))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += (_, _) => Schedule();
        _watcher.Created += (_, _) => Schedule();
        _watcher.Renamed += (_, _) => Schedule();
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>Number of edits applied and rejected so far (for tests and logs).</summary>
    public int Applied { get; private set; }

    public int Rejected { get; private set; }

    /// <summary>Loads the file now and applies it if valid; returns the rejection reason or null.</summary>
    public string? Reload()
    {
        lock (_reloadLock)
        {
            Topology.Topology topology;
            try
            {
                topology = TopologyLoader.Load(_path);
            }
            catch (Exception ex) when (ex is TopologyValidationException or IOException or UnauthorizedAccessException)
            {
                Rejected++;
                LogRejected(_logger, _path, ex.Message);
                return ex.Message;
            }

            if (topology.Equals(_controller.Topology))
            {
                return null;
            }

            string? error = _controller.TryUpdateTopology(topology);
            if (error is not null)
            {
                Rejected++;
                LogRejected(_logger, _path, error);
                return error;
            }

            Applied++;
            LogApplied(_logger, _path);
            return null;
        }
    }

    public void Dispose()
    {
        _watcher.Dispose();
        _debounce.Dispose();
    }

    private void Schedule() => _debounce.Change(_delay, Timeout.InfiniteTimeSpan);

    [LoggerMessage(Level = LogLevel.Error, Message = "topology edit in {Path} rejected; the running flows are unchanged: {Detail}")]
    private static partial void LogRejected(ILogger logger, string path, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "topology edit in {Path} accepted")]
    private static partial void LogApplied(ILogger logger, string path);
}
