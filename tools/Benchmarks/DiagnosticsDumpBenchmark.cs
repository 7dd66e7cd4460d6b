using System.Diagnostics;
using System.Globalization;
using Dvr.DvrFlows.Diagnostics;

namespace Dvr.Benchmarks;

/// <summary>
/// <c>Dvr.Benchmarks diagnostics-dump TARGET [RUNS]</c>: dumps and formats every flow of a live switch with
/// <see cref="SwitchDumps.DumpFlowsAsync"/> and with <c>ovs-ofctl -O OpenFlow13 dump-flows</c>, alternating,
/// in the same run; prints the median wall time of each and the ratio (ovs-ofctl / dvrctl), with and
/// without --no-stats. Both outputs go to a discarding sink after being fully produced. Ours is measured
/// in-process (connect, HELLO, dump, format), theirs as a process (which includes its start-up).
/// </summary>
public static class DiagnosticsDumpBenchmark
{
    public static int Run(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: Dvr.Benchmarks diagnostics-dump TARGET [RUNS]");
            return 2;
        }

        string target = args[0];
        int runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        foreach (bool noStats in new[] { false, true })
        {
            var ours = new List<double>();
            var theirs = new List<double>();
            int ourLines = 0;
            int theirLines = 0;
            Ours(target, noStats);
            for (int i = 0; i < runs; i++)
            {
                var watch = Stopwatch.StartNew();
                ourLines = Ours(target, noStats);
                ours.Add(watch.Elapsed.TotalMilliseconds);
                watch.Restart();
                theirLines = Theirs(target, noStats);
                theirs.Add(watch.Elapsed.TotalMilliseconds);
            }

            double ourMedian = Median(ours);
            double theirMedian = Median(theirs);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"dump-flows{(noStats ? " --no-stats" : string.Empty)}: {ourLines} lines (ovs-ofctl {theirLines}); dvrctl median {ourMedian:0.0} ms, ovs-ofctl median {theirMedian:0.0} ms, ratio ovs-ofctl/dvrctl {theirMedian / ourMedian:0.00}x over {runs} runs"));
        }

        return 0;
    }

    private static int Ours(string target, bool noStats)
    {
        string text = Task.Run(async () =>
        {
            await using var live = await LiveSwitch.ConnectAsync(target).ConfigureAwait(false);
            return await SwitchDumps.DumpFlowsAsync(live, new DumpFlowsOptions(NoStats: noStats)).ConfigureAwait(false);
        }).GetAwaiter().GetResult();
        using var sink = new StreamWriter(Stream.Null);
        sink.Write(text);
        return text.Count(c => c == '\n');
    }

    private static int Theirs(string target, bool noStats)
    {
        var start = new ProcessStartInfo("ovs-ofctl") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in new[] { "-O", "OpenFlow13", "dump-flows", target }.Concat(noStats ? ["--no-stats"] : []))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start ovs-ofctl");
        string text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return text.Count(c => c == '\n');
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
