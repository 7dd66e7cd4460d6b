using System.CommandLine;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Dvr.Cli.Commands;
using NUnit.Framework;
using static Dvr.DvrFlows.Tests.Topology.TopologyTestFiles;

namespace Dvr.DvrFlows.Tests.Topology;

/// <summary><c>dvrctl validate</c>: output and exit codes, in process and through the real executable.</summary>
[TestFixture]
public sealed partial class ValidateCommandTests
{
    [GeneratedRegex(@"^.+:\d+:\d+: [a-z_\[\]0-9.\-]+: .+$")]
    private static partial Regex ErrorLine();

    private static (int ExitCode, string Output, string Error) Invoke(params string[] args)
    {
        var root = new RootCommand("test root") { ValidateCommand.Create() };
        using var output = new StringWriter();
        using var error = new StringWriter();

        int exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });

        return (exitCode, output.ToString(), error.ToString());
    }

    [Test]
    public void Validate_ValidTopology_PrintsSummaryAndExitsZero()
    {
        var (exitCode, output, error) = Invoke("validate", Sample("demo-3host.yaml"));

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(ValidateCommand.ExitValid));
            Assert.That(error, Is.Empty);
            Assert.That(output, Does.Contain("valid topology: 3 hosts, 4 networks, 4 subnets, 2 routers, 11 ports"));
            Assert.That(output, Does.Contain("cn1: dvr, tunnel 192.0.2.1, DVR MAC fa:16:3f:00:00:01"));
            Assert.That(output, Does.Contain("nn: dvr_snat, tunnel 192.0.2.3, DVR MAC fa:16:3f:00:00:03"));
            Assert.That(output, Does.Contain("r1: distributed"));
            Assert.That(output, Does.Contain("on hosts: cn1, cn2, nn"));
        });
    }

    [Test]
    public void Validate_WorkedExample_ShowsPinnedLocalVlans()
    {
        var (exitCode, output, _) = Invoke("validate", Sample("worked-example.yaml"));

        Assert.That(exitCode, Is.EqualTo(ValidateCommand.ExitValid));
        Assert.That(output, Does.Contain("local VLANs: green=1 (pinned), red=2 (pinned)"));
    }

    [Test]
    public void Validate_AllocatedDvrMac_IsMarked()
    {
        string path = Path.Combine(Path.GetTempPath(), $"dvr-topology-{Environment.ProcessId}-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, Base.ReplaceOnce("    dvr_mac: fa:16:3f:00:00:01\n", string.Empty));
        try
        {
            var (exitCode, output, _) = Invoke("validate", path);

            Assert.That(exitCode, Is.EqualTo(ValidateCommand.ExitValid));
            Assert.That(output, Does.Match(@"cn1: dvr, tunnel 192\.0\.2\.1, DVR MAC fa:16:3f:[0-9a-f:]{8} \(allocated\)"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Validate_InvalidTopology_PrintsEveryErrorAndExitsOne()
    {
        string path = Data("invalid-topology.yaml");

        var (exitCode, output, error) = Invoke("validate", path);

        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(ValidateCommand.ExitInvalid));
            Assert.That(output, Is.Empty);
            Assert.That(lines, Has.Length.EqualTo(12));
            Assert.That(lines[..^1], Has.All.Match(ErrorLine()));
            Assert.That(lines[0], Is.EqualTo($"{path}:3:3: global.colour: unknown key 'colour' (allowed here: router_distributed, dvr_base_mac, tunnel_type, cookie)"));
            Assert.That(lines[^1], Is.EqualTo($"{path}: 11 errors, topology is invalid"));
        });
    }

    [Test]
    public void Validate_MissingFile_ExitsTwoWithAClearMessage()
    {
        string path = Path.Combine(RepoRoot, "samples", "no-such-topology.yaml");

        var (exitCode, output, error) = Invoke("validate", path);

        Assert.That(exitCode, Is.EqualTo(ValidateCommand.ExitUnreadable));
        Assert.That(output, Is.Empty);
        Assert.That(error.Trim(), Is.EqualTo($"dvrctl validate: cannot read topology '{path}': no such file"));
    }

    [Test]
    public void Validate_NoArgument_IsAUsageError()
    {
        var (exitCode, _, error) = Invoke("validate");

        Assert.That(exitCode, Is.Not.EqualTo(ValidateCommand.ExitValid));
        Assert.That(error, Does.Contain("Required argument missing"));
    }

    [Test]
    public void Validate_Help_ShowsAnExample()
    {
        var (exitCode, output, _) = Invoke("validate", "--help");

        Assert.That(exitCode, Is.EqualTo(0));
        Assert.That(output, Does.Contain("dvrctl validate samples/demo-3host.yaml"));
        Assert.That(output, Does.Contain("file:line:col: path: message"));
    }

    /// <summary>The real dvrctl (Program.Main) wires the command in and returns its exit codes to the shell.</summary>
    [TestCase("samples/demo-3host.yaml", 0)]
    [TestCase("tests/DvrFlows.Tests/Topology/Data/invalid-topology.yaml", 1)]
    [TestCase("samples/no-such-topology.yaml", 2)]
    public void Dvrctl_Validate_ExitCodes(string relativePath, int expected)
    {
        string dvrctl = Path.Combine(TestContext.CurrentContext.TestDirectory, "dvrctl.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { dvrctl, "validate", relativePath },
        };

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.That(process.WaitForExit(60_000), Is.True, "dvrctl did not finish within 60 s");

        Assert.That(process.ExitCode, Is.EqualTo(expected), $"stdout:\n{stdout.Result}\nstderr:\n{stderr.Result}");
        if (expected == 1)
        {
            Assert.That(stderr.Result, Does.StartWith($"{relativePath}:3:3: global.colour: "));
        }
    }
}
