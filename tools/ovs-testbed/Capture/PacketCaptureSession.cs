using System.Diagnostics;

namespace Dvr.OvsTestbed.Capture;

/// <summary>
/// A tcpdump writing a pcap file inside one of the testbed's namespaces. Immediate mode, because libpcap otherwise
/// holds packets in its ring buffer and an interrupt discards them; stopped with SIGINT so tcpdump flushes
/// and closes the file properly; the file is then read with <see cref="PcapReader"/> (SharpPcap + PacketDotNet).
/// </summary>
public sealed class PacketCaptureSession : IAsyncDisposable
{
    private readonly Process _process;
    private bool _stopped;

    private PacketCaptureSession(Process process, string file)
    {
        _process = process;
        File = file;
    }

    public string File { get; }

    /// <summary>Starts tcpdump on <paramref name="interfaceName"/> in <paramref name="ns"/> and waits until it listens.</summary>
    public static async Task<PacketCaptureSession> StartAsync(string ns, string interfaceName, string file, string filter, CancellationToken cancellationToken = default)
    {
        var info = new ProcessStartInfo("ip")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "netns", "exec", ns, "tcpdump", "-i", interfaceName, "--immediate-mode", "-U", "-n", "-s", "256", "-w", file })
        {
            info.ArgumentList.Add(arg);
        }

        foreach (string word in filter.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            info.ArgumentList.Add(word);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start tcpdump (apt-get install tcpdump)");
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                listening.TrySetException(new InvalidOperationException($"tcpdump in {ns} on {interfaceName} exited: {errors}"));
                return;
            }

            errors.AppendLine(e.Data);
            if (e.Data.Contains("listening on", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        };
        process.BeginErrorReadLine();
        await listening.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        return new PacketCaptureSession(process, file);
    }

    /// <summary>Stops tcpdump (SIGINT, then kill after 5 s) and waits for the file to be complete.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        if (!_process.HasExited)
        {
            // SIGINT (not SIGKILL) so tcpdump writes out and closes the pcap file.
            using (var interrupt = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await interrupt.WaitForExitAsync().ConfigureAwait(false);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _process.Dispose();
    }
}

/// <summary>
/// Captures VXLAN on every host's underlay port at once. A Linux bridge's own device only sees what is addressed
/// to the bridge, not the unicast it forwards between ports, so each host's port is captured separately.
/// </summary>
public sealed class UnderlayCapture : IAsyncDisposable
{
    private readonly List<PacketCaptureSession> _sessions;

    private UnderlayCapture(List<PacketCaptureSession> sessions) => _sessions = sessions;

    public static async Task<UnderlayCapture> StartAsync(RunningTestbed testbed, string tag)
    {
        var sessions = new List<PacketCaptureSession>();
        foreach (string host in testbed.Hosts.Keys)
        {
            var (ns, port) = testbed.UnderlayCapturePoint(host);
            string file = Path.Combine(Path.GetTempPath(), $"{testbed.Prefix}{tag}-{host}-{Environment.ProcessId}.pcap");
            sessions.Add(await PacketCaptureSession.StartAsync(ns, port, file, $"udp port {PcapReader.VxlanPort}").ConfigureAwait(false));
        }

        return new UnderlayCapture(sessions);
    }

    /// <summary>Stops every capture and returns the VXLAN frames seen on any host's port (a frame between two hosts appears twice).</summary>
    public async Task<IReadOnlyList<VxlanFrame>> StopAsync()
    {
        var frames = new List<VxlanFrame>();
        foreach (var session in _sessions)
        {
            await session.StopAsync().ConfigureAwait(false);
            frames.AddRange(PcapReader.ReadVxlan(session.File));
            File.Delete(session.File);
        }

        return frames;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var session in _sessions)
        {
            await session.DisposeAsync().ConfigureAwait(false);
            File.Delete(session.File);
        }
    }
}
