using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Topology;

namespace Dvr.DvrFlows.Compiler;

/// <summary>One port before and after a topology edit: added (no <see cref="Before"/>), removed (no <see cref="After"/>) or changed (same name).</summary>
public sealed record PortChange(Port? Before, Port? After)
{
    public string Name => (After ?? Before ?? throw new InvalidOperationException("a port change needs a port before or after")).Name;
}

/// <summary>The flows one owner has on one bridge of one host before and after an update.</summary>
public sealed record HostFlowChange(string HostName, string BridgeName, FlowOwner Owner, ImmutableArray<DesiredFlow> Before, ImmutableArray<DesiredFlow> After);

/// <summary>
/// What an <see cref="IncrementalCompiler"/> update did. <see cref="FullRecompileReason"/> is set when every host
/// was recompiled (the edit is not one the incremental path covers); <see cref="HostsRecompiled"/> lists hosts
/// recompiled whole because a host-level fact changed there (networks present, routers placed, tunnel peers, port
/// numbers) and <see cref="HostsPatched"/> the hosts where only the affected owners were recomputed.
/// </summary>
public sealed record IncrementalUpdate(
    ImmutableArray<PortChange> Ports,
    string? FullRecompileReason,
    ImmutableArray<string> HostsRecompiled,
    ImmutableArray<string> HostsPatched,
    int OwnersRecomputed,
    int FlowsRecomputed,
    ImmutableArray<HostFlowChange> Changes)
{
    public bool WasIncremental => FullRecompileReason is null;
}

/// <summary>
/// Keeps the compiled flows of a set of hosts and, for a topology edit that changes only ports, recomputes only
/// the flows whose owners the edit affects (OVN's incremental processing, owner-indexed desired flows).
/// <para>
/// Why the result equals a full recompile. Every flow belongs to one owner, and each builder method makes the
/// flows of exactly one owner from a few host-level facts (<see cref="HostPlan"/>: networks present and their
/// local VLANs, the routers placed on the host, tunnel peers, port numbers) plus the owner's own entity. A port
/// edit that leaves a host's facts as they were can change on that host only (1) the flows owned by the port
/// itself (its local flows where it is bound, its l2pop entries where its network is present) and (2) the flows
/// of a network whose set of hosts changed (the flood list). Those owners are rebuilt with the same builder
/// code, filtered to those owners, and swapped into the sets. A host whose facts change is recompiled whole.
/// Anything but ports changing (global settings, hosts, networks, subnets, routers), a router interface port
/// changing, or more than <see cref="MaxIncrementalPorts"/> ports changing recompiles every host, with the
/// reason in <see cref="IncrementalUpdate.FullRecompileReason"/>. A property test compares the result with a
/// full compile for random single-port edits of random topologies.
/// </para>
/// </summary>
public sealed class IncrementalCompiler
{
    /// <summary>More changed ports than this and a full recompile is cheaper than the bookkeeping.</summary>
    public const int MaxIncrementalPorts = 64;

    /// <summary>Port arrays (a topology's <see cref="Topology.Topology.Ports"/>) already checked to be in strict name order.</summary>
    private static readonly ConditionalWeakTable<Port[], object> SortedPortArrays = [];
    private static readonly object Sorted = new();

    private Dictionary<string, HostState> _hosts;

    // Scratch state of one Apply, kept between calls so an update allocates little; nothing in them outlives the
    // call (they are cleared at its start and after the commit).
    private readonly HashSet<FlowOwner> _dirty = [];
    private readonly List<string> _candidates = [];
    private readonly List<HostFlowChange> _flowChanges = [];
    private readonly List<HostPatch> _hostPatches = [];
    private readonly List<OwnerPatch> _ownerPatches = [];
    private readonly List<(string Name, HostState State)> _recompiled = [];

    /// <summary>Compiles every host in <paramref name="ports"/> (host name → its port numbers).</summary>
    public IncrementalCompiler(Topology.Topology topology, IReadOnlyDictionary<string, IPortMap> ports)
    {
        Topology = topology;
        _hosts = new Dictionary<string, HostState>(StringComparer.Ordinal);
        foreach (var (host, map) in ports.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            _hosts[host] = HostState.Compile(HostPlan.Create(topology, host), map);
        }
    }

