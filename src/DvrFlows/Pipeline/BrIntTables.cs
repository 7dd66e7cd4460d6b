namespace Dvr.DvrFlows.Pipeline;

/// <summary>
/// br-int tables with neutron-lib's ids (neutron_lib/plugins/ml2/ovs_constants.py; neutron-dvr-flows.md §2).
/// Tables 61 (LOCAL_MAC_DIRECT) and the firewall/DHCP tables are not used by this pipeline.
/// </summary>
public static class BrIntTables
{
    public static readonly TableSpec LocalSwitching = TableSpec.Create(0, "LOCAL_SWITCHING",
        "classifier: dead VLAN, provider VLAN translation, DVR MAC steering, port security entry", 1, 2, 3, 4, 24, 25, 59);

    public static readonly TableSpec DvrToSrcMac = TableSpec.Create(1, "DVR_TO_SRC_MAC",
        "routed frames from a peer DVR host (tunnel): restore the gateway MAC as source", 59);

    public static readonly TableSpec DvrToSrcMacPhysical = TableSpec.Create(2, "DVR_TO_SRC_MAC_PHYSICAL",
        "routed frames from a peer DVR host (VLAN/flat): restore the gateway MAC as source", 59);

    public static readonly TableSpec ArpDvrMacToDstMac = TableSpec.Create(3, "ARP_DVR_MAC_TO_DST_MAC",
        "replies addressed to this host's DVR MAC (tunnel): deliver to the router interface");

    public static readonly TableSpec ArpDvrMacToDstMacPhysical = TableSpec.Create(4, "ARP_DVR_MAC_TO_DST_MAC_PHYSICAL",
        "replies addressed to this host's DVR MAC (VLAN/flat): deliver to the router interface");

    public static readonly TableSpec Canary = TableSpec.Create(23, "CANARY",
        "one drop flow the agent polls to detect an OVS restart");

    public static readonly TableSpec ArpSpoof = TableSpec.Create(24, "ARP_SPOOF",
        "port security: ARP sender IPs and ND targets a port may claim", 25, 59);

    public static readonly TableSpec MacSpoof = TableSpec.Create(25, "MAC_SPOOF",
        "port security: source MACs a port may use", 30);

    public static readonly TableSpec LocalEgress = TableSpec.Create(30, "LOCAL_EGRESS",
        "egress from local ports (pass-through)", 59);

    public static readonly TableSpec LocalIp = TableSpec.Create(31, "LOCAL_IP",
        "local_ip extension (pass-through)", 59);

    public static readonly TableSpec PacketRateLimit = TableSpec.Create(59, "PACKET_RATE_LIMIT",
        "packet rate limiting (pass-through)", 60);

    public static readonly TableSpec Transient = TableSpec.Create(60, "TRANSIENT",
        "DVR direct delivery to local ports, else NORMAL");

    public static readonly TableSpec TransientEgress = TableSpec.Create(62, "TRANSIENT_EGRESS",
        "egress NORMAL");

    public static readonly PipelineSpec Pipeline = new(BridgeKind.Integration,
        LocalSwitching, DvrToSrcMac, DvrToSrcMacPhysical, ArpDvrMacToDstMac, ArpDvrMacToDstMacPhysical,
        Canary, ArpSpoof, MacSpoof, LocalEgress, LocalIp, PacketRateLimit, Transient, TransientEgress);
}
