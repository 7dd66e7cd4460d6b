using System.Collections.Immutable;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Pipeline;

namespace Dvr.DvrFlows.Compiler;

/// <summary>
/// The DVR flow compiler: a pure function from a topology, a host and that host's port numbers to the exact
/// OpenFlow 1.3 flows of its br-int, br-tun and physical bridges, table-compatible with Neutron's OVS agent
/// (neutron-dvr-flows.md §3; deviations in docs/neutron-parity.md). Same inputs (in any order) → identical flows.
/// </summary>
public static class DvrFlowCompiler
{
    /// <exception cref="UnknownHostException">The topology has no host named <paramref name="hostName"/>.</exception>
    public static CompiledHost Compile(Topology.Topology topology, string hostName, IPortMap ports) =>
        Compile(HostPlan.Create(topology, hostName), ports);

    public static CompiledHost Compile(HostPlan plan, IPortMap ports)
    {
        var result = Run(plan, new FlowSink(ports));
        var sets = ImmutableSortedDictionary.CreateBuilder<string, DesiredFlowSet>(StringComparer.Ordinal);
        foreach (var (kind, name) in BridgesOf(plan))
        {
            if (!sets.ContainsKey(name))
            {
                sets.Add(name, DesiredFlowSet.FromSorted(kind, name, result.Flows.GetValueOrDefault(name, [])));
            }
        }

        return new CompiledHost(plan.Host.Name, sets.ToImmutable(), result.Waiting, result.Conflicts)
        {
            OwnersShareKeys = result.OwnersShareKeys,
        };
    }

    /// <summary>
    /// Runs every builder of the host into <paramref name="sink"/>. With an owner filter on the sink, the flows
    /// kept are exactly the flows those owners have in a full compile (same code, same build order).
    /// </summary>
    internal static SinkResult Run(HostPlan plan, FlowSink sink)
    {
        new BrIntFlowBuilder(plan, sink).Build();
        new BrTunFlowBuilder(plan, sink).Build();
        foreach (var (physnet, bridge) in plan.Host.PhysicalBridges)
        {
            new BrPhysFlowBuilder(plan, sink, physnet, bridge).Build();
        }

        return sink.Finish();
    }

    /// <summary>The host's bridges: integration, tunnel, then each physical bridge (once, even if it carries several physnets).</summary>
    internal static IEnumerable<(BridgeKind Kind, string Name)> BridgesOf(HostPlan plan)
    {
        yield return (BridgeKind.Integration, plan.Host.Integration.Name);
        yield return (BridgeKind.Tunnel, plan.Host.Tunnel.Name);
        foreach (var bridge in plan.Host.PhysicalBridges.Values)
        {
            yield return (BridgeKind.Physical, bridge.Name);
        }
    }
}
