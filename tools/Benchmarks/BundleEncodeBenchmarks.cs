using System.Buffers;
using BenchmarkDotNet.Attributes;
using Dvr.DvrFlows.Reconcile;
using Dvr.OpenFlow.Messages.Bundle;

namespace Dvr.Benchmarks;

/// <summary>
/// The controller's own part of a 100,000-flow push (<c>controller-push</c>): encoding the bundle's ADD messages
/// from the diff's flows (DVR-shaped, as in <c>controller-push</c>) into a reused buffer. <c>Records</c> is the way
/// <c>OpenFlowSwitch.ApplyAsync</c> encoded them until session 4 (a FlowMod and a BundleAddMessage per flow);
/// <c>Direct</c> is <see cref="FlowDiff.EncodeBundled"/>, what it does now.
/// </summary>
[MemoryDiagnoser]
public class BundleEncodeBenchmarks
{
    private const uint BundleId = 1;
    private const BundleFlags Flags = BundleFlags.Atomic | BundleFlags.Ordered;

    private FlowDiff _diff = null!;
    private ArrayBufferWriter<byte> _output = null!;

    [GlobalSetup]
    public void Setup()
    {
        _diff = new FlowDiff([], [], [.. ControllerPushBench.Flows(ControllerPushBench.FlowShape.Dvr, 100_000)]);
        _output = new ArrayBufferWriter<byte>(100_000 * 200);
    }

    [Benchmark(Baseline = true)]
    public int Records()
    {
        _output.ResetWrittenCount();
        foreach (var (_, mod) in _diff.ToFlowMods(2))
        {
            new BundleAddMessage { Xid = mod.Xid, BundleId = BundleId, Flags = Flags, Message = mod }.Encode(_output);
        }

        return _output.WrittenCount;
    }

    [Benchmark]
    public int Direct()
    {
        _output.ResetWrittenCount();
        _diff.EncodeBundled(_output, 0, 2, BundleId, Flags, int.MaxValue);
        return _output.WrittenCount;
    }
}
