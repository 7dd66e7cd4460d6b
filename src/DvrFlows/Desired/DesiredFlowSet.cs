using System.Collections.Immutable;
using Dvr.DvrFlows.Pipeline;

namespace Dvr.DvrFlows.Desired;

/// <summary>
/// The desired flows of one bridge in canonical order (<see cref="FlowOrder"/>), indexed by identity and by
/// owner (OVN's ovn_desired_flow_table). No two flows share bridge+table+priority+match.
/// The two indexes are built on first use: compiling a large cloud makes ~10,000 flows per bridge set, and
/// most consumers (the reconciler, <c>dvrctl compile</c>) only walk <see cref="Flows"/>.
/// </summary>
public sealed class DesiredFlowSet : IEquatable<DesiredFlowSet>
{
    private Dictionary<FlowKey, DesiredFlow>? _byKey;
    private ImmutableSortedDictionary<FlowOwner, ImmutableArray<DesiredFlow>>? _byOwner;

    public DesiredFlowSet(BridgeKind bridge, string bridgeName, IEnumerable<DesiredFlow> flows)
    {
        Bridge = bridge;
        BridgeName = bridgeName;
        var sorted = flows.ToArray();
        Array.Sort(sorted, FlowOrder.Instance);
        CheckBridge(sorted);
        CheckUniqueKeys(sorted);
        Flows = ImmutableArray.Create(sorted);
    }

    /// <summary>A set from flows already in <see cref="FlowOrder"/> with unique keys (checked).</summary>
    private DesiredFlowSet(BridgeKind bridge, string bridgeName, ImmutableArray<DesiredFlow> sorted, ImmutableSortedDictionary<FlowOwner, ImmutableArray<DesiredFlow>>? byOwner)
    {
        Bridge = bridge;
        BridgeName = bridgeName;
        Flows = sorted;
        _byOwner = byOwner;
    }

    public BridgeKind Bridge { get; }

    public string BridgeName { get; }

    public ImmutableArray<DesiredFlow> Flows { get; }

    /// <summary>The flows of each owner, in canonical order.</summary>
    public ImmutableSortedDictionary<FlowOwner, ImmutableArray<DesiredFlow>> ByOwner =>
        _byOwner ?? Interlocked.CompareExchange(ref _byOwner, GroupByOwner(Flows), null) ?? _byOwner!;

    public int Count => Flows.Length;

    /// <summary>
    /// Builds a set from flows that are already sorted by <see cref="FlowOrder"/> and have unique keys, as the
    /// compiler produces them; both are verified in one linear pass instead of sorting again.
    /// </summary>
    /// <exception cref="ArgumentException">The flows are out of order or belong to another bridge.</exception>
    /// <exception cref="InvalidOperationException">Two flows share a key.</exception>
    public static DesiredFlowSet FromSorted(BridgeKind bridge, string bridgeName, ImmutableArray<DesiredFlow> sorted)
    {
        var span = sorted.AsSpan();
        for (int i = 1; i < span.Length; i++)
        {
            if (FlowOrder.Instance.Compare(span[i - 1], span[i]) > 0)
            {
                throw new ArgumentException($"{bridgeName}: flows not in canonical order at index {i} ({span[i - 1].Role} before {span[i].Role})", nameof(sorted));
            }
        }

        var set = new DesiredFlowSet(bridge, bridgeName, sorted, null);
        set.CheckBridge(span);
        set.CheckUniqueKeys(span);
        return set;
    }

    public bool TryGet(FlowKey key, out DesiredFlow flow)
    {
        var byKey = Volatile.Read(ref _byKey);
        if (byKey is null)
        {
            byKey = new Dictionary<FlowKey, DesiredFlow>(Flows.Length);
            foreach (var f in Flows)
            {
                byKey.Add(f.Key, f);
            }

            Interlocked.CompareExchange(ref _byKey, byKey, null);
            byKey = _byKey!;
        }

        return byKey.TryGetValue(key, out flow!);
    }

    public ImmutableArray<DesiredFlow> OwnedBy(FlowOwner owner) =>
        ByOwner.TryGetValue(owner, out var flows) ? flows : [];

