using Dvr.DvrFlows.Compiler;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Reconcile;
using Dvr.DvrFlows.Topology;
using Dvr.OpenFlow.Instructions;
using OfMatch = Dvr.OpenFlow.Match.Match;

namespace Dvr.DvrFlows.Controller;

/// <summary>The production <see cref="IDesiredFlowSource"/>: <see cref="DvrFlowCompiler"/> with the live port numbers.</summary>
public sealed class CompilerFlowSource : IDesiredFlowSource
{
    public static readonly CompilerFlowSource Instance = new();

    /// <summary>
    /// Compiles the host and returns each bridge's flows. The controller keeps these lists for as long as the
    /// bridges stay connected (they are what it believes is installed), so equal matches and equal instruction
    /// lists are stored once per host: many flows share their actions (output to one port, goto one table),
    /// and the same match recurs across tables. This is what keeps the controller near a few hundred bytes per
    /// installed flow (tools/Benchmarks controller-memory).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<FlowEntry>> Compute(Topology.Topology topology, Host host, HostPortMap ports)
    {
        var compiled = DvrFlowCompiler.Compile(topology, host.Name, ports);
        var shared = new SharedParts();
        return compiled.Bridges.ToDictionary(
            b => b.Key,
            b => (IReadOnlyList<FlowEntry>)[.. b.Value.Flows.Select(f => shared.ToEntry(f))],
            StringComparer.Ordinal);
    }

    public static FlowEntry ToEntry(DesiredFlow flow) => new(flow.TableId, flow.Priority, flow.Match, flow.Cookie, flow.Instructions);

    /// <summary>One instance per distinct value (value equality of <see cref="OfMatch"/> and <see cref="InstructionList"/>).</summary>
    private sealed class SharedParts
    {
        private readonly Dictionary<OfMatch, OfMatch> _matches = [];
        private readonly Dictionary<InstructionList, InstructionList> _instructions = [];

        public FlowEntry ToEntry(DesiredFlow flow) =>
            new(flow.TableId, flow.Priority, Intern(_matches, flow.Match), flow.Cookie, Intern(_instructions, flow.Instructions));

        private static T Intern<T>(Dictionary<T, T> pool, T value)
            where T : notnull
        {
            if (pool.TryGetValue(value, out var existing))
            {
                return existing;
            }

            pool[value] = value;
            return value;
        }
    }
}
