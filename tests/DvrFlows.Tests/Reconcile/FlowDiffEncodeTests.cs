using System.Buffers;
using Dvr.DvrFlows.Compiler;
using Dvr.DvrFlows.Reconcile;
using Dvr.OpenFlow.Messages.Bundle;
using NUnit.Framework;
using static Dvr.DvrFlows.Tests.Compiler.TestTopologies;

namespace Dvr.DvrFlows.Tests.Reconcile;

/// <summary>
/// <see cref="FlowDiff.EncodeBundled"/> (what <c>OpenFlowSwitch.ApplyAsync</c> writes) gives, byte for byte, the
/// BUNDLE_ADD messages built from <see cref="FlowDiff.ToFlowMods"/> as records, for every flow of every host of the
/// mixed topology sent as a delete, a modify or an add, and in slabs it resumes where it stopped.
/// </summary>
public class FlowDiffEncodeTests
{
    private const uint BundleId = 7;
    private const BundleFlags Flags = BundleFlags.Atomic | BundleFlags.Ordered;
    private const uint FirstXid = 1000;

    [Test]
    public void EncodeBundled_EveryCompiledFlowAsEachCommand_EqualsTheRecordEncoding()
    {
        var diff = MixedDiff();
        var output = new ArrayBufferWriter<byte>();

        int next = diff.EncodeBundled(output, 0, FirstXid, BundleId, Flags, int.MaxValue);

        Assert.Multiple(() =>
        {
            Assert.That(next, Is.EqualTo(diff.Count));
            Assert.That(Convert.ToHexStringLower(output.WrittenSpan), Is.EqualTo(Convert.ToHexStringLower(RecordEncoding(diff))));
        });
    }

    [Test]
    public void EncodeBundled_InSlabs_StopsPastTheLimitAndResumesWhereItStopped()
    {
        var diff = MixedDiff();
        const int slab = 1024;
        var joined = new List<byte>();
        var output = new ArrayBufferWriter<byte>();
        int next = 0, calls = 0;
        while (next < diff.Count)
        {
            output.ResetWrittenCount();
            int before = next;
            next = diff.EncodeBundled(output, next, FirstXid, BundleId, Flags, slab);
            calls++;
            Assert.That(next, Is.GreaterThan(before), "every call writes at least one flow");
            Assert.That(output.WrittenCount, next < diff.Count ? Is.InRange(slab, slab + 1024) : Is.LessThanOrEqualTo(slab + 1024));
            joined.AddRange(output.WrittenSpan.ToArray());
        }

        Assert.Multiple(() =>
        {
            Assert.That(calls, Is.GreaterThan(20));
            Assert.That(Convert.ToHexStringLower(joined.ToArray()), Is.EqualTo(Convert.ToHexStringLower(RecordEncoding(diff))));
        });
    }

    /// <summary>Every flow of every host of the mixed topology: the first third as deletes, then modifies, then adds.</summary>
    private static FlowDiff MixedDiff()
    {
        var topology = Mixed();
        var flows = topology.Hosts
            .SelectMany(h => DvrFlowCompiler.Compile(topology, h.Name, SyntheticPortMap.For(topology, h.Name)).AllFlows)
            .Select(f => new FlowEntry(f.TableId, f.Priority, f.Match, f.Cookie, f.Instructions))
            .ToList();
        int third = flows.Count / 3;
        return new FlowDiff([.. flows.Take(third)], [.. flows.Skip(third).Take(third)], [.. flows.Skip(2 * third)]);
    }

    private static byte[] RecordEncoding(FlowDiff diff)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var (_, mod) in diff.ToFlowMods(FirstXid))
        {
            new BundleAddMessage { Xid = mod.Xid, BundleId = BundleId, Flags = Flags, Message = mod }.Encode(output);
        }

        return output.WrittenSpan.ToArray();
    }
}
