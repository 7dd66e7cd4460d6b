using System.Buffers;
using System.Collections.Immutable;
using Dvr.DvrFlows.Desired;

namespace Dvr.DvrFlows.Compiler;

/// <summary>
/// Collects the builders' flows: resolves ports (recording waiting flows), drops exact duplicates, records
/// conflicts. Flows are kept per bridge with their build sequence number; <see cref="Finish"/> sorts each bridge
/// once and removes duplicates among neighbours, keeping the first built (a hash table per flow cost more than
/// the sort the set needs anyway).
/// With an owner filter, only the flows (and waiting entries) of those owners are kept: the incremental
/// recompute runs the same builder code for the owners a change touches.
/// </summary>
internal sealed class FlowSink
{
    private readonly IPortMap _ports;
    private readonly IReadOnlySet<FlowOwner>? _only;
    // Flows with their build sequence, in pooled arrays: a 5,000-flow bridge grown in a List took 4 arrays of up
    // to 128 KiB per host (large-object heap, which made the compile of all hosts run gen2 collections).
    private readonly Dictionary<string, BridgeBuffer> _byBridge = new(StringComparer.Ordinal);
    private readonly List<WaitingFlow> _waiting = [];
    private string? _lastBridge;
    private BridgeBuffer? _lastBuffer;
    private int _sequence;

    public FlowSink(IPortMap ports, IReadOnlySet<FlowOwner>? only = null)
    {
        _ports = ports;
        _only = only;
    }

    public IPortMap Ports => _ports;

    /// <summary>The ofport of <paramref name="interfaceName"/> on the factory's bridge, or false (and a waiting entry).</summary>
    public bool TryPort(FlowFactory bridge, string interfaceName, FlowOwner owner, string role, out uint ofPort)
    {
        if (_ports.TryGetOfPort(bridge.BridgeName, interfaceName, out ofPort))
        {
            return true;
        }

        if (_only is null || _only.Contains(owner))
        {
            _waiting.Add(new WaitingFlow(bridge.BridgeName, interfaceName, owner, role));
        }

        return false;
    }

    /// <summary>
    /// The ofport of <paramref name="interfaceName"/> without recording a miss: the caller records it with
    /// <see cref="Wait"/>, so the role text is only formatted when a flow really waits.
    /// </summary>
    public bool TryOfPort(FlowFactory bridge, string interfaceName, out uint ofPort) =>
        _ports.TryGetOfPort(bridge.BridgeName, interfaceName, out ofPort);

    /// <summary>Records a flow that waits for <paramref name="interfaceName"/> (after <see cref="TryOfPort"/> failed).</summary>
    public void Wait(FlowFactory bridge, string interfaceName, FlowOwner owner, string role)
    {
        if (_only is null || _only.Contains(owner))
        {
            _waiting.Add(new WaitingFlow(bridge.BridgeName, interfaceName, owner, role));
        }
    }

    /// <summary>True without an owner filter: every flow is collected.</summary>
    public bool CollectsAll => _only is null;

    /// <summary>True when flows of <paramref name="owner"/> are collected (always, without an owner filter).</summary>
    public bool Wants(FlowOwner owner) => _only is null || _only.Contains(owner);

    public void Add(DesiredFlow flow)
    {
        if (_only is not null && !_only.Contains(flow.Owner))
        {
            return;
        }

        if (!ReferenceEquals(flow.BridgeName, _lastBridge))
        {
            if (!_byBridge.TryGetValue(flow.BridgeName, out _lastBuffer))
            {
                _byBridge[flow.BridgeName] = _lastBuffer = new BridgeBuffer(_only is null ? 1024 : 16);
            }

            _lastBridge = flow.BridgeName;
        }

        _lastBuffer!.Add(flow, _sequence++);
    }

    /// <summary>Adds <paramref name="flows"/> (all of one bridge) in order, as that many <see cref="Add"/>s would.</summary>
    public void AddRange(ImmutableArray<DesiredFlow> flows)
    {
        if (_only is not null || flows.IsEmpty || !OneBridge(flows.AsSpan()))
        {
            foreach (var flow in flows)
            {
                Add(flow);
            }

            return;
        }

        Add(flows[0]);
        _lastBuffer!.AddRange(flows.AsSpan()[1..], ref _sequence);
    }

