using System.Buffers;
using BenchmarkDotNet.Attributes;
using Dvr.OpenFlow;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Match;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Messages.Flow;
using Dvr.OpenFlow.Text;

namespace Dvr.Benchmarks;

/// <summary>
/// The reference message: the 136-byte DVR FLOW_MOD
/// <c>table=1,priority=100,in_port=1,dl_vlan=5,dl_src=fa:16:3e:00:00:01,dl_dst=fa:16:3e:00:00:02
/// actions=set_field:fa:16:3f:00:00:01->eth_src,output:2,goto_table:2</c>.
/// Each benchmark handles <see cref="Batch"/> messages per invocation so per-message cost is
/// time / Batch (BenchmarkDotNet reports it via OperationsPerInvoke).
/// </summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private const int Batch = 1000;

    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);
    private FlowMod _flowMod = null!;
    private byte[] _bytes = null!;

    public static FlowMod DvrFlowMod() => new()
    {
        Xid = 1,
        TableId = 1,
        Priority = 100,
        Match = new MatchBuilder()
            .InPort(1)
            .VlanVid(5)
            .EthSrc(MacAddress.Parse("fa:16:3e:00:00:01"))
            .EthDst(MacAddress.Parse("fa:16:3e:00:00:02"))
            .Build(),
        Instructions = new InstructionList(
            new ApplyActionsInstruction(new ActionList(
                new SetFieldAction(OxmFields.EthSrc, MacAddress.Parse("fa:16:3f:00:00:01").Value),
                new OutputAction(2))),
            new GotoTableInstruction(2)),
    };

    [GlobalSetup]
    public void Setup()
    {
        _flowMod = DvrFlowMod();
        _bytes = _flowMod.ToBytes();
        if (_bytes.Length != 136)
        {
            throw new InvalidOperationException($"reference FLOW_MOD is {_bytes.Length} bytes, expected 136");
        }
    }

    /// <summary>Encode into a reused IBufferWriter: the controller's hot path. Must allocate nothing.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int EncodeFlowMod()
    {
        _output.ResetWrittenCount();
        int total = 0;
        for (int i = 0; i < Batch; i++)
        {
            total += _flowMod.Encode(_output);
            if (_output.FreeCapacity < 256)
            {
                _output.ResetWrittenCount();
            }
        }

        return total;
    }

    /// <summary>Decode the 136 bytes into an immutable FlowMod (match, instructions, actions).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int DecodeFlowMod()
    {
        int total = 0;
        for (int i = 0; i < Batch; i++)
        {
            total += ((FlowMod)MessageDecoder.Decode(_bytes)).Priority;
        }

        return total;
    }

    /// <summary>
    /// Decode and print as <c>ovs-ofctl ofp-print</c> does (header line, match, actions): the work
    /// <c>ovs-ofctl ofp-parse</c> does per message, compared in the same run by <c>ofp-parse-ratio</c>.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int DecodeAndFormatFlowMod()
    {
        int total = 0;
        for (int i = 0; i < Batch; i++)
        {
            total += OfpPrint.Format(_bytes).Length;
        }

        return total;
    }
}
