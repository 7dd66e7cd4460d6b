using Dvr.DvrFlows.Apply;
using Dvr.OpenFlow.Connection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dvr.DvrFlows.Controller;

/// <summary>
/// The running controller: OpenFlow listeners (and optional active connections to switches that listen),
/// each connection handshaken into an <see cref="OpenFlowSwitch"/> and handed to the <see cref="DvrController"/>.
/// </summary>
public sealed partial class ControllerHost : IAsyncDisposable
{
    private readonly List<OpenFlowListener> _listeners = [];
    private readonly List<Task> _connectors = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly OpenFlowChannelOptions _channelOptions;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly OpenFlowTlsOptions? _tls;

    /// <param name="tls">Certificates for <c>ssl:</c> listeners and targets (like OVS's set-ssl); null when only tcp:/unix: are used.</param>
    public ControllerHost(DvrController controller, OpenFlowChannelOptions? channelOptions = null, ILoggerFactory? loggerFactory = null, OpenFlowTlsOptions? tls = null)
    {
        _tls = tls;
        Controller = controller;
        _channelOptions = channelOptions ?? OpenFlowChannelOptions.Default;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<ControllerHost>();
    }

    public DvrController Controller { get; }

    public IReadOnlyList<OpenFlowListener> Listeners => _listeners;

    /// <summary>Starts listening on <paramref name="endpoint"/> (tcp:IP:PORT, ssl:IP:PORT or unix:PATH).</summary>
    /// <exception cref="ArgumentException">An ssl: endpoint and no TLS settings.</exception>
    public OpenFlowListener Listen(OpenFlowEndpoint endpoint)
    {
        var listener = new OpenFlowListener(endpoint, RunConnectionAsync, _channelOptions, _loggerFactory, _tls);
        listener.Start();
        _listeners.Add(listener);
        return listener;
    }

    /// <summary>Keeps an active connection to a switch that listens (OVS ptcp:/pssl:/punix:), reconnecting with backoff.</summary>
    public void Connect(OpenFlowEndpoint target)
    {
        var connector = new OpenFlowConnector(target, RunConnectionAsync, _channelOptions, _loggerFactory, _tls);
        _connectors.Add(connector.RunAsync(_stopping.Token));
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var listener in _listeners)
        {
            await listener.DisposeAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(_connectors).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task RunConnectionAsync(OpenFlowChannel channel, CancellationToken cancellationToken)
    {
        channel.Start();
        OpenFlowSwitch connection;
        try
        {
            connection = await OpenFlowSwitch.HandshakeAsync(channel, _loggerFactory.CreateLogger<OpenFlowSwitch>(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OpenFlowChannelClosedException or TimeoutException or OpenFlowErrorReplyException or Dvr.OpenFlow.Errors.OpenFlowException)
        {
            LogHandshakeFailed(_logger, channel.PeerName, ex.Message);
            channel.Abort($"handshake failed: {ex.Message}");
            return;
        }

        await Controller.RunSwitchAsync(connection, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "OpenFlow {Peer}: handshake failed: {Detail}")]
    private static partial void LogHandshakeFailed(ILogger logger, string peer, string detail);
}
