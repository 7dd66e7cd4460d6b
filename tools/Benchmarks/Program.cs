namespace Dvr.Benchmarks;

/// <summary>
/// <c>ofp-parse-ratio</c> runs the same-run comparison with <c>ovs-ofctl ofp-parse</c> (see <see cref="OfpParseRatio"/>);
/// anything else goes to BenchmarkDotNet's switcher (<c>--filter '*CodecBenchmarks*'</c>).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == OfpParseRatio.Command)
        {
            return OfpParseRatio.Run(args[1..]);
        }

        BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
