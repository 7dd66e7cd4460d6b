namespace Dvr.DvrFlows.Pipeline;

/// <summary>br-tun tables with neutron-lib's ids (neutron-dvr-flows.md §2).</summary>
public static class BrTunTables
{
    public static readonly TableSpec PatchOrTunnelIn = TableSpec.Create(0, "LOCAL_SWITCHING",
        "classifier: from br-int to DVR_PROCESS (or PATCH_LV_TO_TUN without DVR), from a tunnel to *_TUN_TO_LV", 1, 2, 3, 4, 6);

    public static readonly TableSpec DvrProcess = TableSpec.Create(1, "DVR_PROCESS",
        "drop frames to the gateway MAC, rewrite the gateway source MAC to this host's DVR MAC", 2);

    public static readonly TableSpec PatchLvToTun = TableSpec.Create(2, "PATCH_LV_TO_TUN",
        "split ARP broadcast, unicast and multicast/broadcast", 20, 21, 22);

    public static readonly TableSpec GreTunToLv = TableSpec.Create(3, "GRE_TUN_TO_LV",
        "GRE key to local VLAN (unused: no GRE networks)", 9, 10);

    public static readonly TableSpec VxlanTunToLv = TableSpec.Create(4, "VXLAN_TUN_TO_LV",
        "VNI to local VLAN", 9, 10);

    public static readonly TableSpec GeneveTunToLv = TableSpec.Create(6, "GENEVE_TUN_TO_LV",
        "Geneve VNI to local VLAN (unused: no Geneve networks)", 9, 10);

    public static readonly TableSpec DvrNotLearn = TableSpec.Create(9, "DVR_NOT_LEARN",
        "frames sourced by a peer DVR MAC go to br-int without MAC learning", 10);

    public static readonly TableSpec LearnFromTun = TableSpec.Create(10, "LEARN_FROM_TUN",
        "learn the remote MAC into UCAST_TO_TUN, then deliver to br-int");

    public static readonly TableSpec UcastToTun = TableSpec.Create(20, "UCAST_TO_TUN",
        "l2pop unicast: local VLAN + MAC to the right tunnel", 22);

    public static readonly TableSpec ArpResponder = TableSpec.Create(21, "ARP_RESPONDER",
        "answer ARP for l2pop-known IPs locally", 22);

    public static readonly TableSpec FloodToTun = TableSpec.Create(22, "FLOOD_TO_TUN",
        "flood to every tunnel that has the network; gateway ARP/RA never leaves the host");

    public static readonly PipelineSpec Pipeline = new(BridgeKind.Tunnel,
        PatchOrTunnelIn, DvrProcess, PatchLvToTun, GreTunToLv, VxlanTunToLv, GeneveTunToLv,
        DvrNotLearn, LearnFromTun, UcastToTun, ArpResponder, FloodToTun);
}
