using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Dvr.OpenFlow.Tests.Connection;

/// <summary>Throw-away CAs and certificates made with .NET's CertificateRequest (ECDSA P-256, valid for a day).</summary>
internal static class TestPki
{
    public static X509Certificate2 CreateCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>A certificate valid exactly as long as its CA: a validity computed from the clock again could end a second after the CA's, which .NET refuses.</summary>
    public static X509Certificate2 Issue(X509Certificate2 ca, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var signed = request.Create(ca, new DateTimeOffset(ca.NotBefore), new DateTimeOffset(ca.NotAfter), RandomNumberGenerator.GetBytes(8));
        using var withKey = signed.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Writes KEY, CERT and CACERT PEM files as ovs-pki lays them out; returns their paths.</summary>
    public static (string Key, string Certificate, string CaCertificate) WritePem(string directory, string name, X509Certificate2 certificate, X509Certificate2 ca)
    {
        string key = Path.Combine(directory, $"{name}-privkey.pem");
        string cert = Path.Combine(directory, $"{name}-cert.pem");
        string caCert = Path.Combine(directory, "cacert.pem");
        using var privateKey = certificate.GetECDsaPrivateKey()!;
        File.WriteAllText(key, privateKey.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(cert, certificate.ExportCertificatePem());
        File.WriteAllText(caCert, ca.ExportCertificatePem());
        return (key, cert, caCert);
    }
}
