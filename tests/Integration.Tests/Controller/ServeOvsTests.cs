using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace Dvr.Integration.Tests.Controller;

/// <summary>
/// <c>dvrctl serve</c> as shipped (the built dvrctl, a child process stopped with SIGTERM by PID) with a
/// watched topology file and a real netdev bridge: the bridge converges to <c>dvrctl compile</c>'s flows, a
/// valid edit is applied as the minimal diff, an invalid edit is rejected naming file:line with the running
/// flows untouched, and /metrics shows the bridge's desired and installed counts.
/// </summary>
[TestFixture]
[Category("Ovs")]
[NonParallelizable]
[CancelAfter(180_000)]
public partial class ServeOvsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Test]
    public async Task Serve_TopologyEdits_AppliesValidEditAsMinimalDiff_RejectsInvalidEdit_ExportsMetrics()
    {
        // Arrange: the topology names vm1; the bridge has vm1, vm2 and the patch port.
        using var ovs = OvsTestbed.Start();
        string topology = Path.Combine(ovs.Directory, "topology.yaml");
        File.WriteAllText(topology, ServeTopology.Yaml("vm1"));
        int metricsPort = ServeProcess.FreeLoopbackPort();
        using var serve = ServeProcess.Start(null, "serve", "--topology", topology, "--listen", $"unix:{ovs.ControllerSocket}",
            "--metrics-listen", $"127.0.0.1:{metricsPort}", "--audit-interval", "2");
        await WaitUntilAsync(() => serve.Contains("listening for OpenFlow switches"), serve, ovs);
        ovs.AddBridge(ServeTopology.BrInt, ServeTopology.BrIntDpid);
        ovs.AddInternalPort(ServeTopology.BrInt, "patch-tun", 1);
        ovs.AddInternalPort(ServeTopology.BrInt, "vm1", 11);
        ovs.AddInternalPort(ServeTopology.BrInt, "vm2", 12);
        ovs.SetController(ServeTopology.BrInt);
        var firstFlows = ServeTopology.Compile(topology, ServeTopology.BrInt);
        await WaitUntilAsync(() => ServeTopology.Installed(ovs, ServeTopology.BrInt).SequenceEqual(firstFlows), serve, ovs);
        await WaitUntilAsync(() => Metric(metricsPort, "dvr_flows_installed") == firstFlows.Count, serve, ovs);
        double modsAfterFirstSync = Metric(metricsPort, "dvr_flow_mods_sent_total");

        // Act 1: a valid edit (vm2 joins the topology).
        string validCopy = Path.Combine(ovs.Directory, "topology-v2.yaml");
        File.WriteAllText(validCopy, ServeTopology.Yaml("vm1", "vm2"));
        var secondFlows = ServeTopology.Compile(validCopy, ServeTopology.BrInt);
        File.WriteAllText(topology, ServeTopology.Yaml("vm1", "vm2"));
        await WaitUntilAsync(() => ServeTopology.Installed(ovs, ServeTopology.BrInt).SequenceEqual(secondFlows), serve, ovs);
        await WaitUntilAsync(() => Metric(metricsPort, "dvr_flows_installed") == secondFlows.Count, serve, ovs);
        double modsForValidEdit = Metric(metricsPort, "dvr_flow_mods_sent_total") - modsAfterFirstSync;

        // Act 2: an invalid edit (vm3's IP outside its subnet), line known from the text.
        string invalid = ServeTopology.Yaml("vm1", "vm2", "vm3").Replace("ip: 10.0.1.13", "ip: 10.9.9.13", StringComparison.Ordinal);
        int badLine = invalid.Split('\n').ToList().FindIndex(l => l.Contains("10.9.9.13", StringComparison.Ordinal)) + 1;
        File.WriteAllText(topology, invalid);
        await WaitUntilAsync(() => serve.Contains("rejected; the running flows are unchanged"), serve, ovs);
        await Task.Delay(TimeSpan.FromSeconds(3)); // an audit interval: nothing may move
        var flowsAfterInvalidEdit = ServeTopology.Installed(ovs, ServeTopology.BrInt);
        string metrics = Scrape(metricsPort);
        double modsAfterInvalidEdit = Metric(metricsPort, "dvr_flow_mods_sent_total");
        int exit = serve.Stop(TimeSpan.FromSeconds(15));

        // Assert
        string rejection = serve.Lines.First(l => l.Contains("rejected; the running flows are unchanged", StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(firstFlows, Has.Count.GreaterThan(10), "the compiled br-int flows for vm1");
            Assert.That(modsForValidEdit, Is.EqualTo(ServeTopology.MinimalChanges(firstFlows, secondFlows)), "the valid edit sent only the diff");
            Assert.That(modsForValidEdit, Is.GreaterThan(0));
            Assert.That(serve.Lines, Has.Some.Contains("topology edit in").And.Contains("accepted"));
            Assert.That(rejection + string.Join('\n', serve.Lines), Does.Contain($"{topology}:{badLine}:"), "the error names file:line");
            Assert.That(string.Join('\n', serve.Lines), Does.Contain("10.9.9.13"));
            Assert.That(flowsAfterInvalidEdit, Is.EqualTo(secondFlows), "running flows unchanged by the invalid edit");
            Assert.That(modsAfterInvalidEdit - modsAfterFirstSync, Is.EqualTo(modsForValidEdit), "no flow mod for the invalid edit");
            Assert.That(metrics, Does.Contain($"dvr_flows_desired{{host=\"h1\",bridge=\"br-int\"}} {secondFlows.Count}"));
            Assert.That(metrics, Does.Contain($"dvr_flows_installed{{host=\"h1\",bridge=\"br-int\"}} {secondFlows.Count}"));
            Assert.That(metrics, Does.Contain("dvr_bridge_connected{host=\"h1\",bridge=\"br-int\"} 1"));
            Assert.That(exit, Is.Zero, "SIGTERM is a graceful shutdown");
            Assert.That(serve.Lines, Has.Some.Contains("stopping: closing switch connections"));
        });
    }

    [Test]
    public void Serve_SslListenWithoutCertificates_ExitsWithClearError()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("dvrc-serve-");
        string topology = Path.Combine(directory.FullName, "topology.yaml");
        File.WriteAllText(topology, ServeTopology.Yaml("vm1"));

        var (exit, output) = ServeProcess.Run("serve", "--topology", topology, "--listen", "ssl:127.0.0.1:0", "-c", "/nonexistent/cert.pem");

        directory.Delete(recursive: true);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(3));
            Assert.That(output, Does.Contain("dvrctl serve: ssl:127.0.0.1:0 needs --private-key, --certificate and --ca-cert; missing --private-key, --ca-cert"));
        });
    }

    [Test]
    public void Serve_MissingCaCertFile_ExitsNamingTheFile()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("dvrc-serve-");
        string topology = Path.Combine(directory.FullName, "topology.yaml");
        File.WriteAllText(topology, ServeTopology.Yaml("vm1"));
        var pki = TestCertificates.Create(Path.Combine(directory.FullName, "pki"));
        string missing = Path.Combine(directory.FullName, "pki", "no-such-cacert.pem");

        var (exit, output) = ServeProcess.Run("serve", "--topology", topology, "--listen", "ssl:127.0.0.1:0",
            "-p", pki.ControllerKey, "-c", pki.ControllerCert, "-C", missing);

        directory.Delete(recursive: true);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(3));
            Assert.That(output, Does.Contain($"dvrctl serve: CA certificate {missing}: cannot read (no such file)"));
        });
    }

    private static string Scrape(int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics")).GetAwaiter().GetResult();
    }

    /// <summary>The br-int series of a metric, or -1 when it is not exported (yet).</summary>
    private static double Metric(int port, string name)
    {
        string text;
        try
        {
            text = Scrape(port);
        }
        catch (HttpRequestException)
        {
            return -1;
        }

        var match = Regex.Match(text, $"^{name}\\{{host=\"h1\",bridge=\"br-int\"\\}} (\\S+)$", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, ServeProcess serve, OvsTestbed ovs)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Patience || serve.HasExited)
            {
                string flows;
                try
                {
                    flows = string.Join('\n', ServeTopology.Installed(ovs, ServeTopology.BrInt));
                }
                catch (InvalidOperationException ex)
                {
                    flows = ex.Message;
                }

                Assert.Fail($"not reached within {Patience.TotalSeconds} s (dvrctl exited: {serve.HasExited}). br-int flows:\n{flows}\ndvrctl output:\n{string.Join('\n', serve.Lines.TakeLast(40))}");
            }

            await Task.Delay(200);
        }
    }
}
