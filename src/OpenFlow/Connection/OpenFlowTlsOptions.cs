using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Dvr.OpenFlow.Connection;

/// <summary>
/// The controller's TLS identity and trust, as OVS's <c>ovs-vsctl set-ssl PRIVKEY CERT CACERT</c> gives a
/// switch its own: our certificate with its private key (presented to every switch), and the CA
/// certificate(s) that a switch's certificate must chain to. A peer is accepted only if it presents a
/// certificate and the chain built from it ends at one of these CAs, with no other trust anchor (the
/// system store is never consulted, revocation is not checked, and host names are not compared, like OVS's
/// lib/stream-ssl.c, which sets SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT and nothing more).
/// </summary>
public sealed class OpenFlowTlsOptions
{
    public OpenFlowTlsOptions(X509Certificate2 certificate, X509Certificate2Collection caCertificates)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(caCertificates);
        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException($"certificate {certificate.Subject} has no private key", nameof(certificate));
        }

        if (caCertificates.Count == 0)
        {
            throw new ArgumentException("at least one CA certificate is needed to verify peers", nameof(caCertificates));
        }

        Certificate = certificate;
        CaCertificates = caCertificates;

        // Built once: creating the context builds our certificate's chain, which need not be repeated per switch.
        _serverContext = new Lazy<SslStreamCertificateContext>(() => SslStreamCertificateContext.Create(Certificate, additionalCertificates: null, offline: true));
    }

    private readonly Lazy<SslStreamCertificateContext> _serverContext;

    /// <summary>Our certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The only trust anchors for peer certificates.</summary>
    public X509Certificate2Collection CaCertificates { get; }

    /// <summary>Time a peer has to complete the TLS handshake before it is dropped.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Loads PEM files in the form <c>ovs-pki</c> and <c>openssl</c> write them: an unencrypted RSA or EC
    /// private key (PKCS#1, SEC1 or PKCS#8), the matching certificate, and one or more CA certificates.
    /// </summary>
    /// <exception cref="OpenFlowTlsConfigurationException">A file is missing, unreadable, malformed, expired or the key does not match the certificate; the message names the file.</exception>
    public static OpenFlowTlsOptions Load(string privateKeyPath, string certificatePath, string caCertificatePath)
    {
        string keyPem = ReadFile(privateKeyPath, "private key");
        string certificatePem = ReadFile(certificatePath, "certificate");
        string caPem = ReadFile(caCertificatePath, "CA certificate");

        var caCertificates = new X509Certificate2Collection();
        try
        {
            caCertificates.ImportFromPem(caPem);
        }
        catch (CryptographicException ex)
        {
            throw new OpenFlowTlsConfigurationException($"CA certificate {caCertificatePath}: not a PEM certificate file ({ex.Message})", ex);
        }

        if (caCertificates.Count == 0)
        {
            throw new OpenFlowTlsConfigurationException($"CA certificate {caCertificatePath}: no '-----BEGIN CERTIFICATE-----' block in the file");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(certificatePem);
        }
        catch (CryptographicException ex)
        {
            throw new OpenFlowTlsConfigurationException($"certificate {certificatePath}: not a PEM certificate ({ex.Message})", ex);
        }

        using (certificate)
        {
            var now = DateTime.Now;
            if (now > certificate.NotAfter || now < certificate.NotBefore)
            {
                throw new OpenFlowTlsConfigurationException(
                    $"certificate {certificatePath}: not valid now (valid from {certificate.NotBefore:u} to {certificate.NotAfter:u})");
            }

            var withKey = AttachPrivateKey(certificate, keyPem, privateKeyPath, certificatePath);

            // Round-trip through PKCS#12 so the key is a persisted one, which SslStream can use for the server
            // side on every platform (an ephemeral key from CopyWithPrivateKey is refused by SChannel).
            using (withKey)
            {
                byte[] pkcs12 = withKey.Export(X509ContentType.Pkcs12);
                return new OpenFlowTlsOptions(X509CertificateLoader.LoadPkcs12(pkcs12, password: null), caCertificates);
            }
        }
    }

    /// <summary>
    /// Checks a peer's certificate: present, and chaining to one of <see cref="CaCertificates"/> alone.
    /// Returns null when accepted, or why it is refused.
    /// </summary>
    public string? CheckPeer(X509Certificate? certificate, X509Chain? presentedChain)
    {
        if (certificate is null)
        {
            return "the peer presented no certificate (a certificate signed by the configured CA is required)";
        }

        using var peer = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(CaCertificates);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (presentedChain is not null)
        {
            // Intermediates the peer sent along with its certificate.
            chain.ChainPolicy.ExtraStore.AddRange(presentedChain.ChainPolicy.ExtraStore);
        }

        if (chain.Build(peer))
        {
            return null;
        }

        string problems = string.Join("; ", chain.ChainStatus.Select(s => $"{s.Status}: {s.StatusInformation.Trim()}").Distinct(StringComparer.Ordinal));
        return $"certificate '{peer.Subject}' (issuer '{peer.Issuer}') does not chain to the configured CA ({problems})";
    }

    /// <summary>Server side: our certificate, a client certificate required and checked with <see cref="CheckPeer"/>.</summary>
    public SslServerAuthenticationOptions CreateServerOptions(Action<string> onRejected) => new()
    {
        ServerCertificateContext = _serverContext.Value,
        ClientCertificateRequired = true,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        EnabledSslProtocols = SslProtocols.None,
        RemoteCertificateValidationCallback = (_, certificate, chain, _) => Accept(certificate, chain, onRejected),
    };

    /// <summary>Client side (active connections): our certificate offered, the switch's checked with <see cref="CheckPeer"/>.</summary>
    public SslClientAuthenticationOptions CreateClientOptions(string targetHost, Action<string> onRejected) => new()
    {
        TargetHost = targetHost,
        ClientCertificates = [Certificate],
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        EnabledSslProtocols = SslProtocols.None,
        LocalCertificateSelectionCallback = (_, _, _, _, _) => Certificate,
        RemoteCertificateValidationCallback = (_, certificate, chain, _) => Accept(certificate, chain, onRejected),
    };

    /// <summary>
    /// Client side of the handshake over an already connected <paramref name="inner"/> stream (the controller's
    /// active ssl: connections and the diagnostics commands): our certificate offered, the switch's checked.
    /// The returned stream owns <paramref name="inner"/>; on failure both are disposed.
    /// </summary>
    /// <exception cref="AuthenticationException">Refused, by us (the message says why the switch's certificate is not accepted) or by the switch, or no handshake within <see cref="HandshakeTimeout"/>.</exception>
    public async Task<SslStream> AuthenticateAsClientAsync(Stream inner, OpenFlowEndpoint target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var tlsStream = new SslStream(inner, leaveInnerStreamOpen: false);
        string? rejection = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HandshakeTimeout);
        try
        {
            string host = target.EndPoint is System.Net.IPEndPoint ip ? ip.Address.ToString() : target.EndPoint.ToString() ?? "";
            await tlsStream.AuthenticateAsClientAsync(CreateClientOptions(host, reason => rejection = reason), timeout.Token).ConfigureAwait(false);
            return tlsStream;
        }
        catch (Exception ex)
        {
            await tlsStream.DisposeAsync().ConfigureAwait(false);
            if (rejection is not null)
            {
                throw new AuthenticationException($"TLS: {rejection}", ex);
            }

            if (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new AuthenticationException($"TLS: no handshake within {HandshakeTimeout.TotalSeconds:0.#} s", ex);
            }

            throw;
        }
    }

    private bool Accept(X509Certificate? certificate, X509Chain? chain, Action<string> onRejected)
    {
        // The platform's own verdict (sslPolicyErrors) is ignored on purpose: it is made against the system
        // trust store and compares host names, neither of which OpenFlow TLS uses.
        string? rejection = CheckPeer(certificate, chain);
        if (rejection is null)
        {
            return true;
        }

        onRejected(rejection);
        return false;
    }

    private static X509Certificate2 AttachPrivateKey(X509Certificate2 certificate, string keyPem, string privateKeyPath, string certificatePath)
    {
        try
        {
            if (certificate.GetRSAPublicKey() is { } rsaPublic)
            {
                rsaPublic.Dispose();
                using var rsa = RSA.Create();
                rsa.ImportFromPem(keyPem);
                return certificate.CopyWithPrivateKey(rsa);
            }

            if (certificate.GetECDsaPublicKey() is { } ecPublic)
            {
                ecPublic.Dispose();
                using var ec = ECDsa.Create();
                ec.ImportFromPem(keyPem);
                return certificate.CopyWithPrivateKey(ec);
            }
        }
        catch (ArgumentException ex) when (ex.Message.Contains("match", StringComparison.OrdinalIgnoreCase))
        {
            throw new OpenFlowTlsConfigurationException($"private key {privateKeyPath} does not match certificate {certificatePath}", ex);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            throw new OpenFlowTlsConfigurationException(
                $"private key {privateKeyPath}: not an unencrypted PEM private key of the certificate's type ({ex.Message})", ex);
        }

        throw new OpenFlowTlsConfigurationException($"certificate {certificatePath}: only RSA and ECDSA keys are supported");
    }

    private static string ReadFile(string path, string what)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            string reason = ex switch
            {
                FileNotFoundException or DirectoryNotFoundException => "no such file",
                UnauthorizedAccessException => "permission denied",
                _ => ex.Message,
            };
            throw new OpenFlowTlsConfigurationException($"{what} {path}: cannot read ({reason})", ex);
        }
    }
}
