using System.Collections.Immutable;
using Dvr.DvrFlows.Pipeline;

namespace Dvr.DvrFlows.Desired;

/// <summary>
/// The desired flows of one bridge in canonical order (<see cref="FlowOrder"/>), indexed by identity and by
/// owner (OVN's ovn_desired_flow_table). No two flows share bridge+table+priority+match.
/// </summary>
public sealed class DesiredFlowSet : IEquatable<DesiredFlowSet>
{
    private readonly Dictionary<FlowKey, DesiredFlow> _byKey;

    public DesiredFlowSet(BridgeKind bridge, string bridgeName, IEnumerable<DesiredFlow> flows)
    {
        Bridge = bridge;
        BridgeName = bridgeName;
        var sorted = flows.ToList();
        sorted.Sort(FlowOrder.Instance);
        _byKey = new Dictionary<FlowKey, DesiredFlow>(sorted.Count);
        foreach (var flow in sorted)
        {
            if (flow.BridgeName != bridgeName || flow.Bridge != bridge)
            {
                throw new ArgumentException($"flow for {flow.BridgeName} ({flow.Role}) placed in the set of {bridgeName}");
            }

            if (!_byKey.TryAdd(flow.Key, flow))
            {
                var other = _byKey[flow.Key];
                throw new InvalidOperationException(
                    $"{bridgeName} table {flow.TableId} priority {flow.Priority}: two flows with the same match " +
                    $"({other.Owner} '{other.Role}' and {flow.Owner} '{flow.Role}')");
            }
        }

        Flows = [.. sorted];
        ByOwner = Flows.GroupBy(f => f.Owner)
            .ToImmutableSortedDictionary(g => g.Key, g => g.ToImmutableArray());
    }

    public BridgeKind Bridge { get; }

    public string BridgeName { get; }

    public ImmutableArray<DesiredFlow> Flows { get; }

    /// <summary>The flows of each owner, in canonical order.</summary>
    public ImmutableSortedDictionary<FlowOwner, ImmutableArray<DesiredFlow>> ByOwner { get; }

    public int Count => Flows.Length;

    public bool TryGet(FlowKey key, out DesiredFlow flow) => _byKey.TryGetValue(key, out flow!);

    public ImmutableArray<DesiredFlow> OwnedBy(FlowOwner owner) =>
        ByOwner.TryGetValue(owner, out var flows) ? flows : [];

    public bool Equals(DesiredFlowSet? other) =>
        other is not null && other.BridgeName == BridgeName && other.Bridge == Bridge
        && other.Flows.AsSpan().SequenceEqual(Flows.AsSpan());

    public override bool Equals(object? obj) => obj is DesiredFlowSet other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(BridgeName, Flows.Length);
}
