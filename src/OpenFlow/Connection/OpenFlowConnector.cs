using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;

namespace Dvr.OpenFlow.Connection;

/// <summary>
/// Active connections to a switch that listens (OVS <c>ptcp:</c>/<c>pssl:</c>/<c>punix:</c>, or a bridge's
/// <c>.mgmt</c> socket): connect (and for <c>ssl:</c>, a TLS client handshake that offers our certificate
/// and checks the switch's against the configured CA), run the session, and when the connection ends connect again. Failed
/// attempts back off exponentially with jitter, capped at <see cref="MaxBackoff"/> (OVS rconn caps at 8 s).
/// </summary>
public sealed partial class OpenFlowConnector
{
    private readonly OpenFlowEndpoint _target;
    private readonly Func<OpenFlowChannel, CancellationToken, Task> _onConnection;
    private readonly OpenFlowChannelOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly OpenFlowTlsOptions? _tls;

    /// <param name="tls">Certificates for an <c>ssl:</c> target (required there, ignored otherwise).</param>
    public OpenFlowConnector(OpenFlowEndpoint target, Func<OpenFlowChannel, CancellationToken, Task> onConnection, OpenFlowChannelOptions? options = null, ILoggerFactory? loggerFactory = null, OpenFlowTlsOptions? tls = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Transport == OpenFlowTransport.Ssl && tls is null)
        {
            throw new ArgumentException($"{target} needs a private key, a certificate and a CA certificate", nameof(tls));
        }

        _tls = tls;
        _target = target;
        _onConnection = onConnection;
        _options = options ?? OpenFlowChannelOptions.Default;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<OpenFlowConnector>();
    }

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>Connects (with retries) and runs sessions until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<SocketException>().Handle<IOException>().Handle<AuthenticationException>(),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = InitialBackoff,
                MaxDelay = MaxBackoff,
                MaxRetryAttempts = int.MaxValue,
                OnRetry = args =>
                {
                    LogRetry(_logger, _target.Text, args.AttemptNumber + 1, args.RetryDelay.TotalSeconds, args.Outcome.Exception?.Message ?? "unknown error");
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

        while (!cancellationToken.IsCancellationRequested)
        {
            Stream stream;
            try
            {
                stream = await retry.ExecuteAsync(ConnectOnceAsync, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var channel = StreamTransport.CreateChannel(stream, _target.Text, _options, _loggerFactory.CreateLogger<OpenFlowChannel>());
            LogConnected(_logger, _target.Text);
            try
            {
                await _onConnection(channel, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogSessionFailed(_logger, ex, _target.Text);
            }
            finally
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }

            // Do not spin on a peer that accepts and immediately closes.
            await Task.Delay(InitialBackoff, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<Stream> ConnectOnceAsync(CancellationToken cancellationToken)
    {
        var socket = SocketTransport.CreateSocket(_target);
        try
        {
            await socket.ConnectAsync(_target.EndPoint, cancellationToken).ConfigureAwait(false);
            if (socket.ProtocolType == ProtocolType.Tcp)
            {
                // OpenFlow is request/response with small messages: Nagle's delay would add up to 40 ms per reply.
                socket.NoDelay = true;
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var stream = new NetworkStream(socket, ownsSocket: true);
        if (_target.Transport != OpenFlowTransport.Ssl || _tls is null)
        {
            return stream;
        }

        return await _tls.AuthenticateAsClientAsync(stream, _target, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "OpenFlow {Target}: connected")]
    private static partial void LogConnected(ILogger logger, string target);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OpenFlow {Target}: connect attempt {Attempt} failed ({Detail}); retrying in {DelaySeconds:0.##} s")]
    private static partial void LogRetry(ILogger logger, string target, int attempt, double delaySeconds, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "OpenFlow {Target}: session failed")]
    private static partial void LogSessionFailed(ILogger logger, Exception exception, string target);
}
