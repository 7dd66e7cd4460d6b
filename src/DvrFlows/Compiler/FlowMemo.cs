using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Topology;

namespace Dvr.DvrFlows.Compiler;

/// <summary>
/// Flows that come out the same on many hosts, built once per topology and shared (they are immutable): the
/// l2pop entries of a remote port (UCAST_TO_TUN, ARP_RESPONDER), a network's VNI → local VLAN flow, a router
/// interface's DVR_PROCESS drops. Compiling all 100 hosts of a large cloud otherwise builds the same ~7,000
/// matches, action lists and role texts per host again. A key names everything the flow depends on besides
/// the topology (which is fixed for one memo): the entity by reference, what flow of it, the local VLAN, the
/// ofport, the bridge name.
/// </summary>
internal sealed class FlowMemo
{
    private readonly ConcurrentDictionary<MemoKey, DesiredFlow> _flows;

    /// <param name="expectedFlows">
    /// Room to start with: the memo fills up during one compile of all hosts, and growing a concurrent table
    /// rehashes every entry each time (a large cloud stores ~5 flows per port).
    /// </param>
    public FlowMemo(int expectedFlows = 31) => _flows = new(Environment.ProcessorCount, Math.Max(expectedFlows, 31));

    public int Count => _flows.Count;

    public bool TryGet(in MemoKey key, out DesiredFlow flow) => _flows.TryGetValue(key, out flow!);

    /// <summary>Stores <paramref name="flow"/> unless another thread stored one first; returns the one stored.</summary>
    public DesiredFlow Add(in MemoKey key, DesiredFlow flow) => _flows.GetOrAdd(key, flow);

    private readonly ConcurrentDictionary<L2popKey, L2popBlocks> _l2pop = new();

    /// <summary>Number of l2pop blocks stored (<see cref="L2pop"/>), for the benchmark's report.</summary>
    public int L2popBlockCount => _l2pop.Values.Sum(b => b.Count);

    /// <summary>
    /// The l2pop blocks of <paramref name="network"/> with exactly these <paramref name="ports"/> (the index's
    /// array, compared by reference: an index derived after a port change has a new array for that network, so
    /// no block of the old port set is reused).
    /// </summary>
    public L2popBlocks L2pop(Network network, ImmutableArray<Port> ports) =>
        _l2pop.GetOrAdd(new L2popKey(network, ImmutableCollectionsMarshal.AsArray(ports) ?? []), static (key, ports) => new L2popBlocks(ports), ports);

    private readonly record struct L2popKey(Network Network, Port[] Ports)
    {
        public bool Equals(L2popKey other) => ReferenceEquals(Network, other.Network) && ReferenceEquals(Ports, other.Ports);

        public override int GetHashCode() => HashCode.Combine(RuntimeHelpers.GetHashCode(Network), RuntimeHelpers.GetHashCode(Ports));
    }
}

/// <summary>
/// A network's l2pop entries as whole blocks (UCAST_TO_TUN 20/2 and ARP_RESPONDER 21/1 of every remote port, in
/// build order): the block is the same on every host with the same br-tun name, local VLAN for the network and
/// tunnel ofport to each host with ports on it (<see cref="Tunnels"/>), so most hosts add a block found here
/// instead of looking up ~20 flows one by one.
/// </summary>
internal sealed class L2popBlocks
{
    private readonly Lock _adding = new();
    private L2popBlock[] _blocks = [];

    public L2popBlocks(ImmutableArray<Port> ports)
    {
        var hosts = new List<string>();
        var hostIndex = new int[ports.Length];
        for (int k = 0; k < ports.Length; k++)
        {
            hostIndex[k] = ports[k].Host is { } host ? hosts.FindIndex(h => string.Equals(h, host, StringComparison.Ordinal)) : -1;
            if (ports[k].Host is { } added && hostIndex[k] < 0)
            {
                hostIndex[k] = hosts.Count;
                hosts.Add(added);
            }
        }

        PortHosts = [.. hosts];
        PortHostIndex = [.. hostIndex];
    }

