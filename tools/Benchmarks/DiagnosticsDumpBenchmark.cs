using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Dvr.DvrFlows.Diagnostics;
using Dvr.DvrFlows.Tests.Ovs;

namespace Dvr.Benchmarks;

/// <summary>
/// <c>Dvr.Benchmarks diagnostics-dump TARGET|sandbox [RUNS] [--dvrctl DVRCTL_DLL]</c>: dumps and formats every flow of a
/// live switch (or, with <c>sandbox</c>, of a private OVS bridge loaded with 100,000 flows) with
/// <see cref="SwitchDumps.DumpFlowsAsync(LiveSwitch, DumpFlowsOptions, TextWriter, CancellationToken)"/> and
/// with <c>ovs-ofctl -O OpenFlow13 dump-flows</c>, alternating, in the same run, with and without
/// --no-stats. Ours is measured in-process (connect, HELLO, dump, decode and format each reply part as it
/// arrives, UTF-8 encode through a 64 KiB buffered writer to a discarding stream); theirs as a process whose
/// stdout pipe is read to the end (its start-up included). Prints the median wall time and the median CPU
/// time of each side and both ratios (ovs-ofctl / dvrctl). CPU time is the client's own work: ours is this
/// process's CPU time over the dump (every thread, the GC's included), theirs the child's user + system time
/// (getrusage RUSAGE_CHILDREN after it is reaped); the switch's time to produce the replies is in neither.
/// With <c>--dvrctl</c> the published dvrctl is also timed as a process, like ovs-ofctl (.NET start-up included).
/// </summary>
public static class DiagnosticsDumpBenchmark
{
    private const string Usage = "usage: Dvr.Benchmarks diagnostics-dump TARGET|sandbox [RUNS] [--dvrctl DVRCTL_DLL]";

    public static int Run(string[] args)
    {
        int dvrctlAt = Array.IndexOf(args, "--dvrctl");
        string? dvrctl = dvrctlAt >= 0 && dvrctlAt + 1 < args.Length ? Path.GetFullPath(args[dvrctlAt + 1]) : null;
        string[] positional = [.. args.Where((_, i) => dvrctlAt < 0 || (i != dvrctlAt && i != dvrctlAt + 1))];
        if (positional.Length < 1 || (dvrctlAt >= 0 && dvrctl is null))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        if (dvrctl is not null && !File.Exists(dvrctl))
        {
            Console.Error.WriteLine($"diagnostics-dump: --dvrctl {dvrctl}: no such file (run ./dvrctl --help once to publish .artifacts/dvrctl/dvrctl.dll)");
            return 2;
        }

        int runs = positional.Length > 1 ? int.Parse(positional[1], CultureInfo.InvariantCulture) : 5;
        if (positional[0] != "sandbox")
        {
            Compare(positional[0], runs, dvrctl);
            return 0;
        }

        using var sandbox = OvsSandbox.Start();
        sandbox.AddBridge("br0");
        string flowFile = Path.Combine(sandbox.Directory, "flows.txt");
        File.WriteAllLines(flowFile, Enumerable.Range(0, SandboxFlows).Select(SandboxFlow));
        sandbox.Ofctl("add-flows", "br0", flowFile);
        string target = $"unix:{sandbox.Directory}/br0.mgmt";
        Console.WriteLine($"sandbox bridge {target}: {SandboxFlows:N0} flows, e.g. {SandboxFlow(0)}");
        Compare(target, runs, dvrctl);
        return 0;
    }

    private const int SandboxFlows = 100_000;

    /// <summary>Flow i of the sandbox bridge: 5 tables, priorities 100-106, a VLAN and a MAC, a rewrite, a pop and an output.</summary>
    private static string SandboxFlow(int i) => string.Create(
        CultureInfo.InvariantCulture,
        $"table={i % 5},priority={100 + (i % 7)},dl_vlan={1 + (i % 4094)},dl_dst=02:00:{(i >> 24) & 0xff:x2}:{(i >> 16) & 0xff:x2}:{(i >> 8) & 0xff:x2}:{i & 0xff:x2},"
        + $"actions=set_field:fa:16:3f:00:00:01->eth_src,pop_vlan,output:{1 + (i % 4)}");

