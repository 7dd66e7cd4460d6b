using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Dvr.DvrFlows.Desired;

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
    private readonly ConcurrentDictionary<MemoKey, DesiredFlow> _flows = new();

    public int Count => _flows.Count;

    public bool TryGet(in MemoKey key, out DesiredFlow flow) => _flows.TryGetValue(key, out flow!);

    /// <summary>Stores <paramref name="flow"/> unless another thread stored one first; returns the one stored.</summary>
    public DesiredFlow Add(in MemoKey key, DesiredFlow flow) => _flows.GetOrAdd(key, flow);
}

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
