using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace Dvr.Benchmarks;

/// <summary>
/// A private Open vSwitch for one benchmark run: its own ovsdb-server and ovs-vswitchd (userspace datapath) in a
/// fresh network namespace and a /tmp directory, one bridge <c>br0</c> (netdev, fail_mode=secure, OpenFlow 1.3)
/// reachable at <see cref="Management"/>. Dispose stops the two daemons by their pidfiles (only if the process
/// really is the one started here) and removes the namespace and the directory. Needs root.
/// </summary>
public sealed class OvsBenchSandbox : IDisposable
{
    private readonly string _namespace;

    private OvsBenchSandbox(string directory, string networkNamespace)
    {
        Directory = directory;
        _namespace = networkNamespace;
    }

    public string Directory { get; }

    /// <summary>The bridge's management socket path (what <c>ovs-ofctl … unix:PATH</c> takes).</summary>
    public string Management => $"{Directory}/br0.mgmt";

    /// <summary>The bridge as an OpenFlow target: <c>unix:</c> and <see cref="Management"/>.</summary>
    public string Target => $"unix:{Management}";

    public int VswitchdPid => int.Parse(File.ReadAllText($"{Directory}/ovs-vswitchd.pid").Trim(), CultureInfo.InvariantCulture);

    public static OvsBenchSandbox Start()
    {
        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var sandbox = new OvsBenchSandbox($"/tmp/dvrb-{id}", $"dvrb{id}");
        string dir = sandbox.Directory;
        System.IO.Directory.CreateDirectory(dir);
        try
        {
            Run("ip", "netns", "add", sandbox._namespace);
            Run("ovsdb-tool", "create", $"{dir}/conf.db", "/usr/share/openvswitch/vswitch.ovsschema");
            Run("ip", "netns", "exec", sandbox._namespace, "ovsdb-server", $"{dir}/conf.db", $"--remote=punix:{dir}/db.sock", $"--pidfile={dir}/ovsdb-server.pid",
                $"--unixctl={dir}/ovsdb-server.ctl", "-vconsole:off", $"--log-file={dir}/ovsdb-server.log", "--detach", "--no-chdir");
            Run("ovs-vsctl", $"--db=unix:{dir}/db.sock", "--no-wait", "init");
            Run("env", $"OVS_RUNDIR={dir}", "ip", "netns", "exec", sandbox._namespace, "ovs-vswitchd", $"unix:{dir}/db.sock", $"--pidfile={dir}/ovs-vswitchd.pid",
                $"--unixctl={dir}/ovs-vswitchd.ctl", "-vconsole:off", $"--log-file={dir}/ovs-vswitchd.log", "--detach", "--no-chdir");
            Run("ovs-vsctl", $"--db=unix:{dir}/db.sock", "add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev", "fail_mode=secure", "protocols=OpenFlow13");
            return sandbox;
        }
        catch
        {
            sandbox.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var daemon in new[] { "ovs-vswitchd", "ovsdb-server" })
        {
            string pidFile = $"{Directory}/{daemon}.pid";
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture, out int pid)
                && File.Exists($"/proc/{pid}/cmdline") && File.ReadAllText($"/proc/{pid}/cmdline").Contains(pidFile, StringComparison.Ordinal))
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
                process.WaitForExit(5000);
            }
        }

        if (File.Exists($"/run/netns/{_namespace}"))
        {
            Run("ip", "netns", "del", _namespace);
        }

        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    /// <summary>Runs a command to its end; its stdout, or an exception naming the command, exit code and stderr.</summary>
    public static string Run(params string[] args)
    {
        var start = new ProcessStartInfo(args[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', args)} exited {process.ExitCode}: {stderr}");
        }

        return stdout.Result;
    }
}
