namespace Dvr.Benchmarks;
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "controller-push")
        {
            return ControllerPushBench.RunAsync(args[1..]).GetAwaiter().GetResult();
        }

        BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
