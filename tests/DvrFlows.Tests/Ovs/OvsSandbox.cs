using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Dvr.DvrFlows.Tests.Ovs;

/// <summary>
/// A private Open vSwitch (ovsdb-server + ovs-vswitchd) in its own network namespace and temp dir, following
/// /work/shared/reference/ovs-testbed.md §3: the userspace (netdev) datapath creates tap devices for bridges
/// and internal ports, so the daemons run inside a namespace of their own (no clash with other runs). Every
/// name carries a unique prefix; <see cref="Dispose"/> stops the two daemons by the PIDs in their pid files
/// (after checking /proc/PID/cmdline names our pid file), deletes the namespace and the directory.
/// Needs root and the OVS 3.1 tools; a missing tool is an error, never a skip.
/// </summary>
public sealed class OvsSandbox : IDisposable
{
    private static int _counter;

    private OvsSandbox(string directory, string netns)
    {
        Directory = directory;
        Netns = netns;
    }

    /// <summary>Holds conf.db, the sockets (OVS_RUNDIR), pid files and logs.</summary>
    public string Directory { get; }

    public string Netns { get; }

    public string DbSocket => Path.Combine(Directory, "db.sock");

    public static OvsSandbox Start()
    {
        int n = Interlocked.Increment(ref _counter);
        string id = string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId}x{n}");
        string directory = Path.Combine(Path.GetTempPath(), "dvrcmp-" + id);
        System.IO.Directory.CreateDirectory(directory);
        var sandbox = new OvsSandbox(directory, "dvrcmp" + id);
        try
        {
            sandbox.Boot();
            return sandbox;
        }
        catch
        {
            sandbox.Dispose();
            throw;
        }
    }

    private void Boot()
    {
        Run("ip", $"netns add {Netns}");
        Run("ip", $"-n {Netns} link set lo up");
        Run("ovsdb-tool", $"create {Directory}/conf.db /usr/share/openvswitch/vswitch.ovsschema");
        Run("ip", $"netns exec {Netns} ovsdb-server {Directory}/conf.db --remote=punix:{DbSocket} --pidfile={Directory}/ovsdb-server.pid " +
            $"--unixctl={Directory}/ovsdb-server.ctl -vconsole:off --log-file={Directory}/ovsdb-server.log --detach --no-chdir");
        Vsctl("--no-wait init");
        Run("ip", $"netns exec {Netns} ovs-vswitchd unix:{DbSocket} --pidfile={Directory}/ovs-vswitchd.pid " +
            $"--unixctl={Directory}/ovs-vswitchd.ctl -vconsole:off --log-file={Directory}/ovs-vswitchd.log --detach --no-chdir",
            environment: ("OVS_RUNDIR", Directory));
        Vsctl("set Open_vSwitch . other_config:n-handler-threads=1 other_config:n-revalidator-threads=1");
    }

    /// <summary>Runs ovs-vsctl against this sandbox's database.</summary>
    public string Vsctl(string arguments) => Run("ovs-vsctl", $"--db=unix:{DbSocket} --timeout=20 {arguments}");

    /// <summary>Runs ovs-ofctl -O OpenFlow13 against <paramref name="bridge"/>'s management socket.</summary>
    public string Ofctl(string command, string bridge, string? rest = null) =>
        Run("ovs-ofctl", $"-O OpenFlow13 {command} unix:{Directory}/{bridge}.mgmt {rest}".TrimEnd());

    /// <summary>Creates a secure, OpenFlow13-only netdev bridge with no flows.</summary>
    public void AddBridge(string bridge) =>
        Vsctl($"-- add-br {bridge} -- set bridge {bridge} datapath_type=netdev fail_mode=secure protocols=OpenFlow13 other_config:disable-in-band=true");

    public static string Run(string file, string arguments, (string Name, string Value)? environment = null)
    {
        var info = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (environment is { } env)
        {
            info.Environment[env.Name] = env.Value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {arguments} did not finish in 60 s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} exited {process.ExitCode}: {stderr.Trim()}");
        }

        return stdout.Result;
    }

    public void Dispose()
    {
        foreach (string daemon in new[] { "ovs-vswitchd", "ovsdb-server" })
        {
            Stop(Path.Combine(Directory, daemon + ".pid"));
        }

        try
        {
            Run("ip", $"netns del {Netns}");
        }
        catch (InvalidOperationException)
        {
            // The namespace was never created (Boot failed early).
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A daemon still writing its log; the directory is under /tmp.
        }
    }

    private static void Stop(string pidFile)
    {
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture, out int pid))
        {
            return;
        }

        string cmdline = Path.Combine("/proc", pid.ToString(CultureInfo.InvariantCulture), "cmdline");
        if (!File.Exists(cmdline) || !Encoding.UTF8.GetString(File.ReadAllBytes(cmdline)).Contains("--pidfile=" + pidFile, StringComparison.Ordinal))
        {
            return;
        }

        using var process = Process.GetProcessById(pid);
        Run("kill", "-TERM " + pid.ToString(CultureInfo.InvariantCulture));
        if (!process.WaitForExit(5_000))
        {
            process.Kill();
            process.WaitForExit(5_000);
        }
    }
}
