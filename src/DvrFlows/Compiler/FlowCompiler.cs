using System.Collections.Immutable;
using Dvr.DvrFlows.Desired;

namespace Dvr.DvrFlows.Compiler;

/// <summary>The flows of one owner on one bridge before and after an update (OVN: remove the owner's flows, add the new ones).</summary>
public sealed record OwnerChange(string BridgeName, FlowOwner Owner, ImmutableArray<DesiredFlow> Before, ImmutableArray<DesiredFlow> After)
{
    /// <summary>Flows of <see cref="Before"/> whose identity is gone.</summary>
    public IEnumerable<DesiredFlow> Removed => Before.Where(b => !After.Any(a => a.Key == b.Key));

    /// <summary>Flows of <see cref="After"/> that are new or changed.</summary>
    public IEnumerable<DesiredFlow> AddedOrChanged => After.Where(a => !Before.Any(b => b.SameOnSwitch(a)));
}

/// <summary>
/// Keeps the last compilation of one host and, on each update, reports which owners' flow groups changed, so a
/// controller reconciles only those (OVN's desired-flow table indexed by owner). Compilation itself is a full,
/// cheap recompute of the host (<see cref="DvrFlowCompiler"/>); an owner whose flows are unchanged keeps the very
/// equal <see cref="DesiredFlow"/>s (no change reported), and a change to one port touches only the groups that port
/// influences (its own, and e.g. the network's flood list when it is the first port of the network on a host).
/// </summary>
public sealed class FlowCompiler
{
    public FlowCompiler(string hostName)
    {
        HostName = hostName;
        Current = new CompiledHost(hostName, ImmutableSortedDictionary<string, DesiredFlowSet>.Empty, [], []);
    }

    public string HostName { get; }

    /// <summary>The last compilation (empty before the first <see cref="Update"/>).</summary>
    public CompiledHost Current { get; private set; }

    /// <summary>Recompiles the host and returns the owner groups that differ from the previous compilation.</summary>
    public ImmutableArray<OwnerChange> Update(Topology.Topology topology, IPortMap ports)
    {
        var next = DvrFlowCompiler.Compile(topology, HostName, ports);
        var changes = Diff(Current, next);
        Current = next;
        return changes;
    }

    /// <summary>Owner groups (bridge, owner) whose flows differ between two compilations, in bridge then owner order.</summary>
    public static ImmutableArray<OwnerChange> Diff(CompiledHost before, CompiledHost after)
    {
        var changes = ImmutableArray.CreateBuilder<OwnerChange>();
        var bridges = before.Bridges.Keys.Union(after.Bridges.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var bridge in bridges)
        {
            var old = before.Bridges.GetValueOrDefault(bridge);
            var now = after.Bridges.GetValueOrDefault(bridge);
            var owners = (old?.ByOwner.Keys ?? []).Union(now?.ByOwner.Keys ?? []).Order();
            foreach (var owner in owners)
            {
                var a = old?.OwnedBy(owner) ?? [];
                var b = now?.OwnedBy(owner) ?? [];
                if (!a.AsSpan().SequenceEqual(b.AsSpan()))
                {
                    changes.Add(new OwnerChange(bridge, owner, a, b));
                }
            }
        }

        return changes.ToImmutable();
    }
}
