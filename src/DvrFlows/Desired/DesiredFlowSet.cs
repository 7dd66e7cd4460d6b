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
    /// <summary>Above this many pending removed + added flows, a replacement materialises the set first.</summary>
    private const int MaxPendingFlows = 4096;

    private readonly Lock _materializing = new();
    private Dictionary<FlowKey, DesiredFlow>? _byKey;
    private ImmutableSortedDictionary<FlowOwner, ImmutableArray<DesiredFlow>>? _byOwner;
    private ImmutableArray<DesiredFlow> _flows;
    private Pending? _pending;

    public DesiredFlowSet(BridgeKind bridge, string bridgeName, IEnumerable<DesiredFlow> flows)
    {
        Bridge = bridge;
        BridgeName = bridgeName;
        var sorted = flows.ToArray();
        Array.Sort(sorted, FlowOrder.Instance);
        CheckBridge(sorted);
        CheckUniqueKeys(sorted);
        _flows = ImmutableArray.Create(sorted);
        Count = _flows.Length;
    }

    /// <summary>A set from flows already in <see cref="FlowOrder"/> with unique keys (checked).</summary>
    private DesiredFlowSet(BridgeKind bridge, string bridgeName, ImmutableArray<DesiredFlow> sorted, ImmutableSortedDictionary<FlowOwner, ImmutableArray<DesiredFlow>>? byOwner)
    {
        Bridge = bridge;
        BridgeName = bridgeName;
        _flows = sorted;
        Count = sorted.Length;
        _byOwner = byOwner;
    }

    /// <summary>A set that is <paramref name="pending"/>'s root with its removals and additions, materialised on first use of <see cref="Flows"/>.</summary>
    private DesiredFlowSet(BridgeKind bridge, string bridgeName, Pending pending, ImmutableSortedDictionary<FlowOwner, ImmutableArray<DesiredFlow>>? byOwner)
    {
        Bridge = bridge;
        BridgeName = bridgeName;
        _pending = pending;
        Count = pending.Root.Count - pending.Removed.Count + pending.Added.Length;
        _byOwner = byOwner;
    }

    public BridgeKind Bridge { get; }

    public string BridgeName { get; }

    /// <summary>The flows in canonical order. A set made by <see cref="WithOwnersReplaced"/> builds this array on first use.</summary>
    public ImmutableArray<DesiredFlow> Flows
    {
        get
        {
            if (_flows.IsDefault)
            {
                Materialize();
            }

            return _flows;
        }
    }

    /// <summary>The flows of each owner, in canonical order.</summary>
    public ImmutableSortedDictionary<FlowOwner, ImmutableArray<DesiredFlow>> ByOwner =>
        _byOwner ?? Interlocked.CompareExchange(ref _byOwner, GroupByOwner(Flows), null) ?? _byOwner!;

    public int Count { get; }

    /// <summary>
    /// Builds a set from flows that are already sorted by <see cref="FlowOrder"/> and have unique keys, as the
    /// compiler produces them; both are verified in one linear pass instead of sorting again.
    /// </summary>
    /// <exception cref="ArgumentException">The flows are out of order or belong to another bridge.</exception>
    /// <exception cref="InvalidOperationException">Two flows share a key.</exception>
    public static DesiredFlowSet FromSorted(BridgeKind bridge, string bridgeName, ImmutableArray<DesiredFlow> sorted)
    {
        // One pass, one comparison per neighbour pair: the order, the bridge and the runs of equal keys (where
        // duplicates would sit) at once. Errors are reported as the separate passes did: an order error first,
        // then a flow of another bridge, then the first duplicate.
        var span = sorted.AsSpan();
        int otherBridge = -1;
        (int First, int Second) duplicate = (-1, -1);
        int runStart = 0;
        for (int i = 0; i <= span.Length; i++)
        {
            int c = 1;
            if (i > 0 && i < span.Length)
            {
                c = FlowOrder.CompareIgnoringOwner(span[i - 1], span[i]);
                if (c > 0 || (c == 0 && span[i - 1].Owner.CompareTo(span[i].Owner) > 0))
                {
                    throw new ArgumentException($"{bridgeName}: flows not in canonical order at index {i} ({span[i - 1].Role} before {span[i].Role})", nameof(sorted));
                }
            }

            if (i < span.Length && otherBridge < 0 && (span[i].BridgeName != bridgeName || span[i].Bridge != bridge))
            {
                otherBridge = i;
            }

            if (c == 0)
            {
                continue;
            }

            if (duplicate.First < 0 && i - runStart > 1)
            {
                duplicate = FirstDuplicate(span[runStart..i], runStart);
            }

            runStart = i;
        }

        var set = new DesiredFlowSet(bridge, bridgeName, sorted, null);
        if (otherBridge >= 0)
        {
            set.CheckBridge(span[otherBridge..(otherBridge + 1)]);
        }

        if (duplicate.First >= 0)
        {
            throw set.Duplicate(span[duplicate.Second], span[duplicate.First]);
        }

        return set;
    }

    /// <summary>The first pair (in index order) of flows with one key in a run of flows that compare equal up to the owner, or (-1, -1).</summary>
    private static (int First, int Second) FirstDuplicate(ReadOnlySpan<DesiredFlow> run, int offset)
    {
        for (int a = 0; a < run.Length; a++)
        {
            for (int b = a + 1; b < run.Length; b++)
            {
                if (run[a].Key == run[b].Key)
                {
                    return (offset + a, offset + b);
                }
            }
        }

        return (-1, -1);
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
    /// <paramref name="owners"/> is dropped and <paramref name="added"/> (sorted by <see cref="FlowOrder"/>, all
    /// of those owners) come in. The result keeps a reference to a materialised root set plus the removed and
    /// added flows, so a one-port edit costs in proportion to the flows it touches, not to the ~10,000 flows of
    /// the bridge; <see cref="Flows"/> merges them once when first read. Only the neighbours of the added flows
    /// are checked for a duplicate key.
    /// </summary>
    /// <exception cref="InvalidOperationException">An added flow has the key of another flow of the set.</exception>
    public DesiredFlowSet WithOwnersReplaced(IReadOnlyCollection<FlowOwner> owners, ImmutableArray<DesiredFlow> added)
    {
        var byOwner = ByOwner;
        var dropped = new HashSet<DesiredFlow>(ReferenceEqualityComparer.Instance);
        foreach (var owner in owners)
        {
            foreach (var flow in byOwner.GetValueOrDefault(owner, []))
            {
                dropped.Add(flow);
            }
        }

        var builder = byOwner.ToBuilder();
        foreach (var owner in owners)
        {
            builder.Remove(owner);
        }

        foreach (var group in added.GroupBy(f => f.Owner))
        {
            builder[group.Key] = [.. group];
        }

        return Replace(dropped, added, builder.ToImmutable());
    }

    /// <summary>
    /// This set with <paramref name="removed"/> (flows of this set, by reference) dropped and <paramref name="added"/>
    /// (sorted by <see cref="FlowOrder"/>) in: <see cref="WithOwnersReplaced"/> for a caller that keeps its own
    /// owner index and so knows the flows it replaces (the incremental compiler). Nothing is read or built per
    /// owner here: the result's <see cref="ByOwner"/> is built from <see cref="Flows"/> on first use.
    /// </summary>
    /// <exception cref="InvalidOperationException">An added flow has the key of another flow of the set.</exception>
    internal DesiredFlowSet WithFlowsReplaced(ReadOnlySpan<DesiredFlow> removed, ImmutableArray<DesiredFlow> added)
    {
        var dropped = new HashSet<DesiredFlow>(removed.Length, ReferenceEqualityComparer.Instance);
        foreach (var flow in removed)
        {
            dropped.Add(flow);
        }

        return Replace(dropped, added, null);
    }

    private DesiredFlowSet Replace(HashSet<DesiredFlow> dropped, ImmutableArray<DesiredFlow> added, ImmutableSortedDictionary<FlowOwner, ImmutableArray<DesiredFlow>>? byOwner)
    {
        var pending = _pending;
        if (pending is not null && pending.Removed.Count + pending.Added.Length + added.Length > MaxPendingFlows)
        {
            Materialize();
            pending = null;
        }

        var root = pending?.Root ?? this;
        var removed = pending is null ? new HashSet<DesiredFlow>(ReferenceEqualityComparer.Instance) : new HashSet<DesiredFlow>(pending.Removed, ReferenceEqualityComparer.Instance);
        var pendingAdded = pending?.Added ?? [];
        var kept = ImmutableArray.CreateBuilder<DesiredFlow>(pendingAdded.Length);
        foreach (var flow in pendingAdded)
        {
            if (dropped.Remove(flow))
            {
                continue;
            }

            kept.Add(flow);
        }

        // What is left of `dropped` lives in the root.
        removed.UnionWith(dropped);
        var merged = Merge(kept.ToImmutable(), added);
        var rootFlows = root.Flows.AsSpan();
        for (int i = 0; i < merged.Length; i++)
        {
            if ((i > 0 && SameKey(merged[i - 1], merged[i])) || (i + 1 < merged.Length && SameKey(merged[i], merged[i + 1])))
            {
                throw Duplicate(merged[i], merged[i > 0 && SameKey(merged[i - 1], merged[i]) ? i - 1 : i + 1]);
            }

            int at = rootFlows.BinarySearch(merged[i], FlowOrder.Instance);
            at = at < 0 ? ~at : at;
            for (int j = at - 1; j >= 0 && FlowOrder.CompareIgnoringOwner(rootFlows[j], merged[i]) == 0; j--)
            {
                if (!removed.Contains(rootFlows[j]) && SameKey(rootFlows[j], merged[i]))
                {
                    throw Duplicate(merged[i], rootFlows[j]);
                }
            }

            for (int j = at; j < rootFlows.Length && FlowOrder.CompareIgnoringOwner(rootFlows[j], merged[i]) == 0; j++)
            {
                if (!ReferenceEquals(rootFlows[j], merged[i]) && !removed.Contains(rootFlows[j]) && SameKey(rootFlows[j], merged[i]))
                {
                    throw Duplicate(merged[i], rootFlows[j]);
                }
            }
        }

        return new DesiredFlowSet(Bridge, BridgeName, new Pending(root, removed, merged), byOwner);
    }

    private static bool SameKey(DesiredFlow a, DesiredFlow b) => FlowOrder.CompareIgnoringOwner(a, b) == 0 && a.Key == b.Key;

    private InvalidOperationException Duplicate(DesiredFlow flow, DesiredFlow other) =>
        new($"{BridgeName} table {flow.TableId} priority {flow.Priority}: two flows with the same match " +
            $"({other.Owner} '{other.Role}' and {flow.Owner} '{flow.Role}')");

    private static ImmutableArray<DesiredFlow> Merge(ImmutableArray<DesiredFlow> a, ImmutableArray<DesiredFlow> b)
    {
        var result = ImmutableArray.CreateBuilder<DesiredFlow>(a.Length + b.Length);
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            if (j == b.Length || (i < a.Length && FlowOrder.Instance.Compare(a[i], b[j]) <= 0))
            {
                result.Add(a[i++]);
            }
            else
            {
                result.Add(b[j++]);
            }
        }

        return result.MoveToImmutable();
    }

    private void Materialize()
    {
        lock (_materializing)
        {
            if (!_flows.IsDefault || _pending is not { } pending)
            {
                return;
            }

            var source = pending.Root.Flows;
            var added = pending.Added;
            var result = new DesiredFlow[Count];
            int write = 0, next = 0;
            foreach (var flow in source)
            {
                if (pending.Removed.Contains(flow))
                {
                    continue;
                }

                while (next < added.Length && FlowOrder.Instance.Compare(added[next], flow) < 0)
                {
                    result[write++] = added[next++];
                }

                result[write++] = flow;
            }

            while (next < added.Length)
            {
                result[write++] = added[next++];
            }

            _flows = System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsImmutableArray(result);
            _pending = null;
        }
    }

    /// <summary>A lazily merged set: the root's flows minus <see cref="Removed"/> plus <see cref="Added"/> (sorted).</summary>
    private sealed record Pending(DesiredFlowSet Root, HashSet<DesiredFlow> Removed, ImmutableArray<DesiredFlow> Added);

    public bool Equals(DesiredFlowSet? other) =>
        other is not null && other.BridgeName == BridgeName && other.Bridge == Bridge
        && other.Flows.AsSpan().SequenceEqual(Flows.AsSpan());

    public override bool Equals(object? obj) => obj is DesiredFlowSet other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(BridgeName, Count);

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

            var (first, second) = FirstDuplicate(sorted[runStart..i], runStart);
            if (first >= 0)
            {
                throw Duplicate(sorted[second], sorted[first]);
            }

            runStart = i;
        }
    }
}
