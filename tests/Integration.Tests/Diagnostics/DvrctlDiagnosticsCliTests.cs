using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Dvr.Cli.Commands;
using Dvr.DvrFlows.Topology;
using NUnit.Framework;

namespace Dvr.Integration.Tests.Diagnostics;

/// <summary>
/// The diagnostics commands as dvrctl runs them (System.CommandLine, exit status, stdout/stderr) against cn1 of
/// samples/worked-example.yaml on a real OVS 3.1: JSON on every command, diff's 0/1/2 exit status before and
/// after hand-made damage, and one-line errors with exit 2 for every way a target or a filter can be wrong.
/// Ordered: the damage comes last.
/// </summary>
[Category("Ovs")]
[NonParallelizable]
public sealed class DvrctlDiagnosticsCliTests
{
    private Controller.OvsTestbed _ovs = null!;

    [OneTimeSetUp]
    public void LoadCn1()
    {
        _ovs = Controller.OvsTestbed.Start();
        LiveHost.Load(_ovs, TopologyLoader.Load(LiveHost.WorkedExample), "cn1", portOffset: 30, firstDatapathId: 0x111);
    }

    [OneTimeTearDown]
    public void Stop() => _ovs?.Dispose();

    private static (int ExitCode, string Output, string Error) Dvrctl(params string[] args)
    {
        var root = new RootCommand("dvrctl (test)") { LiveTraceCommand.Create(), DiffCommand.Create(), ExplainCommand.Create() };
        foreach (var dump in DumpCommands.Create())
        {
            root.Subcommands.Add(dump);
        }

        using var output = new StringWriter();
        using var error = new StringWriter();
        int exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    private string[] Topology(string bridge) => ["--topology", LiveHost.WorkedExample, "--host", "cn1", "--bridge", bridge];

    public static IEnumerable<TestCaseData> JsonCommands()
    {
        yield return new TestCaseData("dump-flows", new[] { "br-tun" }, JsonValueKind.Array).SetName("{m}(dump-flows)");
        yield return new TestCaseData("dump-flows", new[] { "br-int", "table=60", "--names", "--no-stats" }, JsonValueKind.Array).SetName("{m}(dump-flows filter names)");
        yield return new TestCaseData("dump-ports-desc", new[] { "br-tun" }, JsonValueKind.Array).SetName("{m}(dump-ports-desc)");
        yield return new TestCaseData("dump-tables", new[] { "br-tun" }, JsonValueKind.Array).SetName("{m}(dump-tables)");
        yield return new TestCaseData("dump-aggregate", new[] { "br-tun", "table=1" }, JsonValueKind.Object).SetName("{m}(dump-aggregate)");
        yield return new TestCaseData("show", new[] { "br-tun" }, JsonValueKind.Object).SetName("{m}(show)");
        yield return new TestCaseData("diff", new[] { "br-tun", "--topology", LiveHost.WorkedExample, "--host", "cn1", "--bridge", "br-tun" }, JsonValueKind.Array).SetName("{m}(diff)");
        yield return new TestCaseData("explain", new[] { "br-tun", "--topology", LiveHost.WorkedExample, "--host", "cn1", "--bridge", "br-tun" }, JsonValueKind.Array).SetName("{m}(explain)");
        yield return new TestCaseData("trace", new[] { "br-tun", "in_port=patch-int,icmp,dl_vlan=2,dl_src=fa:16:3e:00:02:01,dl_dst=fa:16:3e:00:02:20,nw_src=10.0.1.10,nw_dst=10.0.2.20", "--topology", LiveHost.WorkedExample, "--host", "cn1" }, JsonValueKind.Object).SetName("{m}(trace)");
    }

    [Test]
    [Order(1)]
    [TestCaseSource(nameof(JsonCommands))]
    public void FormatJson_PrintsOneJsonDocument(string command, string[] args, JsonValueKind kind)
    {
        string[] withTarget = [_ovs.Mgmt(args[0]), .. args[1..]];

        var (exitCode, output, error) = Dvrctl([command, .. withTarget, "--format", "json"]);

        Assert.That((exitCode, error), Is.EqualTo((0, string.Empty)), output);
        using var document = JsonDocument.Parse(output);
        Assert.That(document.RootElement.ValueKind, Is.EqualTo(kind));
        // diff of freshly loaded flows is the empty list; every other command has something to say.
        int minimum = command == "diff" ? 0 : 1;
        Assert.That(document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement.GetArrayLength() : document.RootElement.EnumerateObject().Count(), Is.GreaterThanOrEqualTo(minimum), output);
    }

    [Test]
    [Order(1)]
    public void DumpFlows_Text_IsWhatOvsOfctlPrints()
    {
        var (exitCode, output, error) = Dvrctl("dump-flows", _ovs.Mgmt("br-int"), "--no-stats", "--names", "cookie=0x4456520000000000/-1");

        Assert.That((exitCode, error), Is.EqualTo((0, string.Empty)));
        Assert.That(output, Is.EqualTo(_ovs.Ofctl("dump-flows", "br-int", "--no-stats", "--names", "cookie=0x4456520000000000/-1")));
    }

    [Test]
    [Order(1)]
    public void Trace_AcrossThePatch_PrintsAnOwnerForEveryHop()
    {
        var (exitCode, output, error) = Dvrctl(
            "trace", _ovs.Mgmt("br-tun"), "in_port=vxlan-c000020c,tun_id=0x3e9,icmp,dl_src=fa:16:3f:22:22:22,dl_dst=fa:16:3e:00:01:10,nw_src=10.0.2.20,nw_dst=10.0.1.10",
            "--topology", LiveHost.WorkedExample, "--host", "cn1", "--peer", $"br-int={_ovs.Mgmt("br-int")}");

        Assert.That((exitCode, error), Is.EqualTo((0, string.Empty)), output);
        var lines = output.Split('\n');
        int hops = lines.Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s*\d+\. "));
        Assert.That(lines.Count(l => l.Contains(" | owner ", StringComparison.Ordinal) && !l.Contains("| owner -]", StringComparison.Ordinal)), Is.EqualTo(hops).And.GreaterThan(3), output);
        Assert.That(output, Does.Contain("bridge(\"br-int\") on cn1").And.Contain("output on cn1 br-int port qvovm1"));
    }

    [Test]
    [Order(2)]
    public void Diff_ExitStatus_IsZeroWhenIdentical_OneAfterDamage_TwoOnError()
    {
        var identical = Dvrctl(["diff", _ovs.Mgmt("br-int"), .. Topology("br-int")]);
        Assert.That((identical.ExitCode, identical.Output, identical.Error), Is.EqualTo((0, string.Empty, string.Empty)));

        _ovs.Ofctl("del-flows", "br-int", "--strict", "table=60,priority=20,dl_vlan=1,dl_dst=fa:16:3e:00:01:10");
        var different = Dvrctl(["diff", _ovs.Mgmt("br-int"), .. Topology("br-int")]);
        Assert.That((different.ExitCode, different.Error), Is.EqualTo((1, string.Empty)));
        Assert.That(different.Output, Does.StartWith("[missing] port:vm1: TRANSIENT: deliver routed frames on red-v4 to vm1\n+ "), different.Output);

        var error = Dvrctl(["diff", _ovs.Mgmt("br-int"), "--topology", "/nonexistent/topology.yaml", "--host", "cn1", "--bridge", "br-int"]);
        Assert.That((error.ExitCode, error.Output, error.Error), Is.EqualTo((2, string.Empty, "dvrctl diff: cannot read topology '/nonexistent/topology.yaml': no such file\n")));
    }

    public static IEnumerable<TestCaseData> BadInvocations()
    {
        yield return new TestCaseData(new[] { "dump-flows", "unix:/nonexistent/br-int.mgmt" }, "dvrctl dump-flows: connecting to unix:/nonexistent/br-int.mgmt (No such file or directory)").SetName("{m}(missing socket)");
        yield return new TestCaseData(new[] { "dump-tables", "tcp:127.0.0.1:1" }, "dvrctl dump-tables: connecting to tcp:127.0.0.1:1 (Connection refused)").SetName("{m}(refused)");
        yield return new TestCaseData(new[] { "show", "tcp:1.2.3" }, "dvrctl show: ").SetName("{m}(bad target)");
        yield return new TestCaseData(new[] { "dump-flows", "ptcp:6653" }, "dvrctl dump-flows: 'ptcp:6653' is a passive (listening) address; connect to a switch with unix:PATH, tcp:IP:PORT or ssl:IP:PORT").SetName("{m}(passive target)");
        yield return new TestCaseData(new[] { "dump-flows", "ssl:127.0.0.1:6653" },
            "dvrctl dump-flows: ssl:127.0.0.1:6653 needs --private-key, --certificate and --ca-cert; missing --private-key, --certificate, --ca-cert\n").SetName("{m}(ssl without certificates)");
        yield return new TestCaseData(new[] { "show", "ssl:127.0.0.1:6653", "-p", "/nonexistent/key.pem", "-c", "/nonexistent/cert.pem" },
            "dvrctl show: ssl:127.0.0.1:6653 needs --private-key, --certificate and --ca-cert; missing --ca-cert\n").SetName("{m}(ssl without CA)");
        yield return new TestCaseData(new[] { "dump-tables", "ssl:127.0.0.1:6653", "-p", "/nonexistent/key.pem", "-c", "/nonexistent/cert.pem", "-C", "/nonexistent/ca.pem" },
            "dvrctl dump-tables: private key /nonexistent/key.pem: cannot read (no such file)\n").SetName("{m}(unreadable key)");
    }

    [Test]
    [Order(1)]
    [TestCaseSource(nameof(BadInvocations))]
    public void BadTarget_IsOneLineAndExitTwo(string[] args, string expectedStart)
    {
        var (exitCode, output, error) = Dvrctl(args);

        Assert.That((exitCode, output), Is.EqualTo((2, string.Empty)));
        Assert.That(error, Does.StartWith(expectedStart).And.EndWith("\n"));
        Assert.That(error.TrimEnd('\n'), Does.Not.Contain('\n'));
    }

    public static IEnumerable<TestCaseData> BadFilters()
    {
        yield return new TestCaseData("foo=1").SetName("{m}(unknown keyword)");
        yield return new TestCaseData("priority=1").SetName("{m}(priority is not a dump filter)");
        yield return new TestCaseData("cookie=0x1").SetName("{m}(cookie without mask)");
        yield return new TestCaseData("dl_vlan=x").SetName("{m}(bad value)");
        yield return new TestCaseData("in_port=nosuchport").SetName("{m}(unknown port name)");
        yield return new TestCaseData("table=all").SetName("{m}(table all)");
        yield return new TestCaseData("table=256").SetName("{m}(table out of range)");
    }

    [Test]
    [Order(1)]
    [TestCaseSource(nameof(BadFilters))]
    public void BadFilter_IsRejectedLikeOvsOfctl_OneLineAndExitTwo(string filter)
    {
        var oracle = Controller.OvsTestbed.Run("sh", ["-c", $"ovs-ofctl -O OpenFlow13 dump-flows {_ovs.Mgmt("br-tun")} '{filter}' 2>&1; echo \"exit=$?\""]);

        var (exitCode, output, error) = Dvrctl("dump-flows", _ovs.Mgmt("br-tun"), filter);

        Assert.That(oracle, Does.Contain("exit=1"), "ovs-ofctl rejects it too");
        Assert.That((exitCode, output), Is.EqualTo((2, string.Empty)));
        Assert.That(error, Does.StartWith($"dvrctl dump-flows: flow filter '{filter}': "));
        Assert.That(error.TrimEnd('\n'), Does.Not.Contain('\n'));
    }

    [Test]
    [Order(1)]
    public async Task PeerSpeakingOnlyOpenFlow10_IsOneLineAndExitTwo()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var peer = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();

            // OFPT_HELLO of OpenFlow 1.0 (OpenFlow 1.0.0 §5.5.1): version 0x01, type 0, length 8, xid 1.
            await stream.WriteAsync(new byte[] { 0x01, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01 });
            var buffer = new byte[256];
            while (await stream.ReadAsync(buffer) > 0)
            {
            }
        });

        var (exitCode, output, error) = Dvrctl("dump-flows", $"tcp:127.0.0.1:{port}");
        await peer.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That((exitCode, output), Is.EqualTo((2, string.Empty)));
        Assert.That(error, Is.EqualTo($"dvrctl dump-flows: tcp:127.0.0.1:{port}: OpenFlow 1.3 negotiation failed (version negotiation failed: We support version 0x04, peer supports version 0x01)\n"));
    }
}
