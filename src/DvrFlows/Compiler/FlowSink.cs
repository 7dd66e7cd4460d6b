using System.Buffers;
using System.Collections.Immutable;
using Dvr.DvrFlows.Desired;
using Dvr.OpenFlow.Match;

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

    /// <summary>Sorts and de-duplicates every bridge's flows (<see cref="FlowOrder"/>), once, when building is done.</summary>
    public SinkResult Finish()
    {
        var flows = new Dictionary<string, ImmutableArray<DesiredFlow>>(StringComparer.Ordinal);
        var conflicts = new List<(FlowConflict Conflict, int Sequence)>();
        bool sharedKeys = false;
        foreach (var (bridge, buffer) in _byBridge)
        {
            var pooled = ArrayPool<Built>.Shared.Rent(buffer.Count);
            var span = pooled.AsSpan(0, buffer.Count);
            var added = buffer.Items;
            for (int k = 0; k < added.Length; k++)
            {
                span[k] = Built.Of(added[k].Flow, added[k].Sequence);
            }

            span.Sort(default(BuildOrder));
            var kept = ImmutableArray.CreateBuilder<DesiredFlow>(span.Length);
            int i = 0;
            while (i < span.Length)
            {
                var first = span[i].Flow;
                kept.Add(first);
                int j = i + 1;
                while (j < span.Length && span[i].MaySameKey(span[j]) && FlowOrder.CompareIgnoringOwner(first, span[j].Flow) == 0)
                {
                    var dropped = span[j].Flow;
                    if (!first.SameOnSwitch(dropped))
                    {
                        conflicts.Add((new FlowConflict(first, dropped), span[j].Sequence));
                    }
                    else if (dropped.Owner != first.Owner)
                    {
                        sharedKeys = true;
                    }

                    j++;
                }

                i = j;
            }

            ArrayPool<Built>.Shared.Return(pooled, clearArray: true);
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
                var larger = ArrayPool<(DesiredFlow, int)>.Shared.Rent(Count * 2);
                _items.AsSpan(0, Count).CopyTo(larger);
                ArrayPool<(DesiredFlow, int)>.Shared.Return(_items, clearArray: true);
                _items = larger;
            }

            _items[Count++] = (flow, sequence);
        }

        public void Release()
        {
            ArrayPool<(DesiredFlow, int)>.Shared.Return(_items, clearArray: true);
            _items = [];
            Count = 0;
        }
    }

    /// <summary>
    /// A flow with its build sequence and a prefix of its <see cref="FlowOrder"/> key computed once: table,
    /// priority (descending), the first match entry's field and value, whether it is masked, and the second
    /// entry's field and value (<see cref="Mid"/> = that field + 1, or 0 without one); most comparisons of a 10,000-flow bridge are decided there (ARP_RESPONDER and
    /// port-security flows share their first entry, eth_type or in_port). Ties fall through to the full
    /// comparison, so the order is exactly <see cref="FlowOrder"/>'s: an absent entry gets field 0, below every
    /// real field, as fewer entries sort first; after a masked first entry the masks decide before the second
    /// entry, so the second entry is left out of the prefix (ties there take the full comparison).
    /// </summary>
    private readonly record struct Built(DesiredFlow Flow, int Sequence, ulong Head, ulong Mid, UInt128 FirstValue, UInt128 SecondValue)
    {
        /// <summary><see cref="Mid"/> of a masked first entry: above every unmasked one (FlowOrder puts HasMask false first).</summary>
        private const ulong MaskedFirst = 1UL << 41;

        public static Built Of(DesiredFlow flow, int sequence)
        {
            var entries = flow.Match.Entries;
            ulong head = ((ulong)flow.TableId << 56) | ((ulong)(ushort.MaxValue - flow.Priority) << 40);
            ulong mid = 0;
            UInt128 first = 0, second = 0;
            if (!entries.IsEmpty)
            {
                int firstAt = 0;
                for (int i = 1; i < entries.Length; i++)
                {
                    if (entries[i].Field.EncodeOrder < entries[firstAt].Field.EncodeOrder)
                    {
                        firstAt = i;
                    }
                }

                var entry = entries[firstAt];
                head |= (uint)entry.Field.EncodeOrder + 1UL;
                first = entry.Value;
                if (entry.HasMask)
                {
                    mid = MaskedFirst;
                }
                else if (entry.Mask != OxmEntry.AllOnes(entry.Field.Length))
                {
                    // Not made by MatchBuilder (it always gives exact entries the field's all-ones mask): this
                    // mask decides against every all-ones one, before any second entry.
                    mid = entry.Mask < OxmEntry.AllOnes(entry.Field.Length) ? 0 : MaskedFirst - 1;
                }
                else
                {
                    int secondAt = -1;
                    for (int i = 0; i < entries.Length; i++)
                    {
                        if (i != firstAt && (secondAt < 0 || entries[i].Field.EncodeOrder < entries[secondAt].Field.EncodeOrder))
                        {
                            secondAt = i;
                        }
                    }

                    if (secondAt >= 0)
                    {
                        mid = (uint)entries[secondAt].Field.EncodeOrder + 1UL;
                        second = entries[secondAt].Value;
                    }
                }
            }

            return new Built(flow, sequence, head, mid, first, second);
        }

        /// <summary>False when the prefixes already tell the two flows apart (their keys differ).</summary>
        public bool MaySameKey(in Built other) =>
            Head == other.Head && Mid == other.Mid && FirstValue == other.FirstValue && SecondValue == other.SecondValue;
    }

    // Canonical order, and among flows with one key the first built first (it is the one kept).
    private readonly struct BuildOrder : IComparer<Built>
    {
        public int Compare(Built x, Built y)
        {
            int c = x.Head.CompareTo(y.Head);
            if (c == 0)
            {
                c = x.FirstValue.CompareTo(y.FirstValue);
            }

            if (c == 0)
            {
                c = x.Mid.CompareTo(y.Mid);
            }

            if (c == 0)
            {
                c = x.SecondValue.CompareTo(y.SecondValue);
            }

            if (c == 0)
            {
                c = FlowOrder.CompareIgnoringOwner(x.Flow, y.Flow);
            }

            return c != 0 ? c : x.Sequence.CompareTo(y.Sequence);
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