    public Topology.Topology Topology { get; private set; }

    /// <summary>The hosts being kept, by name.</summary>
    public IEnumerable<string> HostNames => _hosts.Keys.Order(StringComparer.Ordinal);

    public CompiledHost this[string hostName] =>
        _hosts.TryGetValue(hostName, out var state) ? state.Compiled : throw new KeyNotFoundException($"host {hostName} is not compiled here; it has {string.Join(", ", HostNames)}");

    public bool Contains(string hostName) => _hosts.ContainsKey(hostName);

    /// <summary>The port numbers <paramref name="hostName"/> was compiled with, or null when it is not kept.</summary>
    public IPortMap? PortsOf(string hostName) => _hosts.TryGetValue(hostName, out var state) ? state.Ports : null;

    /// <summary>Compiles <paramref name="hostName"/> (again) with new port numbers, and keeps it from now on.</summary>
    public CompiledHost SetPorts(string hostName, IPortMap ports)
    {
        var state = HostState.Compile(HostPlan.Create(Topology, hostName), ports);
        _hosts[hostName] = state;
        return state.Compiled;
    }

    /// <summary>Moves to <paramref name="next"/>: incrementally when only a few ports differ (<see cref="TryDiff"/>), else by full recompile.</summary>
    public IncrementalUpdate Update(Topology.Topology next) =>
        TryDiff(Topology, next, out var changes, out string? reason) ? Apply(next, changes) : Recompile(next, reason!);

    /// <summary>
    /// The ports that differ between two topologies, when nothing else does. False (with the reason) when the
    /// global settings, hosts, networks, subnets or routers differ, or more than <see cref="MaxIncrementalPorts"/>
    /// ports changed.
    /// <para>
    /// A loaded topology lists its ports in name order, so the two lists are walked side by side: a port object
    /// both share is skipped by reference, one with the same name is compared by value (a reloaded file makes
    /// every port a new object), and the walk allocates nothing but the changes. Each list's order is checked once
    /// per array (and remembered); lists not in strict name order (a topology built by hand, a repeated name) are
    /// compared through a dictionary instead.
    /// </para>
    /// </summary>
    public static bool TryDiff(Topology.Topology before, Topology.Topology after, out ImmutableArray<PortChange> changes, out string? reason)
    {
        changes = [];
        reason = !Equals(before.Global, after.Global) ? "the global settings changed"
            : !SameRecords(before.Hosts, after.Hosts) ? "hosts changed"
            : !SameRecords(before.Networks, after.Networks) ? "networks changed"
            : !SameRecords(before.Subnets, after.Subnets) ? "subnets changed"
            : !SameRecords(before.Routers, after.Routers) ? "routers changed"
            : null;
        if (reason is not null)
        {
            return false;
        }

        List<PortChange>? found = null;
        bool? walked = InNameOrder(before.Ports) ? WalkInNameOrder(before.Ports.AsSpan(), after.Ports.AsSpan(), ref found) : null;
        if (walked is null)
        {
            // A list out of name order (or naming a port twice): compare through a dictionary.
            found = null;
            walked = DiffByName(before.Ports, after.Ports, ref found, out reason);
        }
        else if (walked.Value)
        {
            Remember(after.Ports);
        }

        if (!walked.Value)
        {
            reason ??= $"more than {MaxIncrementalPorts} ports changed";
            return false;
        }

        if (found is not null)
        {
            found.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            changes = [.. found];
        }

        return true;
    }

