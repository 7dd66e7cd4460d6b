using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dvr.OpenFlow.Connection;
using NUnit.Framework;

namespace Dvr.OpenFlow.Tests.Connection;

/// <summary>Loading the key, certificate and CA certificate PEM files; every error names the file.</summary>
[TestFixture]
public class TlsOptionsTests
{
    private string _directory = null!;

    [SetUp]
    public void MakeDirectory() => _directory = Directory.CreateTempSubdirectory("dvr-tls-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Load_ValidFiles_GivesCertificateWithKeyAndCa()
    {
        using var ca = TestPki.CreateCa("ca");
        using var controller = TestPki.Issue(ca, "controller");
        var (key, cert, caCert) = TestPki.WritePem(_directory, "ctl", controller, ca);

        var tls = OpenFlowTlsOptions.Load(key, cert, caCert);

        Assert.Multiple(() =>
        {
            Assert.That(tls.Certificate.HasPrivateKey, Is.True);
            Assert.That(tls.Certificate.Thumbprint, Is.EqualTo(controller.Thumbprint));
            Assert.That(tls.CaCertificates.Select(c => c.Thumbprint), Is.EqualTo(new[] { ca.Thumbprint }));
            Assert.That(tls.CheckPeer(controller, null), Is.Null, "a certificate of the configured CA is accepted");
        });
    }

    [Test]
    public void Load_MissingKeyFile_NamesTheFile()
    {
        using var ca = TestPki.CreateCa("ca");
        using var controller = TestPki.Issue(ca, "controller");
        var (_, cert, caCert) = TestPki.WritePem(_directory, "ctl", controller, ca);
        string missing = Path.Combine(_directory, "nope.pem");

        var load = () => OpenFlowTlsOptions.Load(missing, cert, caCert);

        Assert.That(load, Throws.TypeOf<OpenFlowTlsConfigurationException>().With.Message.EqualTo($"private key {missing}: cannot read (no such file)"));
    }

    [Test]
    public void Load_KeyOfAnotherCertificate_NamesBothFiles()
    {
        using var ca = TestPki.CreateCa("ca");
        using var controller = TestPki.Issue(ca, "controller");
        using var other = TestPki.Issue(ca, "other");
        var (_, cert, caCert) = TestPki.WritePem(_directory, "ctl", controller, ca);
        var (otherKey, _, _) = TestPki.WritePem(_directory, "other", other, ca);

        var load = () => OpenFlowTlsOptions.Load(otherKey, cert, caCert);

        Assert.That(load, Throws.TypeOf<OpenFlowTlsConfigurationException>().With.Message.EqualTo($"private key {otherKey} does not match certificate {cert}"));
    }

    [Test]
    public void Load_EncryptedKey_SaysSoAndNamesTheFile()
    {
        using var ca = TestPki.CreateCa("ca");
        using var controller = TestPki.Issue(ca, "controller");
        var (key, cert, caCert) = TestPki.WritePem(_directory, "ctl", controller, ca);
        using var privateKey = controller.GetECDsaPrivateKey()!;
        File.WriteAllText(key, privateKey.ExportEncryptedPkcs8PrivateKeyPem("secret", new PbeParameters(PbeEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA256, 1000)));

        var load = () => OpenFlowTlsOptions.Load(key, cert, caCert);

        Assert.That(load, Throws.TypeOf<OpenFlowTlsConfigurationException>().With.Message.StartsWith($"private key {key}: not an unencrypted PEM private key").And.Message.Contains("encrypted"));
    }

    [Test]
    public void Load_CaFileWithoutCertificate_NamesTheFile()
    {
        using var ca = TestPki.CreateCa("ca");
        using var controller = TestPki.Issue(ca, "controller");
        var (key, cert, caCert) = TestPki.WritePem(_directory, "ctl", controller, ca);
        File.WriteAllText(caCert, File.ReadAllText(key));

        var load = () => OpenFlowTlsOptions.Load(key, cert, caCert);

        Assert.That(load, Throws.TypeOf<OpenFlowTlsConfigurationException>().With.Message.EqualTo($"CA certificate {caCert}: no '-----BEGIN CERTIFICATE-----' block in the file"));
    }

    [Test]
    public void Load_CertificateFileHoldingAKey_NamesTheFile()
    {
        using var ca = TestPki.CreateCa("ca");
        using var controller = TestPki.Issue(ca, "controller");
        var (key, cert, caCert) = TestPki.WritePem(_directory, "ctl", controller, ca);

        var load = () => OpenFlowTlsOptions.Load(key, key, caCert);

        Assert.That(load, Throws.TypeOf<OpenFlowTlsConfigurationException>().With.Message.StartsWith($"certificate {key}: not a PEM certificate"));
        _ = cert;
    }

    [Test]
    public void CheckPeer_CertificateFromAnotherCa_ExplainsWhy()
    {
        using var ca = TestPki.CreateCa("ca");
        using var otherCa = TestPki.CreateCa("other ca");
        using var controller = TestPki.Issue(ca, "controller");
        using var foreign = TestPki.Issue(otherCa, "intruder");
        var tls = new OpenFlowTlsOptions(controller, [ca]);

        string? reason = tls.CheckPeer(foreign, null);

        Assert.That(reason, Does.StartWith("certificate 'CN=intruder' (issuer 'CN=other ca') does not chain to the configured CA ("));
    }

    [TestCase("ssl:127.0.0.1:6653", OpenFlowTransport.Ssl, "127.0.0.1:6653")]
    [TestCase("ssl:[::1]:16653", OpenFlowTransport.Ssl, "[::1]:16653")]
    [TestCase("ssl:10.0.0.1", OpenFlowTransport.Ssl, "10.0.0.1:6653")]
    [TestCase("pssl:6653", OpenFlowTransport.Ssl, "127.0.0.1:6653")]
    [TestCase("pssl:6654:192.0.2.1", OpenFlowTransport.Ssl, "192.0.2.1:6654")]
    public void Parse_SslEndpoint(string text, OpenFlowTransport transport, string endpoint)
    {
        var parsed = OpenFlowEndpoint.Parse(text);

        Assert.Multiple(() =>
        {
            Assert.That(parsed.Transport, Is.EqualTo(transport));
            Assert.That(parsed.EndPoint.ToString(), Is.EqualTo(endpoint));
            Assert.That(parsed.IsIp, Is.True);
        });
    }
}
