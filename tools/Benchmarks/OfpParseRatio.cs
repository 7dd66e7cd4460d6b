using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dvr.OpenFlow;
using Dvr.OpenFlow.Match;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.Benchmarks;

/// <summary>
/// <c>ofp-parse-ratio [--count N] [--runs R] [--min-ratio X]</c>: writes N distinct DVR FLOW_MODs (the issue's
/// 136-byte message with eth_src and dl_vlan varied) back to back into one file, then in the same run times
/// <c>ovs-ofctl ofp-parse FILE &gt; /dev/null</c> and our decode + ovs-ofctl text of the same file into a null
/// writer, best of R each. Both sides are single-threaded. Before timing, the two outputs are compared line for
/// line, so both do the same work. The verdict uses CPU time (user + system; for us the whole process, GC
/// included), which a shared, loaded machine disturbs far less than wall time; wall times are printed too.
/// Exits 1 when the CPU-time ratio is below the minimum (default 2) or the outputs differ.
/// </summary>
public static class OfpParseRatio
{
    public const string Command = "ofp-parse-ratio";

    public static int Run(string[] args)
    {
        int count = IntOption(args, "--count", 100_000);
        int runs = IntOption(args, "--runs", 3);
        double minRatio = double.Parse(Option(args, "--min-ratio") ?? "2", CultureInfo.InvariantCulture);

        string path = Path.Combine(Path.GetTempPath(), $"dvr-ofp-parse-ratio-{Environment.ProcessId}.bin");
        try
        {
            WriteFlowMods(path, count);
            Console.WriteLine($"{count:N0} FLOW_MODs, {new FileInfo(path).Length:N0} bytes in {path}");

            // Untimed: the outputs must be identical (this also warms up our JIT).
            string expected = RunOvs(path, toNull: false).Output;
            using (var ours = new StringWriter(CultureInfo.InvariantCulture))
            {
                FormatFile(path, ours);
                if (FirstDifference(expected, ours.ToString()) is { } difference)
                {
                    Console.Error.WriteLine($"output differs from ovs-ofctl ofp-parse: {difference}");
                    return 1;
                }
            }

            Console.WriteLine($"outputs identical ({expected.Length:N0} characters)");

            var ovs = Best(runs, () => RunOvs(path, toNull: true).Times);
            var dvr = Best(runs, () => TimeOurs(path));
            Report("ovs-ofctl ofp-parse", count, ovs);
            Report("Dvr decode + format", count, dvr);
            double cpuRatio = ovs.Cpu / dvr.Cpu;
            double wallRatio = ovs.Wall / dvr.Wall;
            Console.WriteLine(
                $"ratio (Dvr rate / ovs-ofctl rate): {cpuRatio:F2}x by CPU time, {wallRatio:F2}x by wall time " +
                $"(load average {LoadAverage()}, {Environment.ProcessorCount} cores)");
            if (cpuRatio < minRatio)
            {
                Console.Error.WriteLine($"FAIL: CPU-time ratio {cpuRatio:F2} is below {minRatio:F2}");
                return 1;
            }

            return 0;
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Wall and CPU seconds of one timed run.</summary>
    private readonly record struct Times(double Wall, double Cpu);

    private static void WriteFlowMods(string path, int count)
    {
        var template = CodecBenchmarks.DvrFlowMod();
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        var buffer = new byte[template.EncodedLength];
        for (int i = 0; i < count; i++)
        {
            var mod = template with
            {
                Xid = (uint)i,
                Match = new MatchBuilder()
                    .InPort(1)
                    .VlanVid((ushort)(1 + (i % 4094)))
                    .EthSrc(new MacAddress(0xfa163e000000UL | (uint)i))
                    .EthDst(MacAddress.Parse("fa:16:3e:00:00:02"))
                    .Build(),
            };
            int length = mod.EncodeTo(buffer);
            file.Write(buffer, 0, length);
        }
    }

    /// <summary>
    /// Our side of the comparison: read the file, split it into messages, decode and print each into one text
    /// buffer that is written out whenever it fills (as ovs-ofctl prints into a dynamic string and writes it).
    /// </summary>
    private static void FormatFile(string path, TextWriter output)
    {
        const int FlushAt = 32 * 1024;
        var bytes = File.ReadAllBytes(path).AsSpan();
        var text = new StringBuilder(FlushAt + 4096);
        while (!bytes.IsEmpty)
        {
            int length = OfpHeader.Read(bytes).Length;
            OfpPrint.Append(text, bytes[..length], PortNames.None);
            bytes = bytes[length..];
            if (text.Length >= FlushAt)
            {
                output.Write(text);
                text.Clear();
            }
        }

        output.Write(text);
    }

    private static Times TimeOurs(string path)
    {
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        FormatFile(path, TextWriter.Null);
        wall.Stop();
        process.Refresh();
        return new Times(wall.Elapsed.TotalSeconds, (process.TotalProcessorTime - cpuBefore).TotalSeconds);
    }

    /// <summary>
    /// Runs ovs-ofctl under bash's <c>time</c>, which reports the child's own CPU time (getrusage) to the
    /// millisecond; its stdout goes to /dev/null when timed.
    /// </summary>
    private static (string Output, Times Times) RunOvs(string path, bool toNull)
    {
        string redirect = toNull ? " > /dev/null" : string.Empty;
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"TIMEFORMAT='%3R %3U %3S'; time ovs-ofctl ofp-parse \"$1\"{redirect}");
        start.ArgumentList.Add("bash");
        start.ArgumentList.Add(path);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start bash");
        var stderr = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        string[] lines = stderr.Result.Trim().Split('\n');
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ovs-ofctl ofp-parse failed ({process.ExitCode}): {stderr.Result}");
        }

        double[] t = lines[^1].Split(' ').Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        return (output, new Times(t[0], t[1] + t[2]));
    }

    /// <summary>Best of <paramref name="runs"/>: the run least disturbed by other load.</summary>
    private static Times Best(int runs, Func<Times> run)
    {
        var best = new Times(double.MaxValue, double.MaxValue);
        for (int i = 0; i < runs; i++)
        {
            var times = run();
            best = new Times(Math.Min(best.Wall, times.Wall), Math.Min(best.Cpu, times.Cpu));
        }

        return best;
    }

    private static void Report(string who, int count, Times times) =>
        Console.WriteLine(
            $"{who,-22} {count / times.Cpu,12:N0} msg/s by CPU time ({times.Cpu:F3} s)   " +
            $"{count / times.Wall,12:N0} msg/s by wall time ({times.Wall:F3} s)");

    private static string? FirstDifference(string expected, string actual)
    {
        string[] want = expected.Split('\n');
        string[] got = actual.Split('\n');
        for (int i = 0; i < Math.Max(want.Length, got.Length); i++)
        {
            string w = i < want.Length ? want[i] : "<end>";
            string g = i < got.Length ? got[i] : "<end>";
            if (w != g)
            {
                return $"line {i + 1}: ovs-ofctl '{w}', Dvr '{g}'";
            }
        }

        return null;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string? Option(string[] args, string name)
    {
        int index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private static int IntOption(string[] args, string name, int fallback) =>
        Option(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
