namespace Dvr.Benchmarks;
public static class Program
{
    public static void Main(string[] args) => Environment.ExitCode = args.Length > 0 && args[0] == "diagnostics-dump" ? DiagnosticsDumpBenchmark.Run(args[1..]) : RunBenchmarks(args);

    private static int RunBenchmarks(string[] args)
    {
        BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
