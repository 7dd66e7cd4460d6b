namespace Dvr.DvrFlows.Pipeline;

/// <summary>The three bridge roles of Neutron's OVS agent (neutron-dvr-flows.md §2).</summary>
public enum BridgeKind
{
    /// <summary>br-int: local switching, DVR source/destination MAC rewriting, port security.</summary>
    Integration,

    /// <summary>br-tun: tunnel encapsulation, DVR_PROCESS, l2pop unicast/flood, ARP responder, learning.</summary>
    Tunnel,

    /// <summary>A bridge_mappings bridge (br-ex, br-vlan...): provider VLAN translation and DVR_PROCESS_PHYSICAL.</summary>
    Physical,
}
