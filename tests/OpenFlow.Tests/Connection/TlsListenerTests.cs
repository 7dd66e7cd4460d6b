using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Dvr.OpenFlow.Connection;
using NUnit.Framework;

namespace Dvr.OpenFlow.Tests.Connection;

/// <summary>
/// ssl: listeners and connectors over loopback with throw-away CAs: a peer with a certificate from the
/// configured CA negotiates OpenFlow; one without a certificate, or with one from another CA, is refused
/// during the handshake with a log line and never reaches the OpenFlow session.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(30_000)]
public class TlsListenerTests
{
    private X509Certificate2 _ca = null!;
    private X509Certificate2 _otherCa = null!;
    private X509Certificate2 _controller = null!;
    private X509Certificate2 _switch = null!;
    private X509Certificate2 _foreignSwitch = null!;

    [OneTimeSetUp]
    public void MakeCertificates()
    {
        _ca = TestPki.CreateCa("dvr test ca");
        _otherCa = TestPki.CreateCa("other ca");
        _controller = TestPki.Issue(_ca, "controller");
        _switch = TestPki.Issue(_ca, "switch-1");
        _foreignSwitch = TestPki.Issue(_otherCa, "switch-foreign");
    }

    [OneTimeTearDown]
    public void DisposeCertificates()
    {
        _ca.Dispose();
        _otherCa.Dispose();
        _controller.Dispose();
        _switch.Dispose();
        _foreignSwitch.Dispose();
    }

