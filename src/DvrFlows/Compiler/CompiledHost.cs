using System.Collections.Immutable;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Pipeline;

namespace Dvr.DvrFlows.Compiler;

/// <summary>
/// A flow that was not compiled because its bridge lacks an interface it needs (no ofport yet). The controller
/// recompiles when the port appears (PORT_STATUS ADD), and the flow is then emitted.
/// </summary>
public sealed record WaitingFlow(string BridgeName, string MissingInterface, FlowOwner Owner, string Role);

/// <summary>Two builders wanted different flows with the same identity; the first (in canonical build order) was kept.</summary>
public sealed record FlowConflict(DesiredFlow Kept, DesiredFlow Dropped);

/// <summary>The compiled flows of one host: one <see cref="DesiredFlowSet"/> per bridge, plus what waits for ports.</summary>
public sealed class CompiledHost
{
    public CompiledHost(
        string hostName,
        ImmutableSortedDictionary<string, DesiredFlowSet> bridges,
        ImmutableArray<WaitingFlow> waiting,
        ImmutableArray<FlowConflict> conflicts)
    {
        HostName = hostName;
        Bridges = bridges;
        Waiting = waiting;
        Conflicts = conflicts;
    }

    public string HostName { get; }

    /// <summary>Bridge name → its desired flows. Every bridge of the host is present, even with no flows.</summary>
    public ImmutableSortedDictionary<string, DesiredFlowSet> Bridges { get; }

    public ImmutableArray<WaitingFlow> Waiting { get; }

    public ImmutableArray<FlowConflict> Conflicts { get; }

    /// <summary>
    /// True when a flow was dropped in favour of another owner's flow with the same key (a conflict, or the same
    /// flow wanted by two owners): which owner holds such a key depends on build order, so
    /// <see cref="IncrementalCompiler"/> recompiles this host whole rather than replacing owners.
    /// </summary>
    public bool OwnersShareKeys { get; init; }

    public DesiredFlowSet this[string bridgeName] =>
        Bridges.TryGetValue(bridgeName, out var set) ? set : throw new KeyNotFoundException($"host {HostName} has no bridge '{bridgeName}'; it has {string.Join(", ", Bridges.Keys)}");

    /// <summary>The bridges in pipeline order: integration, tunnel, then physical bridges by name.</summary>
    public IEnumerable<DesiredFlowSet> InPipelineOrder() =>
        Bridges.Values.OrderBy(b => b.Bridge).ThenBy(b => b.BridgeName, StringComparer.Ordinal);

    /// <summary>Number of flows over all bridges.</summary>
    public int AllFlowCount => Bridges.Values.Sum(b => b.Count);

    public IEnumerable<DesiredFlow> AllFlows => InPipelineOrder().SelectMany(b => b.Flows);

    public DesiredFlowSet OfKind(BridgeKind kind) => InPipelineOrder().First(b => b.Bridge == kind);
}
