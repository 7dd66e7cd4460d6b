namespace Dvr.DvrFlows.Tests.Golden;

/// <summary>
/// CN1's tables from neutron-dvr-flows.md §5: real `ovs-ofctl -O OpenFlow13 dump-flows --no-stats --names` output
/// of Neutron 21.0's OVS agent replayed against OVS 3.1, cookies removed (the learn action's own cookie is written
/// LEARNED_COOKIE (a documented deviation); the reference abbreviates two ARP-responder lines as "same pattern", expanded here).
/// </summary>
internal static class WorkedExampleCn1
{
    public static readonly string[] BrInt =
    [
        "priority=65535,dl_vlan=4095 actions=drop",
        "priority=99,arp,dl_dst=fa:16:3f:11:11:11,arp_op=2,arp_tha=fa:16:3e:00:01:01 actions=set_field:fa:16:3e:00:01:01->eth_dst,goto_table:59",
        "priority=99,arp,dl_dst=fa:16:3f:11:11:11,arp_op=2,arp_tha=fa:16:3e:00:02:01 actions=set_field:fa:16:3e:00:02:01->eth_dst,goto_table:59",
        "priority=10,arp,in_port=qvovm1 actions=goto_table:24",
        "priority=10,icmp6,in_port=qvovm1,icmp_type=136 actions=goto_table:24",
        "priority=9,in_port=qvovm1 actions=goto_table:25",
        "priority=5,in_port=\"int-br-ex\",dl_dst=fa:16:3f:11:11:11 actions=goto_table:4",
        "priority=5,in_port=\"patch-tun\",dl_dst=fa:16:3f:11:11:11 actions=goto_table:3",
        "priority=4,in_port=\"int-br-ex\",dl_src=fa:16:3f:22:22:22 actions=goto_table:2",
        "priority=4,in_port=\"int-br-ex\",dl_src=fa:16:3f:33:33:33 actions=goto_table:2",
        "priority=2,in_port=\"int-br-ex\" actions=drop",
        "priority=2,in_port=\"patch-tun\",dl_src=fa:16:3f:22:22:22 actions=goto_table:1",
        "priority=2,in_port=\"patch-tun\",dl_src=fa:16:3f:33:33:33 actions=goto_table:1",
        "priority=0 actions=goto_table:59",
        "table=1, priority=20,dl_vlan=1,dl_dst=fa:16:3e:00:01:10 actions=set_field:fa:16:3e:00:01:01->eth_src,goto_table:59",
        "table=1, priority=1 actions=drop",
        "table=2, priority=1 actions=drop",
        "table=3, priority=5,dl_vlan=1,dl_dst=fa:16:3f:11:11:11 actions=set_field:fa:16:3e:00:01:01->eth_dst,pop_vlan,output:\"qr-red\"",
        "table=3, priority=5,dl_vlan=2,dl_dst=fa:16:3f:11:11:11 actions=set_field:fa:16:3e:00:02:01->eth_dst,pop_vlan,output:\"qr-green\"",
        "table=23, priority=0 actions=drop",
        "table=24, priority=2,arp,in_port=qvovm1,arp_spa=10.0.1.10 actions=goto_table:25",
        "table=24, priority=2,icmp6,in_port=qvovm1,icmp_type=136,nd_target=fe80::f816:3eff:fe00:110 actions=goto_table:59",
        "table=24, priority=0 actions=drop",
        "table=25, priority=2,in_port=qvovm1,dl_src=fa:16:3e:00:01:10 actions=goto_table:30",
        "table=30, priority=0 actions=goto_table:59",
        "table=31, priority=0 actions=goto_table:59",
        "table=59, priority=0 actions=goto_table:60",
        "table=60, priority=20,dl_vlan=1,dl_dst=fa:16:3e:00:01:10 actions=pop_vlan,output:qvovm1",
        "table=60, priority=3 actions=NORMAL",
        "table=62, priority=3 actions=NORMAL",
    ];

