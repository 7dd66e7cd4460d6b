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
        var sink = new FlowSink(ports);
        new BrIntFlowBuilder(plan, sink).Build();
        new BrTunFlowBuilder(plan, sink).Build();
        foreach (var (physnet, bridge) in plan.Host.PhysicalBridges)
        {
            new BrPhysFlowBuilder(plan, sink, physnet, bridge).Build();
        }

        var bridges = new List<(BridgeKind Kind, string Name)>
        {
            (BridgeKind.Integration, plan.Host.Integration.Name),
            (BridgeKind.Tunnel, plan.Host.Tunnel.Name),
        };
        bridges.AddRange(plan.Host.PhysicalBridges.Values.Select(b => (BridgeKind.Physical, b.Name)).Distinct());
        var byBridge = sink.Flows.ToLookup(f => f.BridgeName, StringComparer.Ordinal);
        var sets = bridges.ToImmutableSortedDictionary(
            b => b.Name,
            b => new DesiredFlowSet(b.Kind, b.Name, byBridge[b.Name]),
            StringComparer.Ordinal);
        return new CompiledHost(plan.Host.Name, sets, sink.Waiting, sink.Conflicts);
    }
}
