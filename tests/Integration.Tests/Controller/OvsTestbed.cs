using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace Dvr.Integration.Tests.Controller;

/// <summary>
/// One private Open vSwitch (ovsdb-server + ovs-vswitchd, userspace datapath) in its own network namespace
/// and temp dir (recipe: shared/reference/ovs-testbed.md §3). The namespace keeps the netdev datapath's tap
/// devices (br-int, ovs-netdev) away from every other OVS on the machine; the controller reaches the bridges
/// over a unix socket inside the vswitchd's rundir, which OVS allows (§6) and which works across namespaces.
/// Daemons are stopped by the PIDs in their own pidfiles only.
/// </summary>
public sealed class OvsTestbed : IDisposable
{
    private const string Schema = "/usr/share/openvswitch/vswitch.ovsschema";

    private OvsTestbed(string id)
    {
        Id = id;
        Directory = $"/tmp/dvrc-{id}";
        Namespace = $"dvrc{id}";
    }

    /// <summary>Unique suffix of this testbed's names.</summary>
    public string Id { get; }

    /// <summary>The OVS rundir and database directory.</summary>
    public string Directory { get; }

    public string Namespace { get; }

    /// <summary>Where a controller must listen for <c>unix:</c> targets to be accepted by this vswitchd.</summary>
    public string ControllerSocket => Path.Combine(Directory, "controller.sock");