    /// <summary>
    /// The merge walk of <see cref="TryDiff"/> over <paramref name="before"/> (in strict name order, checked) and
    /// <paramref name="after"/>; false once more than <see cref="MaxIncrementalPorts"/> ports differ, null when
    /// <paramref name="after"/> is not in strict name order. The order of <paramref name="after"/> costs nothing
    /// along a run of ports both lists have: two such neighbours have the names of two ports of
    /// <paramref name="before"/>, in its order; only where a run starts or ends are two names compared.
    /// </summary>
    private static bool? WalkInNameOrder(ReadOnlySpan<Port> before, ReadOnlySpan<Port> after, ref List<PortChange>? found)
    {
        int i = 0, j = 0;
        bool previousMatched = false;
        while (j < after.Length)
        {
            var now = after[j];
            int order = 1;
            bool matched = false;
            if (i < before.Length)
            {
                var was = before[i];
                matched = ReferenceEquals(was, now) || was.Equals(now);
                order = matched ? 0 : string.CompareOrdinal(was.Name, now.Name);
            }

            if (j > 0 && !(matched && previousMatched) && string.CompareOrdinal(after[j - 1].Name, now.Name) >= 0)
            {
                return null;
            }

            if (!matched && !Found(ref found, order < 0 ? new PortChange(before[i], null) : order > 0 ? new PortChange(null, now) : new PortChange(before[i], now)))
            {
                return false;
            }

            // A port only before is passed over without moving on in `after`, so the next step compares now again.
            previousMatched = matched;
            i += order <= 0 ? 1 : 0;
            j += order >= 0 ? 1 : 0;
        }

        for (; i < before.Length; i++)
        {
            if (!Found(ref found, new PortChange(before[i], null)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Found(ref List<PortChange>? found, PortChange change)
    {
        found ??= [];
        found.Add(change);
        return found.Count <= MaxIncrementalPorts;
    }

    /// <summary>The ports diff for lists in any order, through a dictionary; false on a repeated name or too many changes.</summary>
    private static bool DiffByName(ImmutableArray<Port> before, ImmutableArray<Port> after, ref List<PortChange>? found, out string? reason)
    {
        reason = null;
        var old = new Dictionary<string, Port>(before.Length, StringComparer.Ordinal);
        foreach (var port in before)
        {
            old.TryAdd(port.Name, port);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var port in after)
        {
            if (!seen.Add(port.Name))
            {
                reason = $"port {port.Name} is listed twice";
                return false;
            }

            if (!old.Remove(port.Name, out var was))
            {
                (found ??= []).Add(new PortChange(null, port));
            }
            else if (!ReferenceEquals(was, port) && !was.Equals(port))
            {
                (found ??= []).Add(new PortChange(was, port));
            }
        }

        foreach (var gone in old.Values)
        {
            (found ??= []).Add(new PortChange(gone, null));
        }

        return found is null || found.Count <= MaxIncrementalPorts;
    }

    /// <summary>
    /// True when the ports are in strict ordinal name order (no name twice). Remembered per array: the
    /// <c>after</c> of one diff (checked by the walk) is usually the <c>before</c> of the next.
    /// </summary>
    private static bool InNameOrder(ImmutableArray<Port> ports)
    {
        var array = ImmutableCollectionsMarshal.AsArray(ports);
        if (array is null || array.Length == 0 || SortedPortArrays.TryGetValue(array, out _))
        {
            return true;
        }

        for (int i = 1; i < array.Length; i++)
        {
            if (string.CompareOrdinal(array[i - 1].Name, array[i].Name) >= 0)
            {
                return false;
            }
        }

        Remember(ports);
        return true;
    }

    private static void Remember(ImmutableArray<Port> ports)
    {
        if (ImmutableCollectionsMarshal.AsArray(ports) is { Length: > 0 } array)
        {
            SortedPortArrays.AddOrUpdate(array, Sorted);
        }
    }

    /// <summary>Recompiles every host for <paramref name="next"/>; <paramref name="reason"/> says why (it is reported).</summary>
    public IncrementalUpdate Recompile(Topology.Topology next, string reason)
    {
        var hosts = new Dictionary<string, HostState>(_hosts.Count, StringComparer.Ordinal);
        var changes = new List<HostFlowChange>();
        foreach (var (name, state) in _hosts.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            if (next.FindHost(name) is null)
            {
                continue;
            }

            var now = HostState.Compile(HostPlan.Create(next, name), state.Ports);
            hosts[name] = now;
            AddDiff(changes, name, state.Compiled, now.Compiled);
        }

        Topology = next;
        _hosts = hosts;
        return new IncrementalUpdate([], reason, [.. hosts.Keys.Order(StringComparer.Ordinal)], [], 0, hosts.Values.Sum(h => h.Compiled.AllFlowCount), [.. changes]);
    }

    /// <summary>
    /// Moves to <paramref name="next"/>, which must differ from <see cref="Topology"/> exactly by
    /// <paramref name="changes"/> (as <see cref="TryDiff"/> finds them). All or nothing: if anything throws, the
    /// compiler keeps its previous state. Only the hosts a changed port can reach are visited (where it is or was
    /// bound, where its old or new network is present, where a network whose hosts changed is present), and on
    /// each only the owners it touches are rebuilt; every change is prepared first and committed at the end.
    /// Not thread-safe: callers serialise updates and reads (<see cref="Controller.CompilerFlowSource"/> locks).
    /// </summary>
    public IncrementalUpdate Apply(Topology.Topology next, IReadOnlyList<PortChange> changes)
    {
        if (changes.Count == 0)
        {
            // An equal topology (e.g. the file rewritten in another order): the flows stay as they are.
            Topology = next;
            return new IncrementalUpdate([], null, [], [], 0, 0, []);
        }

        foreach (var change in changes)
        {
            if (change.Before is { IsRouterInterface: true } || change.After is { IsRouterInterface: true })
            {
                return Recompile(next, $"port {change.Name} is a router interface (it moves router placement and gateways)");
            }
        }

        ClearScratch();
        var index = TopologyIndex.For(Topology);
        var nextIndex = index.WithPortChanges(next, changes, out var reshaped, out var networksWithNewHosts);

        // Hosts whose own facts change are recompiled whole: networks or routers placed there changed, or (when
        // some host's networks changed) the set of hosts it shares a tunnel network with.
        var recompile = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string host in reshaped)
        {
            if (_hosts.ContainsKey(host))
            {
                recompile.Add(host);
            }
        }

        if (!networksWithNewHosts.IsEmpty)
        {
            foreach (var (name, state) in _hosts)
            {
                if (!recompile.Contains(name) && !SameTunnelPeers(state.Plan, nextIndex))
                {
                    recompile.Add(name);
                }
            }
        }

        var patched = ImmutableArray.CreateBuilder<string>();
        int owners = 0, flows = 0;
        foreach (string name in CandidateHosts(index, changes, networksWithNewHosts, recompile))
        {
            var state = _hosts[name];
            if (!recompile.Contains(name))
            {
                DirtyOwners(name, state.Plan, changes, networksWithNewHosts, _dirty);
                if (_dirty.Count == 0)
                {
                    continue;
                }

                if (!state.Compiled.OwnersShareKeys && TryPatch(state, next, nextIndex, changes, _dirty, networksWithNewHosts, out int recomputed))
                {
                    patched.Add(name);
                    owners += _dirty.Count;
                    flows += recomputed;
                    continue;
                }

                recompile.Add(name);
            }

            var now = HostState.Compile(HostPlan.Create(next, name), state.Ports);
            _recompiled.Add((name, now));
            flows += now.Compiled.AllFlowCount;
            AddDiff(_flowChanges, name, state.Compiled, now.Compiled);
        }

        // Commit: nothing above changed this compiler's state.
        foreach (var (name, state) in _recompiled)
        {
            _hosts[name] = state;
        }

        foreach (var patch in _hostPatches)
        {
            patch.State.Plan = patch.Plan;
            patch.State.Compiled = patch.Compiled;
        }

        foreach (var patch in _ownerPatches)
        {
            if (patch.Flows.IsEmpty)
            {
                patch.Owners.Remove(patch.Owner);
            }
            else
            {
                patch.Owners[patch.Owner] = patch.Flows;
            }
        }

        Topology = next;
        var update = new IncrementalUpdate([.. changes], null, [.. recompile], patched.ToImmutable(), owners, flows, [.. _flowChanges]);
        ClearScratch();
        return update;
    }

    private void ClearScratch()
    {
        _dirty.Clear();
        _candidates.Clear();
        _flowChanges.Clear();
        _hostPatches.Clear();
        _ownerPatches.Clear();
        _recompiled.Clear();
    }

    /// <summary>
    /// The kept hosts the changes can reach, in name order: those in <paramref name="recompile"/>, where a changed
    /// port is or was bound, and where its old or new network or a network whose hosts changed is present. A host
    /// outside <paramref name="recompile"/> has the same networks in both indexes, so the old index answers.
    /// </summary>
    private List<string> CandidateHosts(TopologyIndex index, IReadOnlyList<PortChange> changes, ImmutableArray<string> networksWithNewHosts, SortedSet<string> recompile)
    {
        var candidates = _candidates;
        foreach (var change in changes)
        {
            foreach (var port in (ReadOnlySpan<Port?>)[change.Before, change.After])
            {
                if (port is null)
                {
                    continue;
                }

                if (port.Host is not null)
                {
                    candidates.Add(port.Host);
                }

                candidates.AddRange(index.HostsWithNetwork(port.Network));
            }
        }

        foreach (string network in networksWithNewHosts)
        {
            candidates.AddRange(index.HostsWithNetwork(network));
        }

        candidates.AddRange(recompile);
        candidates.Sort(StringComparer.Ordinal);
        int write = 0;
        for (int read = 0; read < candidates.Count; read++)
        {
            if ((write == 0 || !string.Equals(candidates[write - 1], candidates[read], StringComparison.Ordinal)) && _hosts.ContainsKey(candidates[read]))
            {
                candidates[write++] = candidates[read];
            }
        }

        candidates.RemoveRange(write, candidates.Count - write);
        return candidates;
    }

    private static bool SameRecords<T>(ImmutableArray<T> a, ImmutableArray<T> b)
        where T : class
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        if (a == b)
        {
            return true;
        }

        for (int i = 0; i < a.Length; i++)
        {
            if (!ReferenceEquals(a[i], b[i]) && !a[i].Equals(b[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameTunnelPeers(HostPlan plan, TopologyIndex index)
    {
        var peers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var network in plan.Networks)
        {
            if (network.Type == NetworkType.Vxlan)
            {
                peers.UnionWith(index.HostsWithNetwork(network.Name));
            }
        }

        peers.Remove(plan.Host.Name);
        return peers.Count == plan.TunnelPeers.Length && plan.TunnelPeers.All(p => peers.Contains(p.Host.Name));
    }

    /// <summary>
    /// Fills <paramref name="dirty"/> with the owners on <paramref name="host"/> (whose facts are unchanged) that
    /// the port edits can affect: each changed port where it was or is bound or where its old or new network is
    /// present, and each network present here whose set of hosts changed (its flood list).
    /// </summary>
    private static void DirtyOwners(
        string host, HostPlan plan, IReadOnlyList<PortChange> changes, ImmutableArray<string> networksWithNewHosts, HashSet<FlowOwner> dirty)
    {
        dirty.Clear();
        foreach (var change in changes)
        {
            foreach (var port in (ReadOnlySpan<Port?>)[change.Before, change.After])
            {
                if (port is not null && (port.Host == host || plan.LocalVlans.ContainsKey(port.Network)))
                {
                    dirty.Add(FlowOwner.Port(port.Name));
                }
            }
        }

        foreach (string network in networksWithNewHosts)
        {
            if (plan.LocalVlans.ContainsKey(network))
            {
                dirty.Add(FlowOwner.Network(network));
            }
        }
    }

    /// <summary>
    /// Rebuilds the <paramref name="dirty"/> owners of one host and prepares the patched host (a
    /// <see cref="HostPatch"/>, its owner index updates and its flow changes) for the commit. False when the
    /// host has to be recompiled instead: a recomputed flow shares its key with another owner's flow, so build
    /// order decides which one stays. Nothing is prepared then.
    /// </summary>
    private bool TryPatch(
        HostState state,
        Topology.Topology next,
        TopologyIndex index,
        IReadOnlyList<PortChange> changes,
        HashSet<FlowOwner> dirty,
        ImmutableArray<string> networksWithNewHosts,
        out int recomputed)
    {
        recomputed = 0;
        int changesStart = _flowChanges.Count, ownerPatchesStart = _ownerPatches.Count;
        var plan = state.Plan.Rebase(next, index);
        var sink = new FlowSink(state.Ports, dirty);
        var brInt = new BrIntFlowBuilder(plan, sink);
        var brTun = new BrTunFlowBuilder(plan, sink);
        foreach (var change in changes)
        {
            if (change.After is { } port && dirty.Contains(FlowOwner.Port(port.Name)))
            {
                brInt.BuildPort(port);
                brTun.BuildPort(port);
            }
        }

        foreach (string networkName in networksWithNewHosts)
        {
            if (dirty.Contains(FlowOwner.Network(networkName)))
            {
                var network = index.GetNetwork(networkName);
                brInt.BuildNetwork(network);
                brTun.BuildNetwork(network);
                foreach (var (physnet, bridge) in plan.Host.PhysicalBridges)
                {
                    new BrPhysFlowBuilder(plan, sink, physnet, bridge).BuildNetwork(network);
                }
            }
        }

        var result = sink.Finish();
        if (result.OwnersShareKeys)
        {
            return false;
        }

        string hostName = state.Compiled.HostName;
        var bridges = state.Compiled.Bridges;
        foreach (var (bridgeName, set) in state.Compiled.Bridges)
        {
            var added = result.Flows.GetValueOrDefault(bridgeName, []);
            recomputed += added.Length;
            var ownerFlows = state.Owners[bridgeName];
            int bridgeChangesStart = _flowChanges.Count;
            foreach (var owner in dirty)
            {
                var before = ownerFlows.TryGetValue(owner, out var flows) ? flows : [];
                var after = dirty.Count == 1 ? added : [.. added.Where(f => f.Owner == owner)];
                if (!before.AsSpan().SequenceEqual(after.AsSpan()))
                {
                    _flowChanges.Add(new HostFlowChange(hostName, bridgeName, owner, before, after));
                    _ownerPatches.Add(new OwnerPatch(ownerFlows, owner, after));
                }
            }

            int changed = _flowChanges.Count - bridgeChangesStart;
            if (changed == 0)
            {
                continue;
            }

            ReadOnlySpan<DesiredFlow> removed;
            ImmutableArray<DesiredFlow> replacing;
            if (changed == 1)
            {
                removed = _flowChanges[bridgeChangesStart].Before.AsSpan();
                replacing = _flowChanges[bridgeChangesStart].After;
            }
            else
            {
                var owners = _flowChanges.Skip(bridgeChangesStart).Select(c => c.Owner).ToHashSet();
                removed = _flowChanges.Skip(bridgeChangesStart).SelectMany(c => c.Before).ToArray();
                replacing = [.. added.Where(f => owners.Contains(f.Owner))];
            }

            try
            {
                // Remove + Add, not SetItem: SetItem compares the old and new set by value, which reads every flow.
                bridges = bridges.Remove(bridgeName).Add(bridgeName, set.WithFlowsReplaced(removed, replacing));
            }
            catch (InvalidOperationException)
            {
                // A recomputed flow has the key of a flow another owner keeps: build order decides, so recompile.
                _flowChanges.RemoveRange(changesStart, _flowChanges.Count - changesStart);
                _ownerPatches.RemoveRange(ownerPatchesStart, _ownerPatches.Count - ownerPatchesStart);
                return false;
            }
        }

        var waiting = state.Compiled.Waiting;
        if (!result.Waiting.IsEmpty || waiting.Any(w => dirty.Contains(w.Owner)))
        {
            var list = waiting.Where(w => !dirty.Contains(w.Owner)).Concat(result.Waiting).ToList();
            list.Sort(FlowSink.WaitingOrder);
            waiting = [.. list];
        }

        _hostPatches.Add(new HostPatch(state, plan, new CompiledHost(hostName, bridges, waiting, state.Compiled.Conflicts)));
        _flowChanges.Sort(changesStart, _flowChanges.Count - changesStart, ChangeOrder.Instance);
        return true;
    }

    private static void AddDiff(List<HostFlowChange> changes, string host, CompiledHost before, CompiledHost after)
    {
        foreach (var change in FlowCompiler.Diff(before, after))
        {
            changes.Add(new HostFlowChange(host, change.BridgeName, change.Owner, change.Before, change.After));
        }
    }

    /// <summary>A host's flow changes in the order a full diff reports them: bridge, then owner.</summary>
    private sealed class ChangeOrder : IComparer<HostFlowChange>
    {
        public static readonly ChangeOrder Instance = new();

        public int Compare(HostFlowChange? a, HostFlowChange? b)
        {
            int c = string.CompareOrdinal(a!.BridgeName, b!.BridgeName);
            return c != 0 ? c : a.Owner.CompareTo(b.Owner);
        }
    }

    /// <summary>A patched host waiting for the commit.</summary>
    private readonly record struct HostPatch(HostState State, HostPlan Plan, CompiledHost Compiled);

    /// <summary>An owner index entry to set (empty: remove) at the commit.</summary>
    private readonly record struct OwnerPatch(Dictionary<FlowOwner, ImmutableArray<DesiredFlow>> Owners, FlowOwner Owner, ImmutableArray<DesiredFlow> Flows);

    /// <summary>
    /// One kept host: its plan, port numbers, compiled flows and, per bridge, each owner's flows there (in
    /// canonical order). A patch reads the owner index and the commit updates it in place, so an update costs
    /// nothing per owner the edit does not touch.
    /// </summary>
    private sealed class HostState
    {
        private HostState(HostPlan plan, IPortMap ports, CompiledHost compiled, Dictionary<string, Dictionary<FlowOwner, ImmutableArray<DesiredFlow>>> owners)
        {
            Plan = plan;
            Ports = ports;
            Compiled = compiled;
            Owners = owners;
        }

        public HostPlan Plan { get; set; }

        public IPortMap Ports { get; }

        public CompiledHost Compiled { get; set; }

        /// <summary>Bridge name → owner → the owner's flows on that bridge.</summary>
        public Dictionary<string, Dictionary<FlowOwner, ImmutableArray<DesiredFlow>>> Owners { get; }

        public static HostState Compile(HostPlan plan, IPortMap ports)
        {
            var compiled = DvrFlowCompiler.Compile(plan, ports);
            var owners = new Dictionary<string, Dictionary<FlowOwner, ImmutableArray<DesiredFlow>>>(StringComparer.Ordinal);
            foreach (var (name, set) in compiled.Bridges)
            {
                owners[name] = IndexByOwner(set.Flows);
            }

            return new HostState(plan, ports, compiled, owners);
        }

        private static Dictionary<FlowOwner, ImmutableArray<DesiredFlow>> IndexByOwner(ImmutableArray<DesiredFlow> flows)
        {
            var groups = new Dictionary<FlowOwner, (DesiredFlow[] Flows, int Count)>();
            foreach (var flow in flows)
            {
                CollectionsMarshal.GetValueRefOrAddDefault(groups, flow.Owner, out _).Count++;
            }

            var index = new Dictionary<FlowOwner, ImmutableArray<DesiredFlow>>(groups.Count);
            foreach (var flow in flows)
            {
                ref var group = ref CollectionsMarshal.GetValueRefOrNullRef(groups, flow.Owner);
                if (group.Flows is null)
                {
                    group.Flows = new DesiredFlow[group.Count];
                    group.Count = 0;
                    index[flow.Owner] = ImmutableCollectionsMarshal.AsImmutableArray(group.Flows);
                }

                group.Flows[group.Count++] = flow;
            }

            return index;
        }
    }
}
