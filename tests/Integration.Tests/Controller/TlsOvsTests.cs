using System.Diagnostics;
using NUnit.Framework;

namespace Dvr.Integration.Tests.Controller;

/// <summary>
/// ssl: against a real ovs-vswitchd 3.1 configured with <c>ovs-vsctl set-ssl</c> and
/// <c>set-controller BR ssl:127.0.0.1:6653</c>. The controller is the built <c>dvrctl serve</c> with
/// -p/-c/-C, run inside the testbed's network namespace (so 127.0.0.1:6653 is private to this test). The
/// certificates are made with the openssl CLI at test time. Tests run in order on one testbed: a switch
/// certified by the configured CA converges; a client without a certificate is refused; a switch certified
/// by another CA is refused and gets no flows; a bridge listening on pssl: is reached by the controller's
/// active ssl: connection and converges; <c>dvrctl dump-flows</c> reads that bridge over ssl: as ovs-ofctl
/// does, and refuses it when told to trust another CA.
/// </summary>
[TestFixture]
[Category("Ovs")]
[NonParallelizable]
[CancelAfter(180_000)]
public class TlsOvsTests
{
    private const string Listen = "ssl:127.0.0.1:6653";

    /// <summary>Where br-tun listens (OVS pssl:) in the last test, for the controller's active ssl: connection.</summary>
    private const int SwitchPort = 6654;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private OvsTestbed _ovs = null!;
    private TestCertificates _pki = null!;
    private ServeProcess _serve = null!;
    private string _topology = null!;

    [OneTimeSetUp]
    public async Task StartOvsAndController()
    {
        _ovs = OvsTestbed.Start();
        _pki = TestCertificates.Create(Path.Combine(_ovs.Directory, "pki"));
        _topology = Path.Combine(_ovs.Directory, "topology.yaml");
        File.WriteAllText(_topology, ServeTopology.Yaml("vm1"));
        _serve = ServeProcess.Start(_ovs.Namespace, "serve", "--topology", _topology, "--listen", Listen,
            "--private-key", _pki.ControllerKey, "--certificate", _pki.ControllerCert, "--ca-cert", _pki.CaCert, "--audit-interval", "2", "--connect", $"ssl:127.0.0.1:{SwitchPort}");
        await WaitUntilAsync(() => _serve.Contains($"listening for OpenFlow switches on {Listen}"), "listening");
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _serve?.Dispose();
        _ovs?.Dispose();
    }