    private static bool OneBridge(ReadOnlySpan<DesiredFlow> flows)
    {
        foreach (var flow in flows)
        {
            if (!ReferenceEquals(flow.BridgeName, flows[0].BridgeName))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Sorts and de-duplicates every bridge's flows (<see cref="FlowOrder"/>), once, when building is done.</summary>
    public SinkResult Finish()
    {
        var flows = new Dictionary<string, ImmutableArray<DesiredFlow>>(StringComparer.Ordinal);
        var conflicts = new List<(FlowConflict Conflict, int Sequence)>();
        bool sharedKeys = false;
        foreach (var (bridge, buffer) in _byBridge)
        {
            var added = buffer.Items;
            int count = added.Length;
            var keyArray = ArrayPool<UInt128>.Shared.Rent(count);
            var orderArray = ArrayPool<int>.Shared.Rent(count);
            var keys = keyArray.AsSpan(0, count);
            var order = orderArray.AsSpan(0, count);
            SortByKey(added, keys, order);

            var kept = ImmutableArray.CreateBuilder<DesiredFlow>(count);
            int i = 0;
            while (i < count)
            {
                var first = added[order[i]].Flow;
                kept.Add(first);
                int j = i + 1;
                while (j < count && keys[j] == keys[i] && FlowOrder.CompareIgnoringOwner(first, added[order[j]].Flow) == 0)
                {
                    var (dropped, sequence) = added[order[j]];
                    if (!first.SameOnSwitch(dropped))
                    {
                        conflicts.Add((new FlowConflict(first, dropped), sequence));
                    }
                    else if (dropped.Owner != first.Owner)
                    {
                        sharedKeys = true;
                    }

                    j++;
                }

                i = j;
            }

            ArrayPool<UInt128>.Shared.Return(keyArray);
            ArrayPool<int>.Shared.Return(orderArray);
            buffer.Release();
            flows[bridge] = kept.Count == kept.Capacity ? kept.MoveToImmutable() : kept.ToImmutable();
        }

        _byBridge.Clear();
        _lastBridge = null;
        _lastBuffer = null;
        conflicts.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        var waiting = _waiting.Distinct().ToList();
        waiting.Sort(WaitingOrder);
        return new SinkResult(flows, [.. waiting], [.. conflicts.Select(c => c.Conflict)], sharedKeys || conflicts.Count > 0);
    }

    /// <summary>
    /// Puts into <paramref name="order"/> the positions of <paramref name="flows"/> in <see cref="FlowOrder"/>
    /// (bridge aside), flows with one key in build order, and into <paramref name="keys"/> their
    /// <see cref="DesiredFlow.OrderKey"/>s in that order. The integer keys decide almost every comparison;
    /// each run of equal keys is then put in order by the full comparison (equal keys imply nothing).
    /// </summary>
    internal static void SortByKey(ReadOnlySpan<(DesiredFlow Flow, int Sequence)> flows, Span<UInt128> keys, Span<int> order)
    {
        for (int k = 0; k < flows.Length; k++)
        {
            keys[k] = flows[k].Flow.OrderKey;
            order[k] = k;
        }

        SortThenRuns(flows, keys, order, firstKey: true);
    }

    // Sorts by the keys, then each run of equal keys: two or three flows (a duplicate) are compared whole; a
    // longer run of first keys (matches alike in their first 13 bytes, e.g. every "ARP reply to this host's DVR
    // MAC" flow of br-int table 0) is sorted by the next 16 bytes of the key string; a long run of those (alike
    // in 29 bytes) takes the library sort with the full comparison.
    private static void SortThenRuns(ReadOnlySpan<(DesiredFlow Flow, int Sequence)> flows, Span<UInt128> keys, Span<int> order, bool firstKey)
    {
        keys.Sort(order);
        for (int i = 0, j; i < keys.Length; i = j)
        {
            j = i + 1;
            while (j < keys.Length && keys[j] == keys[i])
            {
                j++;
            }

            var run = order[i..j];
            if (run.Length <= 1)
            {
                continue;
            }

            if (firstKey && run.Length > 3)
            {
                SortByNextKey(flows, run);
            }
            else if (run.Length > 16)
            {
                LibrarySort(flows, run);
            }
            else
            {
                InsertionSort(flows, run);
            }
        }
    }

    private static void SortByNextKey(ReadOnlySpan<(DesiredFlow Flow, int Sequence)> flows, Span<int> run)
    {
        var keyArray = ArrayPool<UInt128>.Shared.Rent(run.Length);
        var keys = keyArray.AsSpan(0, run.Length);
        for (int k = 0; k < run.Length; k++)
        {
            var flow = flows[run[k]].Flow;
            keys[k] = FlowOrder.SortKey(flow.TableId, flow.Priority, flow.Match.Entries, skip: 16);
        }

        SortThenRuns(flows, keys, run, firstKey: false);
        ArrayPool<UInt128>.Shared.Return(keyArray);
    }

    private static void InsertionSort(ReadOnlySpan<(DesiredFlow Flow, int Sequence)> flows, Span<int> run)
    {
        for (int i = 1; i < run.Length; i++)
        {
            int item = run[i];
            int at = i;
            while (at > 0 && InBuildOrder(flows, run[at - 1], item) > 0)
            {
                run[at] = run[at - 1];
                at--;
            }

            run[at] = item;
        }
    }

    // Many matches alike in 29 key bytes: only the full comparison tells them apart.
    private static void LibrarySort(ReadOnlySpan<(DesiredFlow Flow, int Sequence)> flows, Span<int> run)
    {
        var members = new (DesiredFlow Flow, int Position)[run.Length];
        for (int k = 0; k < run.Length; k++)
        {
            members[k] = (flows[run[k]].Flow, run[k]);
        }

        Array.Sort(members, (a, b) =>
        {
            int c = FlowOrder.CompareIgnoringOwner(a.Flow, b.Flow);
            return c != 0 ? c : a.Position.CompareTo(b.Position);
        });
        for (int k = 0; k < run.Length; k++)
        {
            run[k] = members[k].Position;
        }
    }

    // Canonical order, and among flows with one key the first built first (it is the one kept).
    private static int InBuildOrder(ReadOnlySpan<(DesiredFlow Flow, int Sequence)> flows, int x, int y)
    {
        int c = FlowOrder.CompareIgnoringOwner(flows[x].Flow, flows[y].Flow);
        return c != 0 ? c : x.CompareTo(y);
    }

    /// <summary>The order of <see cref="CompiledHost.Waiting"/>: bridge, owner, missing interface, role.</summary>
    public static int WaitingOrder(WaitingFlow a, WaitingFlow b)
    {
        int c = string.CompareOrdinal(a.BridgeName, b.BridgeName);
        if (c == 0)
        {
            c = a.Owner.CompareTo(b.Owner);
        }

        if (c == 0)
        {
            c = string.CompareOrdinal(a.MissingInterface, b.MissingInterface);
        }

        return c != 0 ? c : string.CompareOrdinal(a.Role, b.Role);
    }

    /// <summary>One bridge's flows in build order, in an array from <see cref="ArrayPool{T}.Shared"/> (returned by <see cref="Release"/>).</summary>
    private sealed class BridgeBuffer(int capacity)
    {
        private (DesiredFlow Flow, int Sequence)[] _items = ArrayPool<(DesiredFlow, int)>.Shared.Rent(capacity);

        public int Count { get; private set; }

        public ReadOnlySpan<(DesiredFlow Flow, int Sequence)> Items => _items.AsSpan(0, Count);

        public void Add(DesiredFlow flow, int sequence)
        {
            if (Count == _items.Length)
            {
                Grow(Count + 1);
            }

            _items[Count++] = (flow, sequence);
        }

        /// <summary>Appends <paramref name="flows"/>, numbered from <paramref name="sequence"/> on (which it advances).</summary>
        public void AddRange(ReadOnlySpan<DesiredFlow> flows, ref int sequence)
        {
            if (Count + flows.Length > _items.Length)
            {
                Grow(Count + flows.Length);
            }

            var into = _items.AsSpan(Count, flows.Length);
            for (int i = 0; i < flows.Length; i++)
            {
                into[i] = (flows[i], sequence++);
            }

            Count += flows.Length;
        }

        private void Grow(int needed)
        {
            var larger = ArrayPool<(DesiredFlow, int)>.Shared.Rent(Math.Max(needed, Count * 2));
            _items.AsSpan(0, Count).CopyTo(larger);
            ArrayPool<(DesiredFlow, int)>.Shared.Return(_items, clearArray: true);
            _items = larger;
        }

        public void Release()
        {
            ArrayPool<(DesiredFlow, int)>.Shared.Return(_items, clearArray: true);
            _items = [];
            Count = 0;
        }
    }
}

/// <summary>
/// What a <see cref="FlowSink"/> collected: per bridge the sorted, de-duplicated flows; waiting flows; conflicts.
/// <see cref="OwnersShareKeys"/> is true when a flow was dropped in favour of another owner's (a conflict or an
/// identical flow of two owners), so which owner holds the key depends on build order: the incremental path
/// then recompiles the host instead of replacing owners.
/// </summary>
internal sealed record SinkResult(
    Dictionary<string, ImmutableArray<DesiredFlow>> Flows,
    ImmutableArray<WaitingFlow> Waiting,
    ImmutableArray<FlowConflict> Conflicts,
    bool OwnersShareKeys);