    /// <summary>For each port (in the index's order), its host's position in <see cref="PortHosts"/>, or -1 for an unbound port.</summary>
    public ImmutableArray<int> PortHostIndex { get; }

    /// <summary>A stored block of this bridge and local VLAN (whatever its tunnels), or null.</summary>
    public L2popBlock? Sibling(string bridgeName, int localVlan)
    {
        foreach (var block in Volatile.Read(ref _blocks))
        {
            if (block.LocalVlan == localVlan && string.Equals(block.BridgeName, bridgeName, StringComparison.Ordinal))
            {
                return block;
            }
        }

        return null;
    }

    /// <summary>The hosts the network's ports are bound to, each once: what <see cref="L2popBlock.Tunnels"/> is indexed by.</summary>
    public ImmutableArray<string> PortHosts { get; }

    public int Count => Volatile.Read(ref _blocks).Length;

    public L2popBlock? Find(string bridgeName, int localVlan, ReadOnlySpan<ulong> tunnels)
    {
        foreach (var block in Volatile.Read(ref _blocks))
        {
            if (block.LocalVlan == localVlan && tunnels.SequenceEqual(block.Tunnels) && string.Equals(block.BridgeName, bridgeName, StringComparison.Ordinal))
            {
                return block;
            }
        }

        return null;
    }

    /// <summary>Stores <paramref name="block"/> unless another thread stored an equal one first; returns the one stored.</summary>
    public L2popBlock Add(L2popBlock block)
    {
        lock (_adding)
        {
            if (Find(block.BridgeName, block.LocalVlan, block.Tunnels) is { } stored)
            {
                return stored;
            }

            Volatile.Write(ref _blocks, [.. _blocks, block]);
            return block;
        }
    }
}

/// <summary>
/// One l2pop block: <see cref="Tunnels"/>[i] says how the host reaches <see cref="L2popBlocks.PortHosts"/>[i]:
/// 0 when it adds no entries for that host's ports (the host itself, or no tunnel to it), else
/// 2^32 + the tunnel's ofport. The entries of port k are <see cref="Flows"/>[PortStarts[k]..PortStarts[k + 1]].
/// </summary>
internal sealed record L2popBlock(string BridgeName, int LocalVlan, ulong[] Tunnels, ImmutableArray<DesiredFlow> Flows, int[] PortStarts);

/// <summary>What a memoised flow is: <see cref="Entity"/> (compared by reference) and the host facts it depends on.</summary>
internal readonly struct MemoKey : IEquatable<MemoKey>
{
    public MemoKey(object entity, MemoKind kind, int index, int localVlan, uint ofPort, string bridgeName)
    {
        Entity = entity;
        Kind = kind;
        Index = index;
        LocalVlan = localVlan;
        OfPort = ofPort;
        BridgeName = bridgeName;
    }

    public object Entity { get; }

    public MemoKind Kind { get; }

    /// <summary>Which one of several flows of the same kind (e.g. the fixed IP's position).</summary>
    public int Index { get; }

    public int LocalVlan { get; }

    public uint OfPort { get; }

    public string BridgeName { get; }

    public bool Equals(MemoKey other) =>
        ReferenceEquals(Entity, other.Entity) && Kind == other.Kind && Index == other.Index && LocalVlan == other.LocalVlan
        && OfPort == other.OfPort && string.Equals(BridgeName, other.BridgeName, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is MemoKey other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(RuntimeHelpers.GetHashCode(Entity), (int)Kind, Index, LocalVlan, OfPort);
}

internal enum MemoKind
{
    UnicastToTunnel,
    ArpResponder,
    TunnelToLocalVlanDvr,
    TunnelToLocalVlanLegacy,
    GatewayMacDrop,
    GatewayArpDrop,
    GatewayRaDrop,
    PeerDvrMacFromTunnel,
    PeerDvrMacNotLearn,
    TunnelIn,
}