    public static readonly string[] BrTun =
    [
        "priority=1,in_port=\"patch-int\" actions=goto_table:1",
        "priority=1,in_port=\"vxlan-c000020c\" actions=goto_table:4",
        "priority=1,in_port=\"vxlan-c000020d\" actions=goto_table:4",
        "priority=0 actions=drop",
        "table=1, priority=2,dl_vlan=1,dl_dst=fa:16:3e:00:01:01 actions=drop",
        "table=1, priority=2,dl_vlan=2,dl_dst=fa:16:3e:00:02:01 actions=drop",
        "table=1, priority=1,dl_vlan=1,dl_src=fa:16:3e:00:01:01 actions=set_field:fa:16:3f:11:11:11->eth_src,goto_table:2",
        "table=1, priority=1,dl_vlan=2,dl_src=fa:16:3e:00:02:01 actions=set_field:fa:16:3f:11:11:11->eth_src,goto_table:2",
        "table=1, priority=0 actions=goto_table:2",
        "table=2, priority=1,arp,dl_dst=ff:ff:ff:ff:ff:ff actions=goto_table:21",
        "table=2, priority=0,dl_dst=00:00:00:00:00:00/01:00:00:00:00:00 actions=goto_table:20",
        "table=2, priority=0,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00 actions=goto_table:22",
        "table=3, priority=0 actions=drop",
        "table=4, priority=1,tun_id=0x3e9 actions=push_vlan:0x8100,set_field:4097->vlan_vid,goto_table:9",
        "table=4, priority=1,tun_id=0x3ea actions=push_vlan:0x8100,set_field:4098->vlan_vid,goto_table:9",
        "table=4, priority=0 actions=drop",
        "table=6, priority=0 actions=drop",
        "table=9, priority=1,dl_src=fa:16:3f:22:22:22 actions=output:\"patch-int\"",
        "table=9, priority=1,dl_src=fa:16:3f:33:33:33 actions=output:\"patch-int\"",
        "table=9, priority=0 actions=goto_table:10",
        "table=10, priority=1 actions=learn(table=20,hard_timeout=300,priority=1,cookie=LEARNED_COOKIE,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],output:OXM_OF_IN_PORT[]),output:\"patch-int\"",
        "table=20, priority=2,dl_vlan=1,dl_dst=fa:16:3e:00:01:02 actions=pop_vlan,set_field:0x3e9->tun_id,output:\"vxlan-c000020d\"",
        "table=20, priority=2,dl_vlan=2,dl_dst=fa:16:3e:00:02:02 actions=pop_vlan,set_field:0x3ea->tun_id,output:\"vxlan-c000020d\"",
        "table=20, priority=2,dl_vlan=2,dl_dst=fa:16:3e:00:02:20 actions=pop_vlan,set_field:0x3ea->tun_id,output:\"vxlan-c000020c\"",
        "table=20, priority=0 actions=goto_table:22",
        "table=21, priority=1,arp,dl_vlan=1,arp_tpa=10.0.1.2 actions=set_field:2->arp_op,move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],set_field:fa:16:3e:00:01:02->arp_sha,set_field:10.0.1.2->arp_spa,move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],set_field:fa:16:3e:00:01:02->eth_src,IN_PORT",
        "table=21, priority=1,arp,dl_vlan=2,arp_tpa=10.0.2.2 actions=set_field:2->arp_op,move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],set_field:fa:16:3e:00:02:02->arp_sha,set_field:10.0.2.2->arp_spa,move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],set_field:fa:16:3e:00:02:02->eth_src,IN_PORT",
        "table=21, priority=1,arp,dl_vlan=2,arp_tpa=10.0.2.20 actions=set_field:2->arp_op,move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],set_field:fa:16:3e:00:02:20->arp_sha,set_field:10.0.2.20->arp_spa,move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],set_field:fa:16:3e:00:02:20->eth_src,IN_PORT",
        "table=21, priority=0 actions=goto_table:22",
        "table=22, priority=3,arp,dl_vlan=1,arp_tpa=10.0.1.1 actions=drop",
        "table=22, priority=3,arp,dl_vlan=2,arp_tpa=10.0.2.1 actions=drop",
        "table=22, priority=1,dl_vlan=1 actions=pop_vlan,set_field:0x3e9->tun_id,output:\"vxlan-c000020c\",output:\"vxlan-c000020d\"",
        "table=22, priority=1,dl_vlan=2 actions=pop_vlan,set_field:0x3ea->tun_id,output:\"vxlan-c000020c\",output:\"vxlan-c000020d\"",
        "table=22, priority=0 actions=drop",
    ];

    public static readonly string[] BrEx =
    [
        "priority=2,in_port=\"phy-br-ex\" actions=goto_table:1",
        "priority=1 actions=goto_table:3",
        "priority=0 actions=NORMAL",
        "table=1, priority=0 actions=goto_table:2",
        "table=2, priority=2,in_port=\"phy-br-ex\" actions=drop",
        "table=3, priority=2,dl_src=fa:16:3f:22:22:22 actions=output:\"phy-br-ex\"",
        "table=3, priority=2,dl_src=fa:16:3f:33:33:33 actions=output:\"phy-br-ex\"",
        "table=3, priority=1 actions=NORMAL",
    ];
}
