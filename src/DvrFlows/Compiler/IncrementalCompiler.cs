using System.Collections.Immutable;
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

    private Dictionary<string, HostState> _hosts;

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
        var hosts = new Dictionary<string, HostState>(_hosts, StringComparer.Ordinal) { [hostName] = state };
        _hosts = hosts;
        return state.Compiled;
    }

    /// <summary>Moves to <paramref name="next"/>: incrementally when only a few ports differ (<see cref="TryDiff"/>), else by full recompile.</summary>
    public IncrementalUpdate Update(Topology.Topology next) =>
        TryDiff(Topology, next, out var changes, out string? reason) ? Apply(next, changes) : Recompile(next, reason!);

    /// <summary>
    /// The ports that differ between two topologies, when nothing else does. False (with the reason) when the
    /// global settings, hosts, networks, subnets or routers differ, or more than <see cref="MaxIncrementalPorts"/>
    /// ports changed.
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

        var old = new Dictionary<string, Port>(before.Ports.Length, StringComparer.Ordinal);
        foreach (var port in before.Ports)
        {
            old.TryAdd(port.Name, port);
        }

        var found = ImmutableArray.CreateBuilder<PortChange>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var port in after.Ports)
        {
            if (!seen.Add(port.Name))
            {
                reason = $"port {port.Name} is listed twice";
                return false;
            }

            if (!old.Remove(port.Name, out var was))
            {
                found.Add(new PortChange(null, port));
            }
            else if (!ReferenceEquals(was, port) && !was.Equals(port))
            {
                found.Add(new PortChange(was, port));
            }
        }

        foreach (var gone in old.Values)
        {
            found.Add(new PortChange(gone, null));
        }

        if (found.Count > MaxIncrementalPorts)
        {
            reason = $"{found.Count} ports changed (more than {MaxIncrementalPorts})";
            return false;
        }

        changes = [.. found.OrderBy(c => c.Name, StringComparer.Ordinal)];
        return true;
    }

    /// <summary>Recompiles every host for <paramref name="next"/>; <paramref name="reason"/> says why (it is reported).</summary>
    public IncrementalUpdate Recompile(Topology.Topology next, string reason)
    {
        var hosts = new Dictionary<string, HostState>(_hosts.Count, StringComparer.Ordinal);
        var changes = ImmutableArray.CreateBuilder<HostFlowChange>();
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
        return new IncrementalUpdate([], reason, [.. hosts.Keys.Order(StringComparer.Ordinal)], [], 0, hosts.Values.Sum(h => h.Compiled.AllFlowCount), changes.ToImmutable());
    }

    /// <summary>
    /// Moves to <paramref name="next"/>, which must differ from <see cref="Topology"/> exactly by
    /// <paramref name="changes"/> (as <see cref="TryDiff"/> finds them). All or nothing: if anything throws, the
    /// compiler keeps its previous state.
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

        var index = TopologyIndex.For(Topology);
        var nextIndex = index.WithPortChanges(next, changes, out var reshaped, out var networksWithNewHosts);

        // Hosts whose own facts change are recompiled whole: networks or routers placed there changed, or (when
        // some host's networks changed) the set of hosts it shares a tunnel network with.
        var recompile = new SortedSet<string>(reshaped.Where(_hosts.ContainsKey), StringComparer.Ordinal);
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

        var hosts = new Dictionary<string, HostState>(_hosts, StringComparer.Ordinal);
        var flowChanges = ImmutableArray.CreateBuilder<HostFlowChange>();
        var patched = ImmutableArray.CreateBuilder<string>();
        int owners = 0, flows = 0;
        foreach (var (name, state) in _hosts.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            if (!recompile.Contains(name))
            {
                var dirty = DirtyOwners(name, state.Plan, changes, networksWithNewHosts);
                if (dirty.Count == 0)
                {
                    continue;
                }

                if (!state.Compiled.OwnersShareKeys && TryPatch(state, next, nextIndex, changes, dirty, networksWithNewHosts, flowChanges, out var patchedState, out int recomputed))
                {
                    hosts[name] = patchedState;
                    patched.Add(name);
                    owners += dirty.Count;
                    flows += recomputed;
                    continue;
                }

                recompile.Add(name);
            }

            var now = HostState.Compile(HostPlan.Create(next, name), state.Ports);
            hosts[name] = now;
            flows += now.Compiled.AllFlowCount;
            AddDiff(flowChanges, name, state.Compiled, now.Compiled);
        }

        Topology = next;
        _hosts = hosts;
        return new IncrementalUpdate([.. changes], null, [.. recompile], patched.ToImmutable(), owners, flows, flowChanges.ToImmutable());
    }

    private static bool SameRecords<T>(ImmutableArray<T> a, ImmutableArray<T> b)
        where T : class
    {
        if (a.Length != b.Length)
        {
            return false;
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
    /// Owners on <paramref name="host"/> (whose facts are unchanged) that the port edits can affect: each changed
    /// port where it was or is bound or where its old or new network is present, and each network present here
    /// whose set of hosts changed (its flood list).
    /// </summary>
    private static HashSet<FlowOwner> DirtyOwners(
        string host, HostPlan plan, IReadOnlyList<PortChange> changes, ImmutableArray<string> networksWithNewHosts)
    {
        var dirty = new HashSet<FlowOwner>();
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

        return dirty;
    }

    private static bool TryPatch(
        HostState state,
        Topology.Topology next,
        TopologyIndex index,
        IReadOnlyList<PortChange> changes,
        HashSet<FlowOwner> dirty,
        ImmutableArray<string> networksWithNewHosts,
        ImmutableArray<HostFlowChange>.Builder flowChanges,
        out HostState patched,
        out int recomputed)
    {
        patched = state;
        recomputed = 0;
        var plan = state.Plan.Rebase(next, index);
        var sink = new FlowSink(state.Ports, dirty);
        var brInt = new BrIntFlowBuilder(plan, sink);
        var brTun = new BrTunFlowBuilder(plan, sink);
        var brPhys = plan.Host.PhysicalBridges.Select(b => new BrPhysFlowBuilder(plan, sink, b.Key, b.Value)).ToList();
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
                foreach (var builder in brPhys)
                {
                    builder.BuildNetwork(network);
                }
            }
        }

        var result = sink.Finish();
        if (result.OwnersShareKeys)
        {
            return false;
        }

        var bridges = state.Compiled.Bridges;
        var changesHere = new List<HostFlowChange>();
        foreach (var (bridgeName, set) in state.Compiled.Bridges)
        {
            var added = result.Flows.GetValueOrDefault(bridgeName, []);
            recomputed += added.Length;
            var owners = new List<FlowOwner>();
            foreach (var owner in dirty)
            {
                var before = set.OwnedBy(owner);
                var after = added.Where(f => f.Owner == owner).ToImmutableArray();
                if (!before.AsSpan().SequenceEqual(after.AsSpan()))
                {
                    owners.Add(owner);
                    changesHere.Add(new HostFlowChange(state.Plan.Host.Name, bridgeName, owner, before, after));
                }
            }

            if (owners.Count == 0)
            {
                continue;
            }

            try
            {
                var ownersSet = owners.ToHashSet();
                // Remove + Add, not SetItem: SetItem compares the old and new set by value, which reads every flow.
                bridges = bridges.Remove(bridgeName).Add(bridgeName, set.WithOwnersReplaced(owners, [.. added.Where(f => ownersSet.Contains(f.Owner))]));
            }
            catch (InvalidOperationException)
            {
                // A recomputed flow has the key of a flow another owner keeps: build order decides, so recompile.
                return false;
            }
        }

        var waiting = state.Compiled.Waiting.Where(w => !dirty.Contains(w.Owner)).Concat(result.Waiting).ToList();
        waiting.Sort(FlowSink.WaitingOrder);
        var compiled = new CompiledHost(state.Compiled.HostName, bridges, [.. waiting], state.Compiled.Conflicts);
        patched = new HostState(plan, state.Ports, compiled);
        changesHere.Sort((a, b) =>
        {
            int c = string.CompareOrdinal(a.BridgeName, b.BridgeName);
            return c != 0 ? c : a.Owner.CompareTo(b.Owner);
        });
        flowChanges.AddRange(changesHere);
        return true;
    }

    private static void AddDiff(ImmutableArray<HostFlowChange>.Builder changes, string host, CompiledHost before, CompiledHost after)
    {
        foreach (var change in FlowCompiler.Diff(before, after))
        {
            changes.Add(new HostFlowChange(host, change.BridgeName, change.Owner, change.Before, change.After));
        }
    }

    private sealed record HostState(HostPlan Plan, IPortMap Ports, CompiledHost Compiled)
    {
        public static HostState Compile(HostPlan plan, IPortMap ports)
        {
            var compiled = DvrFlowCompiler.Compile(plan, ports);
            foreach (var set in compiled.Bridges.Values)
            {
                // The owner index is what a patch reads and updates; build it now rather than on the first edit.
                _ = set.ByOwner;
            }

            return new HostState(plan, ports, compiled);
        }
    }
}
