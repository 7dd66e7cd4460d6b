using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dvr.OpenFlow.Connection;

/// <summary>
/// A passive OpenFlow listener (the controller side of OVS's <c>set-controller tcp:IP:PORT</c> or
/// <c>unix:PATH</c>). Each accepted switch gets its own channel and its own task running
/// <c>onConnection</c>; a slow handler never blocks accepts or other switches.
/// </summary>
public sealed partial class OpenFlowListener : IAsyncDisposable
{
    private readonly Func<OpenFlowChannel, CancellationToken, Task> _onConnection;
    private readonly OpenFlowChannelOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _connections = [];
    private readonly Lock _connectionsLock = new();
    private Socket? _socket;
    private Task? _acceptLoop;

    public OpenFlowListener(OpenFlowEndpoint endpoint, Func<OpenFlowChannel, CancellationToken, Task> onConnection, OpenFlowChannelOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        Endpoint = endpoint;
        _onConnection = onConnection;
        _options = options ?? OpenFlowChannelOptions.Default;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<OpenFlowListener>();
    }

    public OpenFlowEndpoint Endpoint { get; }

    /// <summary>The bound address (with the real port when 0 was asked for).</summary>
    public EndPoint? LocalEndPoint => _socket?.LocalEndPoint;

    /// <summary>Binds and starts accepting. Throws <see cref="SocketException"/> naming the endpoint when it cannot bind.</summary>
    public void Start()
    {
        var socket = Endpoint.Transport == OpenFlowTransport.Tcp
            ? new Socket(Endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            if (Endpoint.Transport == OpenFlowTransport.Unix)
            {
                // A socket file left by a previous run would make bind fail with "address in use".
                string path = Endpoint.EndPoint.ToString()!;
                if (File.Exists(path))
                {
                    File.Delete(path);
                }
            }
            else
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }

            socket.Bind(Endpoint.EndPoint);
            socket.Listen(128);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new SocketException(ex.ErrorCode, $"cannot listen on {Endpoint}: {ex.Message}");
        }

        _socket = socket;
        LogListening(_logger, Endpoint.Transport == OpenFlowTransport.Tcp ? $"tcp:{socket.LocalEndPoint}" : Endpoint.Text);
        _acceptLoop = AcceptLoopAsync(socket);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket?.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        Task[] connections;
        lock (_connectionsLock)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections).ConfigureAwait(false);
        if (Endpoint.Transport == OpenFlowTransport.Unix && File.Exists(Endpoint.EndPoint.ToString()))
        {
            File.Delete(Endpoint.EndPoint.ToString()!);
        }

        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(Socket socket)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await socket.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                LogAcceptFailed(_logger, Endpoint.Text, ex.Message);
                continue;
            }

            string peer = SocketTransport.Describe(accepted, Endpoint);
            var channel = SocketTransport.CreateChannel(accepted, peer, _options, _loggerFactory.CreateLogger<OpenFlowChannel>());
            LogAccepted(_logger, peer);
            var task = Task.Run(() => RunConnectionAsync(channel));
            lock (_connectionsLock)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(task);
            }
        }
    }

    private async Task RunConnectionAsync(OpenFlowChannel channel)
    {
        try
        {
            await _onConnection(channel, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A failing session must not take down the listener or other switches.
            LogSessionFailed(_logger, ex, channel.PeerName);
        }
        finally
        {
            await channel.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "listening for OpenFlow switches on {Endpoint}")]
    private static partial void LogListening(ILogger logger, string endpoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "OpenFlow {Peer}: connection accepted")]
    private static partial void LogAccepted(ILogger logger, string peer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "accept on {Endpoint} failed: {Detail}")]
    private static partial void LogAcceptFailed(ILogger logger, string endpoint, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "OpenFlow {Peer}: session failed")]
    private static partial void LogSessionFailed(ILogger logger, Exception exception, string peer);
}