    [Test]
    [Order(1)]
    public async Task SwitchWithCertificateFromConfiguredCa_ConnectsAndConverges()
    {
        // Arrange
        _ovs.Vsctl("set-ssl", _pki.SwitchKey, _pki.SwitchCert, _pki.CaCert);
        _ovs.AddBridge(ServeTopology.BrInt, ServeTopology.BrIntDpid);
        _ovs.AddInternalPort(ServeTopology.BrInt, "patch-tun", 1);
        _ovs.AddInternalPort(ServeTopology.BrInt, "vm1", 11);
        var expected = ServeTopology.Compile(_topology, ServeTopology.BrInt);

        // Act
        _ovs.SetController(ServeTopology.BrInt, Listen);
        await WaitUntilAsync(() => ServeTopology.Installed(_ovs, ServeTopology.BrInt).SequenceEqual(expected), "br-int converged over TLS");
        // vswitchd refreshes is_connected in the database a few seconds late (ovs-testbed.md, pitfall 8).
        await WaitUntilAsync(() => _ovs.Vsctl("get", "controller", ServeTopology.BrInt, "is_connected").Trim() == "true", "is_connected");
        string ssl = _ovs.Vsctl("get-ssl");

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(_serve.Lines, Has.Some.Contains("TLS established").And.Contains("CN=switch-h1"));
            Assert.That(ssl, Does.Contain(_pki.SwitchCert));
            Assert.That(expected, Has.Count.GreaterThan(10));
        });
    }

    [Test]
    [Order(2)]
    public async Task ClientWithoutCertificate_IsRefused()
    {
        // Arrange
        int established = _serve.Lines.Count(l => l.Contains("TLS established", StringComparison.Ordinal));

        // Act: openssl s_client in the controller's namespace, trusting our CA but offering no certificate.
        string output = OvsTestbed.Run("ip", ["netns", "exec", _ovs.Namespace, "timeout", "10", "openssl", "s_client", "-connect", "127.0.0.1:6653",
            "-CAfile", _pki.CaCert, "-verify_return_error"], acceptExitCodes: [0, 1, 124], stdin: "");
        await WaitUntilAsync(() => _serve.Contains("TLS handshake refused"), "refusal logged");

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(_serve.Lines, Has.Some.Contains("TLS handshake refused").And.Contains("the peer presented no certificate"));
            Assert.That(_serve.Lines.Count(l => l.Contains("TLS established", StringComparison.Ordinal)), Is.EqualTo(established));
            Assert.That(output, Does.Contain("CN = dvr-controller").Or.Contain("CN=dvr-controller"), "the client saw our certificate; the refusal is about its own");
        });
    }

    [Test]
    [Order(3)]
    public async Task SwitchWithCertificateFromAnotherCa_IsRefusedAndGetsNoFlows()
    {
        // Arrange: vswitchd now presents a certificate of a CA the controller does not trust (and still
        // trusts our CA itself, so only our check can refuse it).
        _ovs.Vsctl("set-ssl", _pki.ForeignSwitchKey, _pki.ForeignSwitchCert, _pki.CaCert);
        _ovs.AddBridge(ServeTopology.BrTun, ServeTopology.BrTunDpid);

        // Act
        _ovs.SetController(ServeTopology.BrTun, Listen);
        await WaitUntilAsync(() => _serve.Lines.Any(l => l.Contains("TLS handshake refused", StringComparison.Ordinal) && l.Contains("CN=switch-foreign", StringComparison.Ordinal)), "foreign switch refused");
        await Task.Delay(TimeSpan.FromSeconds(3)); // several reconnect attempts (max_backoff 1 s)

        // Assert
        var refusal = _serve.Lines.First(l => l.Contains("CN=switch-foreign", StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(refusal, Does.Contain("(issuer 'CN=foreign-ca') does not chain to the configured CA"));
            Assert.That(ServeTopology.Installed(_ovs, ServeTopology.BrTun), Is.Empty, "no flows on the refused bridge");
            Assert.That(_serve.Lines, Has.None.Contains("h1/br-tun: session started"));
            Assert.That(_ovs.Vsctl("get", "controller", ServeTopology.BrTun, "is_connected").Trim(), Is.EqualTo("false"));
        });
    }

    [Test]
    [Order(4)]
    public async Task ActiveSslConnectionToSwitchListeningOnPssl_Converges()
    {
        // Arrange: back to the certificate of our CA; br-tun stops connecting to us (so only the active path
        // can bring its flows) and will listen for controllers instead.
        _ovs.Vsctl("del-controller", ServeTopology.BrTun);
        _ovs.Vsctl("set-ssl", _pki.SwitchKey, _pki.SwitchCert, _pki.CaCert);
        _ovs.AddInternalPort(ServeTopology.BrTun, "patch-int", 1);
        var expected = ServeTopology.Compile(_topology, ServeTopology.BrTun);

        // Act: dvrctl serve has been retrying --connect ssl:127.0.0.1:6654 since it started.
        _ovs.Vsctl("set-controller", ServeTopology.BrTun, $"pssl:{SwitchPort}:127.0.0.1");
        await WaitUntilAsync(() => ServeTopology.Installed(_ovs, ServeTopology.BrTun).SequenceEqual(expected), "br-tun converged over the active ssl: connection");

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(expected, Is.Not.Empty);
            Assert.That(_serve.Lines, Has.Some.Contains($"OpenFlow ssl:127.0.0.1:{SwitchPort}: connected"));
            Assert.That(_serve.Lines, Has.Some.Contains($"h1/br-tun: session started on ssl:127.0.0.1:{SwitchPort}"));
            Assert.That(_serve.Lines.Count(l => l.Contains("h1/br-tun: session started", StringComparison.Ordinal)), Is.EqualTo(1), "br-tun was served only over the active connection");
        });
    }

    [Test]
    [Order(5)]
    public void DumpFlowsOverSsl_PrintsWhatOvsOfctlPrintsOverSsl()
    {
        // Arrange: br-tun listens on pssl: (test 4) with the switch certificate of our CA and trusts our CA.
        string target = $"ssl:127.0.0.1:{SwitchPort}";

        // Act: both clients present the controller's certificate.
        string oracle = OvsTestbed.Run("ip", ["netns", "exec", _ovs.Namespace, "ovs-ofctl", "-O", "OpenFlow13", "dump-flows", "--no-stats", target,
            $"--private-key={_pki.ControllerKey}", $"--certificate={_pki.ControllerCert}", $"--ca-cert={_pki.CaCert}"]);
        string ours = OvsTestbed.Run("ip", ["netns", "exec", _ovs.Namespace, "dotnet", ServeProcess.DvrctlPath, "dump-flows", "--no-stats", target,
            "-p", _pki.ControllerKey, "-c", _pki.ControllerCert, "-C", _pki.CaCert]);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(ours, Is.EqualTo(oracle));
            Assert.That(oracle.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(ServeTopology.Compile(_topology, ServeTopology.BrTun).Count));
        });
    }

    [Test]
    [Order(6)]
    public void DumpFlowsOverSsl_RefusesSwitchCertificateOfAnotherCa_OneLineExitTwo()
    {
        // Act: the switch's certificate is of our CA, but dvrctl is told to trust only the foreign CA.
        string output = OvsTestbed.Run("ip", ["netns", "exec", _ovs.Namespace, "sh", "-c",
            $"dotnet {ServeProcess.DvrctlPath} dump-flows ssl:127.0.0.1:{SwitchPort} -p {_pki.ControllerKey} -c {_pki.ControllerCert} -C {_pki.ForeignCaCert} 2>&1; echo \"exit=$?\""]);

        // Assert
        Assert.That(output, Does.StartWith($"dvrctl dump-flows: ssl:127.0.0.1:{SwitchPort}: TLS handshake failed (TLS: certificate 'CN=switch-h1' (issuer 'CN=dvr-test-ca') does not chain to the configured CA"));
        Assert.That(output, Does.EndWith("\nexit=2\n"));
        Assert.That(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(2), output);
    }

    private async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Patience || _serve.HasExited)
            {
                Assert.Fail($"{what}: not reached within {Patience.TotalSeconds} s (dvrctl exited: {_serve.HasExited}).\ndvrctl output:\n{string.Join('\n', _serve.Lines.TakeLast(40))}\nvswitchd log:\n{string.Join('\n', _ovs.VswitchdLog.Split('\n').TakeLast(30))}");
            }

            await Task.Delay(200);
        }
    }
}