    public static OvsTestbed Start()
    {
        var testbed = new OvsTestbed(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3)));
        try
        {
            testbed.Boot();
            return testbed;
        }
        catch
        {
            testbed.Dispose();
            throw;
        }
    }

    public string Vsctl(params string[] args) => Run("ovs-vsctl", [$"--db=unix:{Directory}/db.sock", "--timeout=20", .. args]);

    public string Ofctl(string command, string bridge, params string[] args) =>
        Run("ovs-ofctl", ["-O", "OpenFlow13", command, Mgmt(bridge), .. args]);

    /// <summary>The bridge's flows as ovs-ofctl prints them without statistics, sorted, one per line.</summary>
    public IReadOnlyList<string> DumpFlows(string bridge) =>
        [.. Ofctl("dump-flows", bridge, "--no-stats").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal)];

    /// <summary>
    /// ovs-ofctl diff-flows between the bridge and <paramref name="expectedFlows"/> (ovs-ofctl flow syntax):
    /// empty when the bridge holds exactly those flows with those cookies and actions.
    /// </summary>
    public string DiffFlows(string bridge, IEnumerable<string> expectedFlows)
    {
        string file = Path.Combine(Directory, $"expected-{Guid.NewGuid():N}.flows");
        File.WriteAllLines(file, expectedFlows);
        try
        {
            return Run("ovs-ofctl", ["-O", "OpenFlow13", "diff-flows", Mgmt(bridge), file], acceptExitCodes: [0, 2]).Trim();
        }
        finally
        {
            File.Delete(file);
        }
    }

    public string Mgmt(string bridge) => $"unix:{Directory}/{bridge}.mgmt";

    /// <summary>Adds a netdev bridge, fail-secure, OpenFlow 1.3 only, with a fixed datapath id.</summary>
    public void AddBridge(string bridge, ulong datapathId) => Vsctl(
        "--may-exist", "add-br", bridge, "--", "set", "bridge", bridge, "datapath_type=netdev", "fail_mode=secure", "protocols=OpenFlow13",
        "other_config:disable-in-band=true", $"other_config:datapath-id={datapathId.ToString("x16", CultureInfo.InvariantCulture)}");

    /// <summary>Points the bridge at our controller socket; reconnects within about 1 s (max_backoff).</summary>
    public void SetController(string bridge, string? target = null) => Vsctl(
        "set-controller", bridge, target ?? $"unix:{ControllerSocket}", "--", "set", "controller", bridge, "max_backoff=1000", "connection_mode=out-of-band");

    public void AddInternalPort(string bridge, string port, int ofport) => Vsctl(
        "add-port", bridge, port, "--", "set", "interface", port, "type=internal", $"ofport_request={ofport}");

    public void DeletePort(string bridge, string port) => Vsctl("del-port", bridge, port);

    /// <summary>Kills ovs-vswitchd (flows are not persistent) and starts it again on the same database.</summary>
    public void RestartVswitchd()
    {
        StopDaemon("ovs-vswitchd");
        StartVswitchd();
    }

    public string VswitchdLog => File.Exists(Path.Combine(Directory, "ovs-vswitchd.log")) ? File.ReadAllText(Path.Combine(Directory, "ovs-vswitchd.log")) : "";

    public void Dispose()
    {
        StopDaemon("ovs-vswitchd");
        StopDaemon("ovsdb-server");
        TryRun("ip", "netns", "del", Namespace);
        try
        {
            if (System.IO.Directory.Exists(Directory))
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // A socket still being closed; the directory name is unique, so leaving it is harmless.
        }
    }

    private void Boot()
    {
        System.IO.Directory.CreateDirectory(Directory);
        Run("ip", ["netns", "add", Namespace]);
        Run("ip", ["-n", Namespace, "link", "set", "lo", "up"]);
        Run("ovsdb-tool", ["create", $"{Directory}/conf.db", Schema]);
        Run("ip", ["netns", "exec", Namespace, "ovsdb-server", $"{Directory}/conf.db", $"--remote=punix:{Directory}/db.sock",
            $"--pidfile={Directory}/ovsdb-server.pid", $"--unixctl={Directory}/ovsdb-server.ctl", "-vconsole:off",
            $"--log-file={Directory}/ovsdb-server.log", "--detach", "--no-chdir"]);
        Run("ovs-vsctl", [$"--db=unix:{Directory}/db.sock", "--no-wait", "init"]);
        StartVswitchd();
        Vsctl("set", "Open_vSwitch", ".", "other_config:n-handler-threads=1", "other_config:n-revalidator-threads=1");
    }

    private void StartVswitchd() =>
        Run("ip", ["netns", "exec", Namespace, "ovs-vswitchd", $"unix:{Directory}/db.sock", $"--pidfile={Directory}/ovs-vswitchd.pid",
            $"--unixctl={Directory}/ovs-vswitchd.ctl", "-vconsole:off", $"--log-file={Directory}/ovs-vswitchd.log", "--detach", "--no-chdir"],
            environment: new() { ["OVS_RUNDIR"] = Directory });

    private void StopDaemon(string name)
    {
        string pidFile = Path.Combine(Directory, $"{name}.pid");
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture, out int pid))
        {
            return;
        }

        // Only signal the process if it is really ours (its command line names our pidfile).
        string cmdline = $"/proc/{pid}/cmdline";
        if (!File.Exists(cmdline) || !File.ReadAllText(cmdline).Contains(pidFile, StringComparison.Ordinal))
        {
            return;
        }

        using var process = Process.GetProcessById(pid);
        TryRun("kill", "-TERM", pid.ToString(CultureInfo.InvariantCulture));
        if (!process.WaitForExit(5000))
        {
            process.Kill();
            process.WaitForExit(2000);
        }

        File.Delete(pidFile);
    }

    private static void TryRun(string file, params string[] args)
    {
        try
        {
            Run(file, args, acceptExitCodes: null);
        }
        catch (InvalidOperationException)
        {
            // Best effort during teardown.
        }
    }

    /// <param name="stdin">Text for the child's standard input, which is then closed (null: inherit ours).</param>
    public static string Run(string file, string[] args, int[]? acceptExitCodes = null, Dictionary<string, string>? environment = null, string? stdin = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? [])
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} did not finish in 60 s");
        }

        int[] accepted = acceptExitCodes ?? [0];
        if (!accepted.Contains(process.ExitCode))
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {stderr.Result.Trim()} {stdout.Result.Trim()}");
        }

        return stdout.Result;
    }
}
