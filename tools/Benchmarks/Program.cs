namespace Dvr.Benchmarks;
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "controller-push")
        {
            return ControllerPushBench.RunAsync(args[1..]).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "compile-bench")
        {
            return CompileBench.Run(args[1..]);
        }

        BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
