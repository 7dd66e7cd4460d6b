namespace Dvr.DvrFlows.Pipeline;

/// <summary>Tables of a bridge_mappings bridge in DVR mode (neutron-dvr-flows.md §2, §3 br-phys).</summary>
public static class BrPhysTables
{
    public static readonly TableSpec LocalSwitching = TableSpec.Create(0, "LOCAL_SWITCHING",
        "classifier: from br-int to DVR_PROCESS_PHYSICAL, from the wire to DVR_NOT_LEARN_PHYSICAL", 1, 3);

    public static readonly TableSpec DvrProcessPhysical = TableSpec.Create(1, "DVR_PROCESS_PHYSICAL",
        "drop frames and ARP to the gateway, rewrite the gateway source MAC to this host's DVR MAC", 2);

    public static readonly TableSpec LocalVlanTranslation = TableSpec.Create(2, "LOCAL_VLAN_TRANSLATION",
        "local VLAN to provider VLAN (or untagged for flat)");

    public static readonly TableSpec DvrNotLearnPhysical = TableSpec.Create(3, "DVR_NOT_LEARN_PHYSICAL",
        "frames sourced by a peer DVR MAC go to br-int without MAC learning");

    public static readonly PipelineSpec Pipeline = new(BridgeKind.Physical,
        LocalSwitching, DvrProcessPhysical, LocalVlanTranslation, DvrNotLearnPhysical);
}
