namespace Dvr.Benchmarks;

/// <summary>
/// BenchmarkDotNet benchmarks (default), or a bench command that measures a peer in the same run:
/// <c>controller-push FLOWS ROUNDS</c>, <c>diagnostics-dump TARGET RUNS</c>, <c>compile-bench [ROUNDS]</c>, <c>ofp-parse-ratio</c> (decode + print vs ovs-ofctl ofp-parse).
/// </summary>
public static class Program
{
    public static int Main(string[] args) => args.FirstOrDefault() switch
    {
        "controller-push" => ControllerPushBench.RunAsync(args[1..]).GetAwaiter().GetResult(),
        "controller-memory" => ControllerScaleBench.RunMemoryAsync(args[1..]).GetAwaiter().GetResult(),
        "controller-converge" => ControllerScaleBench.RunConvergeAsync(args[1..]).GetAwaiter().GetResult(),
        "diagnostics-dump" => DiagnosticsDumpBenchmark.Run(args[1..]),
        "compile-bench" => CompileBench.Run(args[1..]),
        OfpParseRatio.Command => OfpParseRatio.Run(args[1..]),
        _ => RunBenchmarks(args),
    };

    private static int RunBenchmarks(string[] args)
    {
        BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