    /// <summary>
    /// This set with the flows of the given owners replaced (incremental recompute): every flow of an owner in
    /// <paramref name="owners"/> is dropped, and <paramref name="added"/> (which must all belong to those owners)
    /// are merged in canonical order. Linear in the set size, with no sort of the untouched flows.
    /// </summary>
    /// <exception cref="InvalidOperationException">An added flow has the key of a flow that stays.</exception>
    public DesiredFlowSet WithOwnersReplaced(IReadOnlySet<FlowOwner> owners, IReadOnlyList<DesiredFlow> added)
    {
        var incoming = added.ToArray();
        Array.Sort(incoming, FlowOrder.Instance);
        var result = ImmutableArray.CreateBuilder<DesiredFlow>(Flows.Length + incoming.Length);
        int next = 0;
        foreach (var flow in Flows)
        {
            if (owners.Contains(flow.Owner))
            {
                continue;
            }

            while (next < incoming.Length && FlowOrder.Instance.Compare(incoming[next], flow) < 0)
            {
                result.Add(incoming[next++]);
            }

            result.Add(flow);
        }

        while (next < incoming.Length)
        {
            result.Add(incoming[next++]);
        }

        var flows = result.MoveToImmutable();
        CheckUniqueKeys(flows.AsSpan());
        ImmutableSortedDictionary<FlowOwner, ImmutableArray<DesiredFlow>>? byOwner = null;
        if (_byOwner is { } old)
        {
            var builder = old.ToBuilder();
            foreach (var owner in owners)
            {
                builder.Remove(owner);
            }

            foreach (var group in incoming.GroupBy(f => f.Owner))
            {
                builder[group.Key] = [.. group];
            }

            byOwner = builder.ToImmutable();
        }

        return new DesiredFlowSet(Bridge, BridgeName, flows, byOwner);
    }

    public bool Equals(DesiredFlowSet? other) =>
        other is not null && other.BridgeName == BridgeName && other.Bridge == Bridge
        && other.Flows.AsSpan().SequenceEqual(Flows.AsSpan());

    public override bool Equals(object? obj) => obj is DesiredFlowSet other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(BridgeName, Flows.Length);

    private static ImmutableSortedDictionary<FlowOwner, ImmutableArray<DesiredFlow>> GroupByOwner(ImmutableArray<DesiredFlow> flows)
    {
        var groups = new Dictionary<FlowOwner, ImmutableArray<DesiredFlow>.Builder>();
        foreach (var flow in flows)
        {
            if (!groups.TryGetValue(flow.Owner, out var list))
            {
                groups[flow.Owner] = list = ImmutableArray.CreateBuilder<DesiredFlow>();
            }

            list.Add(flow);
        }

        var builder = ImmutableSortedDictionary.CreateBuilder<FlowOwner, ImmutableArray<DesiredFlow>>();
        foreach (var (owner, list) in groups)
        {
            builder.Add(owner, list.ToImmutable());
        }

        return builder.ToImmutable();
    }

    private void CheckBridge(ReadOnlySpan<DesiredFlow> flows)
    {
        foreach (var flow in flows)
        {
            if (flow.BridgeName != BridgeName || flow.Bridge != Bridge)
            {
                throw new ArgumentException($"flow for {flow.BridgeName} ({flow.Role}) placed in the set of {BridgeName}");
            }
        }
    }

    // In FlowOrder, flows with equal keys compare equal up to the owner (Match equality and CompareMatch both
    // ignore entry order), so duplicates sit in one run of neighbours that differ only by owner.
    private void CheckUniqueKeys(ReadOnlySpan<DesiredFlow> sorted)
    {
        int runStart = 0;
        for (int i = 1; i <= sorted.Length; i++)
        {
            if (i < sorted.Length && FlowOrder.CompareIgnoringOwner(sorted[i - 1], sorted[i]) == 0)
            {
                continue;
            }

            for (int a = runStart; a < i; a++)
            {
                for (int b = a + 1; b < i; b++)
                {
                    if (sorted[a].Key == sorted[b].Key)
                    {
                        throw new InvalidOperationException(
                            $"{BridgeName} table {sorted[b].TableId} priority {sorted[b].Priority}: two flows with the same match " +
                            $"({sorted[a].Owner} '{sorted[a].Role}' and {sorted[b].Owner} '{sorted[b].Role}')");
                    }
                }
            }

            runStart = i;
        }
    }
}
