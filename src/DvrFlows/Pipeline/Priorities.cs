namespace Dvr.DvrFlows.Pipeline;

/// <summary>
/// Named flow priorities, declared once per bridge (Faucet's priority bands). The values are Neutron's, so
/// the tables stay compatible with flows an OVS agent installed (neutron-dvr-flows.md §3).
/// </summary>
public static class BrIntPriority
{
    /// <summary>Table-miss entry of any table.</summary>
    public const ushort Miss = 0;

    /// <summary>0/65535: drop the dead VLAN 4095.</summary>
    public const ushort DeadVlan = 65535;

    /// <summary>0/99: an ARP reply addressed to this host's DVR MAC gets the gateway MAC back.</summary>
    public const ushort ArpReplyToDvrMac = 99;

    /// <summary>0/10: ARP and neighbour advertisements of a port with port security go to ARP_SPOOF.</summary>
    public const ushort PortSecurityArp = 10;

    /// <summary>0/9: everything else from a port with port security goes to MAC_SPOOF.</summary>
    public const ushort PortSecurityMac = 9;

    /// <summary>0/5: frames addressed to this host's DVR MAC go to ARP_DVR_MAC_TO_DST_MAC(_PHYSICAL).</summary>
    public const ushort ToOwnDvrMac = 5;

    /// <summary>0/4: from a physical bridge, sourced by a peer DVR MAC.</summary>
    public const ushort FromPeerDvrMacPhysical = 4;

    /// <summary>0/3: provider VLAN (or untagged) to local VLAN.</summary>
    public const ushort ProviderVlanToLocal = 3;

    /// <summary>0/2: from patch-tun, sourced by a peer DVR MAC.</summary>
    public const ushort FromPeerDvrMacTunnel = 2;

    /// <summary>0/2: untranslated provider traffic and admin-down ports are dropped.</summary>
    public const ushort DropPort = 2;

    /// <summary>1/20, 2/20 and 60/20: DVR direct delivery to a local DVR-serviced port.</summary>
    public const ushort DvrDirectDelivery = 20;

    /// <summary>1/1, 2/1: routed frames for no local port are dropped.</summary>
    public const ushort DvrDefaultDrop = 1;

    /// <summary>3/5, 4/5: frames to this host's DVR MAC delivered to the router interface.</summary>
    public const ushort DvrMacToRouterInterface = 5;

    /// <summary>24/2, 25/2: addresses a port may use.</summary>
    public const ushort AllowedAddress = 2;

    /// <summary>60/3, 62/3: NORMAL switching.</summary>
    public const ushort Normal = 3;
}

/// <summary>Named priorities of br-tun (neutron-dvr-flows.md §3 br-tun).</summary>
public static class BrTunPriority
{
    public const ushort Miss = 0;

    /// <summary>0/1: classify by input port (patch-int or a tunnel).</summary>
    public const ushort InPort = 1;

    /// <summary>1/2: drop frames addressed to a gateway MAC (the local router answers them).</summary>
    public const ushort GatewayMacDrop = 2;

    /// <summary>1/1: gateway-MAC source rewritten to this host's DVR MAC.</summary>
    public const ushort GatewaySourceRewrite = 1;

    /// <summary>2/1: ARP broadcast to the ARP responder.</summary>
    public const ushort ArpBroadcast = 1;

    /// <summary>4/1: tunnel id to local VLAN.</summary>
    public const ushort TunnelToLocalVlan = 1;

    /// <summary>9/1: peer DVR MAC, no learning.</summary>
    public const ushort PeerDvrMac = 1;

    /// <summary>10/1: learn and deliver.</summary>
    public const ushort Learn = 1;

    /// <summary>20/2: l2pop unicast entry.</summary>
    public const ushort UnicastEntry = 2;

    /// <summary>Priority of the flows the learn action writes into UCAST_TO_TUN.</summary>
    public const ushort Learned = 1;

    /// <summary>21/1: ARP responder entry.</summary>
    public const ushort ArpResponderEntry = 1;

    /// <summary>22/3: gateway ARP (IPv4) or router advertisement (IPv6) never leaves the host.</summary>
    public const ushort GatewayArpDrop = 3;

    /// <summary>22/1: flood to the tunnels of the network.</summary>
    public const ushort Flood = 1;
}

/// <summary>Named priorities of a physical (bridge_mappings) bridge (neutron-dvr-flows.md §3 br-phys).</summary>
public static class BrPhysPriority
{
    public const ushort Miss = 0;

    /// <summary>0/2: from br-int to DVR_PROCESS_PHYSICAL (DVR) or drop (non-DVR).</summary>
    public const ushort FromIntegration = 2;

    /// <summary>0/1: from the wire to DVR_NOT_LEARN_PHYSICAL.</summary>
    public const ushort FromWire = 1;

    /// <summary>1/3: gateway ARP/RA never leaves the host (Neutron's unreachable 22/3, moved; see docs/neutron-parity.md).</summary>
    public const ushort GatewayArpDrop = 3;

    /// <summary>1/2: drop frames to a gateway MAC.</summary>
    public const ushort GatewayMacDrop = 2;

    /// <summary>1/1: gateway-MAC source rewritten to this host's DVR MAC.</summary>
    public const ushort GatewaySourceRewrite = 1;

    /// <summary>2/4 (0/4 without DVR): local VLAN to provider VLAN.</summary>
    public const ushort LocalToProviderVlan = 4;

    /// <summary>2/2: untranslated frames from br-int are dropped.</summary>
    public const ushort DropUntranslated = 2;

    /// <summary>3/2: peer DVR MAC to br-int without learning.</summary>
    public const ushort PeerDvrMac = 2;

    /// <summary>3/1: everything else NORMAL.</summary>
    public const ushort Normal = 1;
}
