using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Tests.Multipart;

/// <summary>
/// Starts a private ovsdb-server and ovs-vswitchd (userspace datapath) in a temporary directory and network
/// namespace with a unique name, makes one netdev bridge, connects to its management socket, and asks
/// it for OFPMP_TABLE_FEATURES. The replies are what ovs-vswitchd 3.1 itself sends (generated at test time,
/// nothing is committed). Everything started here is stopped by PID and removed in <see cref="Dispose"/>.
/// </summary>
internal sealed class OvsSwitchCapture : IDisposable
{
    private readonly string _directory;
    private readonly string _namespace;

    private OvsSwitchCapture(string directory, string netns)
    {
        _directory = directory;
        _namespace = netns;
    }

    public static OvsSwitchCapture Start()
    {
        string id = $"{Environment.ProcessId}-{Random.Shared.Next(100000)}";
        var capture = new OvsSwitchCapture(Path.Combine(Path.GetTempPath(), $"dvr-mpx-{id}"), $"dvrmpx{id}");
        try
        {
            capture.Launch();
            return capture;
        }
        catch
        {
            capture.Dispose();
            throw;
        }
    }

    /// <summary>The bridge's management socket, where ovs-vswitchd always accepts OpenFlow connections.</summary>
    public string ControllerSocket => Path.Combine(_directory, "mpxbr0.mgmt");

    private string Db => $"unix:{Path.Combine(_directory, "db.sock")}";

    private void Launch()
    {
        Directory.CreateDirectory(_directory);
        string d = _directory;
        Run("ip", "netns", "add", _namespace);
        Run("ovsdb-tool", "create", Path.Combine(d, "conf.db"), "/usr/share/openvswitch/vswitch.ovsschema");
        Run("ovsdb-server", Path.Combine(d, "conf.db"), $"--remote=punix:{Path.Combine(d, "db.sock")}", $"--pidfile={Path.Combine(d, "ovsdb-server.pid")}",
            $"--unixctl={Path.Combine(d, "ovsdb-server.ctl")}", "-vconsole:off", $"--log-file={Path.Combine(d, "ovsdb-server.log")}", "--detach", "--no-chdir");
        Run("ovs-vsctl", $"--db={Db}", "--no-wait", "init");
        Run("env", $"OVS_RUNDIR={d}", "ip", "netns", "exec", _namespace, "ovs-vswitchd", Db, $"--pidfile={Path.Combine(d, "ovs-vswitchd.pid")}",
            $"--unixctl={Path.Combine(d, "ovs-vswitchd.ctl")}", "-vconsole:off", $"--log-file={Path.Combine(d, "ovs-vswitchd.log")}", "--detach", "--no-chdir");
        Run("ovs-vsctl", $"--db={Db}", "--timeout=30", "add-br", "mpxbr0", "--", "set", "bridge", "mpxbr0", "datapath_type=netdev", "protocols=OpenFlow13");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!File.Exists(ControllerSocket))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"ovs-vswitchd did not open {ControllerSocket}");
            }

            Thread.Sleep(100);
        }
    }

    /// <summary>Sends HELLO and one TABLE_FEATURES request; returns every reply part (each a whole message).</summary>
    public IReadOnlyList<byte[]> RequestTableFeatures()
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.ReceiveTimeout = 20000;
        socket.Connect(new UnixDomainSocketEndPoint(ControllerSocket));
        const uint xid = 0x7f0012;
        socket.Send(Convert.FromHexString("0400000800000001"));
        var request = new byte[16];
        new OfpHeader(OfpHeader.Version13, OfpType.MultipartRequest, 16, xid).Write(request);
        request[9] = 12;
        socket.Send(request);
        var replies = new List<byte[]>();
        var buffer = new List<byte>();
        var chunk = new byte[65536];
        while (true)
        {
            while (buffer.Count >= OfpHeader.Size && buffer.Count >= ((buffer[2] << 8) | buffer[3]))
            {
                int length = (buffer[2] << 8) | buffer[3];
                byte[] message = [.. buffer.GetRange(0, length)];
                buffer.RemoveRange(0, length);
                if (message[1] == (byte)OfpType.MultipartReply && BinaryPrimitives.ReadUInt32BigEndian(message.AsSpan(4)) == xid)
                {
                    replies.Add(message);
                    if ((message[11] & 1) == 0)
                    {
                        return replies;
                    }
                }
            }

            int read = socket.Receive(chunk);
            if (read == 0)
            {
                throw new InvalidOperationException("ovs-vswitchd closed the OpenFlow connection");
            }

            buffer.AddRange(chunk.AsSpan(0, read));
        }
    }

    public void Dispose()
    {
        foreach (string daemon in new[] { "ovs-vswitchd", "ovsdb-server" })
        {
            string pidFile = Path.Combine(_directory, daemon + ".pid");
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out int pid))
            {
                try
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill();
                    process.WaitForExit(5000);
                }
                catch (ArgumentException)
                {
                    // Already gone.
                }
            }
        }

        TryRun("ip", "netns", "delete", _namespace);
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static void Run(string file, params string[] arguments)
    {
        if (!TryRun(file, arguments, out string error))
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed: {error}");
        }
    }

    private static void TryRun(string file, params string[] arguments) => TryRun(file, arguments, out _);

    private static bool TryRun(string file, string[] arguments, out string error)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        _ = stdout.Result;
        return process.ExitCode == 0;
    }
}