    [Test]
    public async Task Connector_WithCertificateFromConfiguredCa_NegotiatesOpenFlowOverTls()
    {
        // Arrange
        using var log = new ListLoggerFactory();
        var serverNegotiated = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var clientNegotiated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var listener = new OpenFlowListener(OpenFlowEndpoint.Parse("ssl:127.0.0.1:0"), NegotiateThen(serverNegotiated), loggerFactory: log, tls: Tls(_controller, _ca));
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var connector = new OpenFlowConnector(OpenFlowEndpoint.Parse($"ssl:127.0.0.1:{port}"), NegotiateThen(clientNegotiated), tls: Tls(_switch, _ca));
        using var stop = new CancellationTokenSource();

        // Act
        var run = connector.RunAsync(stop.Token);
        string serverPeer = await serverNegotiated.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await clientNegotiated.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await stop.CancelAsync();
        await run;

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(serverPeer, Does.StartWith("ssl:127.0.0.1:"));
            Assert.That(log.Lines, Has.Some.Contains("TLS established").And.Contains("CN=switch-1"));
            Assert.That(log.Lines, Has.None.Contains("refused"));
        });
    }

    [Test]
    public async Task Listener_ClientCertificateFromAnotherCa_IsRefusedWithLogLine()
    {
        // Arrange
        using var log = new ListLoggerFactory();
        int sessions = 0;
        await using var listener = new OpenFlowListener(OpenFlowEndpoint.Parse("ssl:127.0.0.1:0"), CountSessions(() => sessions++), loggerFactory: log, tls: Tls(_controller, _ca));
        listener.Start();

        // Act
        bool dataFlows = await TryTlsClientAsync(listener.LocalEndPoint!, _foreignSwitch);
        string? refused = await log.WaitForAsync("TLS handshake refused");

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(refused, Does.Contain("certificate 'CN=switch-foreign' (issuer 'CN=other ca') does not chain to the configured CA"));
            Assert.That(dataFlows, Is.False, "the controller sent nothing over the refused connection");
            Assert.That(sessions, Is.Zero);
        });
    }

    [Test]
    public async Task Listener_ClientWithoutCertificate_IsRefusedWithLogLine()
    {
        // Arrange
        using var log = new ListLoggerFactory();
        int sessions = 0;
        await using var listener = new OpenFlowListener(OpenFlowEndpoint.Parse("ssl:127.0.0.1:0"), CountSessions(() => sessions++), loggerFactory: log, tls: Tls(_controller, _ca));
        listener.Start();

        // Act
        bool dataFlows = await TryTlsClientAsync(listener.LocalEndPoint!, clientCertificate: null);
        string? refused = await log.WaitForAsync("TLS handshake refused");

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(refused, Does.Contain("the peer presented no certificate"));
            Assert.That(dataFlows, Is.False);
            Assert.That(sessions, Is.Zero);
        });
    }

    [Test]
    public async Task Listener_PlainTcpClient_IsRefusedAndOtherSwitchStillConnects()
    {
        // Arrange
        using var log = new ListLoggerFactory();
        var serverNegotiated = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var listener = new OpenFlowListener(OpenFlowEndpoint.Parse("ssl:127.0.0.1:0"), NegotiateThen(serverNegotiated), loggerFactory: log, tls: Tls(_controller, _ca));
        listener.Start();
        using var plain = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await plain.ConnectAsync(listener.LocalEndPoint!);

        // Act: an OpenFlow HELLO in clear text where a TLS ClientHello belongs, then a good switch.
        await plain.SendAsync(Convert.FromHexString("0400000800000001"));
        string? refused = await log.WaitForAsync("TLS handshake refused");
        var connector = new OpenFlowConnector(OpenFlowEndpoint.Parse($"ssl:127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}"), NegotiateThen(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)), tls: Tls(_switch, _ca));
        using var stop = new CancellationTokenSource();
        var run = connector.RunAsync(stop.Token);
        string peer = await serverNegotiated.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await stop.CancelAsync();
        await run;

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(refused, Is.Not.Null);
            Assert.That(peer, Does.StartWith("ssl:"));
        });
    }

    [Test]
    public async Task Connector_SwitchCertificateFromAnotherCa_IsRefusedAndRetried()
    {
        // Arrange: the switch side presents a certificate our CA did not sign.
        using var log = new ListLoggerFactory();
        await using var listener = new OpenFlowListener(OpenFlowEndpoint.Parse("ssl:127.0.0.1:0"), CountSessions(() => { }), tls: Tls(_foreignSwitch, _ca));
        listener.Start();
        var connector = new OpenFlowConnector(OpenFlowEndpoint.Parse($"ssl:127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}"), CountSessions(() => { }), loggerFactory: log, tls: Tls(_switch, _ca));
        using var stop = new CancellationTokenSource();

        // Act
        var run = connector.RunAsync(stop.Token);
        string? retry = await log.WaitForAsync("connect attempt 1 failed");
        await stop.CancelAsync();
        await run;

        // Assert
        Assert.That(retry, Does.Contain("TLS: certificate 'CN=switch-foreign' (issuer 'CN=other ca') does not chain to the configured CA"));
    }

    [Test]
    public void Listener_SslEndpointWithoutTlsSettings_IsRejected()
    {
        var create = () => new OpenFlowListener(OpenFlowEndpoint.Parse("ssl:127.0.0.1:0"), (_, _) => Task.CompletedTask);

        Assert.That(create, Throws.ArgumentException.With.Message.Contains("ssl:127.0.0.1:0 needs a private key, a certificate and a CA certificate"));
    }

    private static OpenFlowTlsOptions Tls(X509Certificate2 certificate, X509Certificate2 ca) => new(certificate, [ca]);

    private static Func<OpenFlowChannel, CancellationToken, Task> NegotiateThen(TaskCompletionSource<string> negotiated) => async (channel, cancellationToken) =>
    {
        channel.Start();
        await channel.Negotiated.WaitAsync(cancellationToken);
        negotiated.TrySetResult(channel.PeerName);
        await channel.Completion.WaitAsync(cancellationToken);
    };

    private static Func<OpenFlowChannel, CancellationToken, Task> NegotiateThen(TaskCompletionSource negotiated) => async (channel, cancellationToken) =>
    {
        channel.Start();
        await channel.Negotiated.WaitAsync(cancellationToken);
        negotiated.TrySetResult();
        await channel.Completion.WaitAsync(cancellationToken);
    };

    private static Func<OpenFlowChannel, CancellationToken, Task> CountSessions(Action count) => (channel, _) =>
    {
        count();
        return Task.CompletedTask;
    };

    /// <summary>
    /// A TLS client that trusts any server and offers <paramref name="clientCertificate"/> (or none); returns
    /// whether the controller's OpenFlow HELLO arrived. With TLS 1.3 the client's handshake may finish before
    /// the server has judged the client certificate, so the refusal shows on the first read.
    /// </summary>
    private static async Task<bool> TryTlsClientAsync(EndPoint endpoint, X509Certificate2? clientCertificate)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endpoint);
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "controller",
                ClientCertificates = clientCertificate is null ? [] : [clientCertificate],
                LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate!,
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            });
            byte[] buffer = new byte[8];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            return await tls.ReadAsync(buffer, timeout.Token) > 0;
        }
        catch (Exception ex) when (ex is System.Security.Authentication.AuthenticationException or IOException)
        {
            return false;
        }
    }
}
