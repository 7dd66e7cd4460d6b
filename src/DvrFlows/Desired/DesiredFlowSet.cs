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
    /// <paramref name="owners"/> is dropped and <paramref name="added"/> (sorted by <see cref="FlowOrder"/>, all
    /// of those owners) are merged in. The untouched flows are copied in blocks, never compared or sorted again;
    /// only the neighbours of the inserted flows are checked for a duplicate key.
    /// </summary>
    /// <exception cref="InvalidOperationException">An added flow has the key of another flow of the set.</exception>
    public DesiredFlowSet WithOwnersReplaced(IReadOnlyCollection<FlowOwner> owners, ImmutableArray<DesiredFlow> added)
    {
        var byOwner = ByOwner;
        var source = Flows.AsSpan();
        var removed = new List<int>();
        foreach (var owner in owners)
        {
            foreach (var flow in byOwner.GetValueOrDefault(owner, []))
            {
                int at = source.BinarySearch(flow, FlowOrder.Instance);
                if (at < 0 || !ReferenceEquals(source[at], flow))
                {
                    throw new InvalidOperationException($"{BridgeName}: the owner index lists a flow the set does not hold ({flow.Owner} '{flow.Role}')");
                }

                removed.Add(at);
            }
        }

        removed.Sort();
        var adding = added.AsSpan();
        var insertAt = new int[adding.Length];
        for (int i = 0; i < adding.Length; i++)
        {
            int at = source.BinarySearch(adding[i], FlowOrder.Instance);
            insertAt[i] = at < 0 ? ~at : at;
        }

        var result = new DesiredFlow[source.Length - removed.Count + adding.Length];
        var inserted = new List<int>(adding.Length);
        int read = 0, write = 0, nextRemoved = 0, nextAdded = 0;
        while (true)
        {
            int stop = Math.Min(nextRemoved < removed.Count ? removed[nextRemoved] : source.Length, nextAdded < adding.Length ? insertAt[nextAdded] : source.Length);
            source[read..stop].CopyTo(result.AsSpan(write));
            write += stop - read;
            read = stop;
            if (nextAdded < adding.Length && insertAt[nextAdded] == read)
            {
                inserted.Add(write);
                result[write++] = adding[nextAdded++];
            }
            else if (nextRemoved < removed.Count && removed[nextRemoved] == read)
            {
                read++;
                nextRemoved++;
            }
            else
            {
                break;
            }
        }

        foreach (int at in inserted)
        {
            foreach (int other in (ReadOnlySpan<int>)[at - 1, at + 1])
            {
                if (other >= 0 && other < result.Length && FlowOrder.CompareIgnoringOwner(result[at], result[other]) == 0 && result[at].Key == result[other].Key)
                {
                    throw new InvalidOperationException(
                        $"{BridgeName} table {result[at].TableId} priority {result[at].Priority}: two flows with the same match " +
                        $"({result[other].Owner} '{result[other].Role}' and {result[at].Owner} '{result[at].Role}')");
                }
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

        return new DesiredFlowSet(Bridge, BridgeName, System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsImmutableArray(result), builder.ToImmutable());
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