    /// <summary>
    /// Dumps TARGET alternately with dvrctl in this process, ovs-ofctl as a process and, given <paramref name="dvrctl"/>,
    /// dvrctl as a process (<c>dotnet DVRCTL_DLL dump-flows</c>, start-up included), with and without --no-stats.
    /// </summary>
    private static void Compare(string target, int runs, string? dvrctl)
    {
        Console.WriteLine($"load average at start: {LoadAverage()}");
        foreach (bool noStats in new[] { false, true })
        {
            var ours = new List<Sample>();
            var theirs = new List<Sample>();
            var ourProcess = new List<Sample>();
            long ourBytes = 0;
            long theirBytes = 0;
            long ourProcessBytes = 0;
            Ours(target, noStats);
            for (int i = 0; i < runs; i++)
            {
                var (ourSample, ourCount) = Ours(target, noStats);
                ours.Add(ourSample);
                ourBytes = ourCount;
                var (theirSample, theirCount) = RunProcess("ovs-ofctl", ["-O", "OpenFlow13", "dump-flows", target, .. noStats ? ["--no-stats"] : Array.Empty<string>()]);
                theirs.Add(theirSample);
                theirBytes = theirCount;
                if (dvrctl is not null)
                {
                    var (processSample, processCount) = RunProcess("dotnet", [dvrctl, "dump-flows", target, .. noStats ? ["--no-stats"] : Array.Empty<string>()]);
                    ourProcess.Add(processSample);
                    ourProcessBytes = processCount;
                }
            }

            double ourWall = Median(ours.Select(s => s.WallMs));
            double theirWall = Median(theirs.Select(s => s.WallMs));
            double ourCpu = Median(ours.Select(s => s.CpuMs));
            double theirCpu = Median(theirs.Select(s => s.CpuMs));
            string mode = noStats ? " --no-stats" : string.Empty;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"dump-flows{mode}: {ourBytes} bytes (ovs-ofctl {theirBytes}); " +
                $"wall median dvrctl {ourWall:0.0} ms, ovs-ofctl {theirWall:0.0} ms, ratio {theirWall / ourWall:0.00}x; " +
                $"CPU median dvrctl {ourCpu:0.0} ms, ovs-ofctl {theirCpu:0.0} ms, ratio {theirCpu / ourCpu:0.00}x; {runs} runs; load average {LoadAverage()}"));
            if (dvrctl is not null)
            {
                double processWall = Median(ourProcess.Select(s => s.WallMs));
                double processCpu = Median(ourProcess.Select(s => s.CpuMs));
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"dump-flows{mode} as processes: {ourProcessBytes} bytes; wall median dvrctl {processWall:0.0} ms, ovs-ofctl {theirWall:0.0} ms, " +
                    $"ratio {theirWall / processWall:0.00}x; CPU median dvrctl {processCpu:0.0} ms, ovs-ofctl {theirCpu:0.0} ms, ratio {theirCpu / processCpu:0.00}x"));
            }
        }
    }

    private readonly record struct Sample(double WallMs, double CpuMs);

    private static (Sample Sample, long Bytes) Ours(string target, bool noStats)
    {
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var counter = new CountingStream();
        using (var sink = new StreamWriter(counter, new UTF8Encoding(false), 64 * 1024))
        {
            Task.Run(async () =>
            {
                await using var live = await LiveSwitch.ConnectAsync(target).ConfigureAwait(false);
                await SwitchDumps.DumpFlowsAsync(live, new DumpFlowsOptions(NoStats: noStats), sink).ConfigureAwait(false);
            }).GetAwaiter().GetResult();
        }

        double wall = watch.Elapsed.TotalMilliseconds;
        process.Refresh();
        return (new Sample(wall, (process.TotalProcessorTime - cpuBefore).TotalMilliseconds), counter.Length);
    }

    /// <summary>Runs a dump as a process, reading its stdout to the end; wall time and the child's CPU time.</summary>
    private static (Sample Sample, long Bytes) RunProcess(string fileName, string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in arguments)
        {
            start.ArgumentList.Add(arg);
        }

        double cpuBefore = ChildrenCpuMs();
        var watch = Stopwatch.StartNew();
        long bytes = 0;
        using (var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}"))
        {
            var buffer = new byte[64 * 1024];
            var stdout = process.StandardOutput.BaseStream;
            int read;
            while ((read = stdout.Read(buffer)) > 0)
            {
                bytes += read;
            }

            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited {process.ExitCode}");
            }
        }

        double wall = watch.Elapsed.TotalMilliseconds;

        // The runtime reaps the child on SIGCHLD; wait until its times have been added to RUSAGE_CHILDREN.
        double cpu = ChildrenCpuMs() - cpuBefore;
        for (int i = 0; i < 100 && cpu <= 0; i++)
        {
            Thread.Sleep(10);
            cpu = ChildrenCpuMs() - cpuBefore;
        }

        return (new Sample(wall, cpu), bytes);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary>User + system time of every reaped child of this process (getrusage(2), RUSAGE_CHILDREN = -1).</summary>
    private static double ChildrenCpuMs()
    {
        if (NativeMethods.getrusage(-1, out var usage) != 0)
        {
            throw new InvalidOperationException($"getrusage failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return (usage.UserSeconds + usage.SystemSeconds) * 1000.0 + (usage.UserMicroseconds + usage.SystemMicroseconds) / 1000.0;
    }

    /// <summary>A write-only stream that only counts bytes.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => _length += count;

        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
    }

    /// <summary>struct rusage on 64-bit Linux: ru_utime and ru_stime (struct timeval), then 14 longs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        private readonly long _maxrss;
        private readonly long _ixrss;
        private readonly long _idrss;
        private readonly long _isrss;
        private readonly long _minflt;
        private readonly long _majflt;
        private readonly long _nswap;
        private readonly long _inblock;
        private readonly long _oublock;
        private readonly long _msgsnd;
        private readonly long _msgrcv;
        private readonly long _nsignals;
        private readonly long _nvcsw;
        private readonly long _nivcsw;
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int getrusage(int who, out RUsage usage);
    }
}
