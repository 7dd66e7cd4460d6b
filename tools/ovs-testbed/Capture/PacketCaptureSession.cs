using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Dvr.OvsTestbed.Capture;

/// <summary>
/// A tcpdump writing a pcap file inside one of the testbed's namespaces. Stopped with SIGINT so tcpdump flushes
/// and closes the file properly; the file is then read with <see cref="PcapReader"/> (SharpPcap + PacketDotNet).
/// </summary>
public sealed partial class PacketCaptureSession : IAsyncDisposable
{
    private const int SigInt = 2;

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
        foreach (string arg in new[] { "netns", "exec", ns, "tcpdump", "-i", interfaceName, "-U", "-n", "-s", "256", "-w", file })
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
            _ = Kill(_process.Id, SigInt);
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

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
