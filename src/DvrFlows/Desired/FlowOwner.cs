namespace Dvr.DvrFlows.Desired;

/// <summary>What kind of topology entity a desired flow belongs to (OVN's desired-flow owner).</summary>
public enum FlowOwnerKind
{
    /// <summary>The bridge's base pipeline (table-miss, canary, this host's own DVR MAC). Id = bridge name.</summary>
    Bridge,

    /// <summary>A network present on the host (local VLAN translation, flooding). Id = network name.</summary>
    Network,

    /// <summary>A subnet (reserved for subnet-wide flows). Id = subnet name.</summary>
    Subnet,

    /// <summary>A distributed router interface hosted here (DVR_PROCESS, ARP-reply return path). Id = port name.</summary>
    RouterInterface,

    /// <summary>A port: local port flows (security, DVR delivery, admin down) or l2pop entries of a remote port. Id = port name.</summary>
    Port,

    /// <summary>A peer host's DVR MAC (DVR_NOT_LEARN, DVR_TO_SRC_MAC steering). Id = peer host name.</summary>
    PeerDvrMac,

    /// <summary>The tunnel port to a peer host (its in_port classifier). Id = peer host name.</summary>
    Tunnel,
}

/// <summary>The entity that produced a flow: removing the entity removes exactly the flows it owns.</summary>
public readonly record struct FlowOwner(FlowOwnerKind Kind, string Id) : IComparable<FlowOwner>
{
    public static FlowOwner Bridge(string bridgeName) => new(FlowOwnerKind.Bridge, bridgeName);

    public static FlowOwner Network(string name) => new(FlowOwnerKind.Network, name);

    public static FlowOwner Subnet(string name) => new(FlowOwnerKind.Subnet, name);

    public static FlowOwner RouterInterface(string portName) => new(FlowOwnerKind.RouterInterface, portName);

    public static FlowOwner Port(string name) => new(FlowOwnerKind.Port, name);

    public static FlowOwner PeerDvrMac(string hostName) => new(FlowOwnerKind.PeerDvrMac, hostName);

    public static FlowOwner Tunnel(string hostName) => new(FlowOwnerKind.Tunnel, hostName);

    public int CompareTo(FlowOwner other)
    {
        int kind = Kind.CompareTo(other.Kind);
        return kind != 0 ? kind : string.CompareOrdinal(Id, other.Id);
    }

    /// <summary>Text form used by <c>dvrctl compile --owners</c>: e.g. <c>port:vm1</c>, <c>router-interface:qr-red</c>.</summary>
    public override string ToString() => $"{KindText(Kind)}:{Id}";

    public static string KindText(FlowOwnerKind kind) => kind switch
    {
        FlowOwnerKind.Bridge => "bridge",
        FlowOwnerKind.Network => "network",
        FlowOwnerKind.Subnet => "subnet",
        FlowOwnerKind.RouterInterface => "router-interface",
        FlowOwnerKind.Port => "port",
        FlowOwnerKind.PeerDvrMac => "peer-dvr-mac",
        FlowOwnerKind.Tunnel => "tunnel",
        _ => kind.ToString(),
    };
}
