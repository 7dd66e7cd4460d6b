using Dvr.DvrFlows.Compiler;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Reconcile;
using Dvr.DvrFlows.Topology;

namespace Dvr.DvrFlows.Controller;

/// <summary>The production <see cref="IDesiredFlowSource"/>: <see cref="DvrFlowCompiler"/> with the live port numbers.</summary>
public sealed class CompilerFlowSource : IDesiredFlowSource
{
    public static readonly CompilerFlowSource Instance = new();

    public IReadOnlyDictionary<string, IReadOnlyList<FlowEntry>> Compute(Topology.Topology topology, Host host, HostPortMap ports)
    {
        var compiled = DvrFlowCompiler.Compile(topology, host.Name, ports);
        return compiled.Bridges.ToDictionary(
            b => b.Key,
            b => (IReadOnlyList<FlowEntry>)[.. b.Value.Flows.Select(ToEntry)],
            StringComparer.Ordinal);
    }

    public static FlowEntry ToEntry(DesiredFlow flow) => new(flow.TableId, flow.Priority, flow.Match, flow.Cookie, flow.Instructions);
}
