using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dvr.OpenFlow.Connection;

/// <summary>
/// A passive OpenFlow listener (the controller side of OVS's <c>set-controller tcp:IP:PORT</c>,
/// <c>ssl:IP:PORT</c> or <c>unix:PATH</c>). Each accepted switch gets its own task (TLS handshake, then a
/// channel running <c>onConnection</c>); a slow handshake or handler never blocks accepts or other switches.
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
    private readonly OpenFlowTlsOptions? _tls;
    private Socket? _socket;
    private Task? _acceptLoop;

    /// <param name="tls">Certificates for an <c>ssl:</c> endpoint (required there, ignored otherwise).</param>
    public OpenFlowListener(OpenFlowEndpoint endpoint, Func<OpenFlowChannel, CancellationToken, Task> onConnection, OpenFlowChannelOptions? options = null, ILoggerFactory? loggerFactory = null, OpenFlowTlsOptions? tls = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.Transport == OpenFlowTransport.Ssl && tls is null)
        {
            throw new ArgumentException($"{endpoint} needs a private key, a certificate and a CA certificate", nameof(tls));
        }

        _tls = tls;
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
        var socket = SocketTransport.CreateSocket(Endpoint);
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
        LogListening(_logger, Endpoint.Transport switch
        {
            OpenFlowTransport.Tcp => $"tcp:{socket.LocalEndPoint}",
            OpenFlowTransport.Ssl => $"ssl:{socket.LocalEndPoint}",
            _ => Endpoint.Text,
        });
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
            LogAccepted(_logger, peer);
            var task = _tls is not null && Endpoint.Transport == OpenFlowTransport.Ssl
                ? Task.Run(() => RunTlsConnectionAsync(accepted, peer, _tls))
                : Task.Run(() => RunConnectionAsync(SocketTransport.CreateChannel(accepted, peer, _options, _loggerFactory.CreateLogger<OpenFlowChannel>())));
            lock (_connectionsLock)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(task);
            }
        }
    }

    /// <summary>
    /// TLS server handshake with a required client certificate (checked against the configured CA only), then
    /// the same OpenFlow channel as over plain TCP, on the decrypted stream. A peer that fails the handshake
    /// (no certificate, another CA, not TLS at all, too slow) is logged and dropped before any OpenFlow.
    /// </summary>
    private async Task RunTlsConnectionAsync(Socket accepted, string peer, OpenFlowTlsOptions tls)
    {
        accepted.NoDelay = true;
        var tlsStream = new SslStream(new NetworkStream(accepted, ownsSocket: true), leaveInnerStreamOpen: false);
        string? rejection = null;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
        {
            timeout.CancelAfter(tls.HandshakeTimeout);
            try
            {
                await tlsStream.AuthenticateAsServerAsync(tls.CreateServerOptions(reason => rejection = reason), timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                await tlsStream.DisposeAsync().ConfigureAwait(false);
                if (!_stopping.IsCancellationRequested)
                {
                    string detail = rejection
                        ?? (ex is OperationCanceledException ? $"no TLS handshake within {tls.HandshakeTimeout.TotalSeconds:0.#} s" : Flatten(ex));
                    LogTlsRefused(_logger, peer, detail);
                }

                return;
            }
        }

        LogTlsEstablished(_logger, peer, tlsStream.SslProtocol.ToString(), tlsStream.RemoteCertificate?.Subject ?? "?");
        await RunConnectionAsync(StreamTransport.CreateChannel(tlsStream, peer, _options, _loggerFactory.CreateLogger<OpenFlowChannel>())).ConfigureAwait(false);
    }

    private static string Flatten(Exception ex) =>
        ex.InnerException is { } inner && !string.Equals(inner.Message, ex.Message, StringComparison.Ordinal) ? $"{ex.Message}: {inner.Message}" : ex.Message;

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "OpenFlow {Peer}: TLS handshake refused, connection dropped: {Detail}")]
    private static partial void LogTlsRefused(ILogger logger, string peer, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "OpenFlow {Peer}: TLS established ({Protocol}), peer certificate '{Subject}'")]
    private static partial void LogTlsEstablished(ILogger logger, string peer, string protocol, string subject);

    [LoggerMessage(Level = LogLevel.Warning, Message = "accept on {Endpoint} failed: {Detail}")]
    private static partial void LogAcceptFailed(ILogger logger, string endpoint, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "OpenFlow {Peer}: session failed")]
    private static partial void LogSessionFailed(ILogger logger, Exception exception, string peer);
}
