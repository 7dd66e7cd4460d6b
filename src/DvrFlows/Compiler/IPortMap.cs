namespace Dvr.DvrFlows.Compiler;

/// <summary>
/// OpenFlow port numbers of the interfaces on a host's bridges. The controller fills it from PORT_DESC /
/// PORT_STATUS; the offline CLI uses <see cref="SyntheticPortMap"/>. A flow that needs an interface the map
/// does not (yet) have is not compiled; it is reported in <see cref="CompiledHost.Waiting"/>.
/// </summary>
public interface IPortMap
{
    bool TryGetOfPort(string bridgeName, string interfaceName, out uint ofPort);
}

/// <summary>How an implied interface is plugged, so a test bed can create it.</summary>
public enum InterfaceKind
{
    /// <summary>A port of a Neutron port (VM tap/qvo, qr-, sg-, tap DHCP...): an internal port in tests.</summary>
    Port,

    /// <summary>One end of a patch pair; <see cref="ImpliedInterface.Peer"/> names the other end.</summary>
    Patch,

    /// <summary>A tunnel port; <see cref="ImpliedInterface.RemoteIp"/> is the peer's tunnel IP.</summary>
    Tunnel,
}

/// <summary>An interface the topology implies on one bridge of a host.</summary>
public sealed record ImpliedInterface(string BridgeName, string Name, InterfaceKind Kind, string? Peer, System.Net.IPAddress? RemoteIp, string? TunnelType)
{
    /// <summary>The local VLAN tag Neutron would give the port (ports only), or null.</summary>
    public int? Tag { get; init; }
}
