namespace Dvr.OpenFlow.Tests.Actions;

/// <summary>
/// Action strings for the differential tests: hand-picked ones covering every action we parse (each with a match
/// that satisfies its prerequisites, since ovs-ofctl checks them), and seeded random combinations.
/// </summary>
internal static class ActionCorpus
{
    public static readonly (string Match, string Actions)[] HandPicked =
    [
        // Output forms and reserved ports.
        ("priority=1", "output:1"),
        ("priority=1", "output:65279"),
        ("priority=1", "1,2,3"),
        ("priority=1", "NORMAL"),
        ("priority=1", "normal"),
        ("priority=1", "FLOOD,ALL,LOCAL,IN_PORT"),
        ("priority=1", "output:IN_PORT"),
        ("priority=1", "output:LOCAL"),
        ("priority=1", "output:CONTROLLER"),
        ("priority=1", "CONTROLLER:100"),
        ("priority=1", "controller"),
        ("priority=1", "controller:0"),
        ("priority=1", "controller(max_len=100)"),
        ("priority=1", "controller(reason=no_match)"),
        ("priority=1", "controller(reason=invalid_ttl,max_len=64,id=7)"),
        ("priority=1", "controller(id=3)"),
        ("priority=1", "drop"),
        ("priority=1", "TABLE"),

        // VLAN (DVR: push_vlan/pop_vlan on br-int/br-tun).
        ("priority=1", "push_vlan:0x8100"),
        ("priority=1", "push_vlan:0x88a8"),
        ("priority=1", "push_vlan:0x8100,set_field:4101->vlan_vid"),
        ("priority=1,dl_vlan=5", "pop_vlan"),
        ("priority=1,dl_vlan=5", "strip_vlan,output:2"),
        ("priority=1,dl_vlan=5", "mod_vlan_vid:7"),
        ("priority=1,dl_vlan=5", "mod_vlan_pcp:3"),
        ("priority=1,dl_vlan=5", "set_field:4097->vlan_vid,set_field:5->vlan_pcp"),
        ("priority=1,dl_vlan=5", "set_field:4106->vlan_vid"),

        // OpenFlow 1.0-era VLAN spellings whose OpenFlow 1.3 form depends on the match: without a VLAN header
        // mod_vlan_* first pushes one (OVS encode_SET_VLAN_VID), set_vlan_* needs one.
        ("priority=1", "mod_vlan_vid:5"),
        ("priority=1", "mod_vlan_pcp:3"),
        ("priority=1", "mod_vlan_vid:5,mod_vlan_pcp:2"),
        ("priority=1", "mod_vlan_vid:5,strip_vlan,mod_vlan_vid:6"),
        ("priority=1", "push_vlan:0x8100,mod_vlan_vid:5"),
        ("priority=1", "write_actions(mod_vlan_vid:5)"),
        ("priority=1", "mod_vlan_vid:5,write_actions(mod_vlan_pcp:5)"),
        ("priority=1,dl_vlan=0xffff", "mod_vlan_vid:5"),
        ("priority=1,vlan_tci=0/0x1000", "mod_vlan_vid:5"),
        ("priority=1,vlan_tci=0x1000/0x1000", "mod_vlan_vid:5"),
        ("priority=1,dl_vlan_pcp=3", "mod_vlan_vid:5"),
        ("priority=1,dl_vlan=3", "set_vlan_vid:5,set_vlan_pcp:4"),

        // mod_tp_*: the field follows the match's protocol.
        ("priority=1,tcp", "mod_tp_src:80,mod_tp_dst:8080"),
        ("priority=1,udp6", "mod_tp_dst:53"),
        ("priority=1,sctp", "mod_tp_src:1"),
        ("priority=1,ip,nw_proto=6", "mod_tp_src:80"),
        ("priority=1,tcp", "write_actions(mod_tp_src:80)"),

        // enqueue, register stack, exit.
        ("priority=1", "enqueue:1:2"),
        ("priority=1", "enqueue(1,2)"),
        ("priority=1", "enqueue:LOCAL:7"),
        ("priority=1", "push:NXM_NX_REG0[]"),
        ("priority=1", "push:reg0[0..7],pop:NXM_NX_REG1[8..15]"),
        ("priority=1", "push:NXM_NX_REG0[0..3],pop:NXM_OF_IN_PORT[]"),
        ("priority=1", "push:NXM_OF_ETH_SRC[],pop:NXM_OF_ETH_DST[]"),
        ("priority=1", "exit"),
        ("priority=1", "output:1,exit"),
        ("priority=1,tcp", "fin_timeout(idle_timeout=10)"),
        ("priority=1,tcp", "fin_timeout(hard_timeout=20)"),
        ("priority=1,tcp", "fin_timeout(idle_timeout=10,hard_timeout=20),output:1"),
        ("priority=1,tcp6", "fin_timeout(hard_timeout=5,idle_timeout=6)"),

        // set_field and the mod_* spellings.
        ("priority=1", "set_field:fa:16:3f:00:00:01->eth_src"),
        ("priority=1", "set_field:fa:16:3f:00:00:01->eth_dst,output:3"),
        ("priority=1", "mod_dl_src:00:11:22:33:44:55,mod_dl_dst:66:77:88:99:aa:bb"),
        ("priority=1,ip", "mod_nw_src:10.0.0.1,mod_nw_dst:192.168.1.254"),
        ("priority=1,ip", "mod_nw_tos:4,mod_nw_ecn:2,mod_nw_ttl:3"),
        ("priority=1,ip", "set_nw_ttl:9"),
        ("priority=1,ip", "set_field:10.1.2.3->ip_src,set_field:10.1.2.4->ip_dst"),
        ("priority=1,ip", "set_field:7->ip_dscp"),
        ("priority=1,tcp", "set_field:80->tcp_src,set_field:443->tcp_dst"),
        ("priority=1,udp", "set_field:53->udp_src,set_field:5353->udp_dst"),
        ("priority=1,arp", "set_field:2->arp_op,set_field:10.0.0.1->arp_spa,set_field:10.0.0.2->arp_tpa"),
        ("priority=1,arp", "set_field:fa:16:3e:00:00:01->arp_sha,set_field:fa:16:3e:00:00:02->arp_tha"),
        ("priority=1", "set_field:5->reg0,set_field:0xffffffff->reg15"),
        ("priority=1", "set_field:0->reg4,set_field:0->tun_id"),
        ("priority=1", "set_field:0x1/0xff->reg1"),
        ("priority=1", "set_field:0x100/0xf00->reg2"),
        ("priority=1", "set_field:0x5/0x5->reg3"),
        ("priority=1", "set_field:0x1234->tun_id,set_field:0xffffffffffffffff->tunnel_id"),
        ("priority=1", "set_field:1.2.3.4->tun_dst,set_field:5.6.7.8->tun_src"),
        ("priority=1", "set_field:5->metadata"),
        ("priority=1", "set_field:0x5->xreg0,set_field:1->pkt_mark"),
        ("priority=1", "set_tunnel:0x5,set_tunnel64:0x123456789"),
        ("priority=1,ipv6", "set_field:fe80::1->ipv6_src,set_field:2001:db8::1->ipv6_dst"),

        // Resubmit.
        ("priority=1", "resubmit:3"),
        ("priority=1", "resubmit(,4)"),
        ("priority=1", "resubmit(1,2)"),
        ("priority=1", "resubmit(IN_PORT,2)"),
        ("priority=1", "resubmit(LOCAL,)"),

        // move / load (DVR ARP responder).
        ("priority=1,arp", "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],mod_dl_src:fa:16:3e:00:00:01,load:0x2->NXM_OF_ARP_OP[],move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],load:0xfa163e000001->NXM_NX_ARP_SHA[],load:0xa000001->NXM_OF_ARP_SPA[],IN_PORT"),
        ("priority=1", "move:NXM_NX_REG0[0..15]->NXM_NX_REG1[16..31]"),
        ("priority=1", "move:reg0->reg1"),
        ("priority=1", "move:NXM_NX_TUN_ID[0..31]->NXM_NX_REG2[]"),
        ("priority=1", "move:NXM_OF_IN_PORT[]->NXM_NX_REG3[0..15]"),
        ("priority=1", "move:OXM_OF_IN_PORT[]->NXM_NX_REG3[]"),
        ("priority=1", "move:NXM_OF_VLAN_TCI[0..11]->NXM_NX_REG4[0..11]"),
        ("priority=1", "move:NXM_NX_REG5[3]->NXM_NX_REG6[7]"),
        ("priority=1", "move:metadata[0..31]->reg7"),
        ("priority=1,ip", "move:NXM_OF_IP_SRC[]->NXM_OF_IP_DST[]"),
        ("priority=1,tcp", "move:NXM_OF_TCP_SRC[]->NXM_OF_TCP_DST[]"),
        ("priority=1", "load:0x5->NXM_NX_REG0[0..3]"),
        ("priority=1", "load:0->NXM_NX_REG0[]"),
        ("priority=1", "load:1->NXM_NX_REG1[31]"),
        ("priority=1", "load:0x1234->NXM_NX_TUN_ID[]"),
        ("priority=1", "load:0xfa163e000001->NXM_OF_ETH_SRC[]"),
        ("priority=1", "load:0x5->OXM_OF_METADATA[0..7]"),
        ("priority=1", "load:0x5->reg9"),
        ("priority=1,dl_vlan=5", "load:0x7->OXM_OF_VLAN_VID[]"),
        ("priority=1", "load:0xffffffffffffffff->NXM_NX_TUN_ID[]"),

        // learn (DVR br-tun table 10).
        ("priority=1", "learn(table=10,hard_timeout=300,priority=1,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],output:OXM_OF_IN_PORT[]),output:1"),
        ("priority=1", "learn(table=20,hard_timeout=300,priority=1,cookie=0x1234,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],output:OXM_OF_IN_PORT[])"),
        ("priority=1", "learn(table=10,idle_timeout=5,hard_timeout=300,fin_idle_timeout=3,fin_hard_timeout=4,priority=1,cookie=0x55,send_flow_rem,delete_learned,NXM_OF_ETH_TYPE[]=0x800)"),
        ("priority=1", "learn()"),
        ("priority=1", "learn(table=1,priority=32768)"),
        ("priority=1", "learn(eth_type=0x800,eth_src=00:11:22:33:44:55)"),
        ("priority=1", "learn(eth_type=0x800,ip_dst=1.2.3.4,load:1->reg1[])"),
        ("priority=1", "learn(in_port=99,NXM_NX_REG0[1..3]=5)"),
        ("priority=1", "learn(NXM_NX_REG0[]=NXM_NX_REG1[],load:0xfa163e000001->NXM_OF_ETH_SRC[],load:NXM_OF_IN_PORT[]->NXM_NX_REG0[0..15])"),
        ("priority=1", "learn(table=5,dl_dst=fa:16:3e:00:00:01,output:NXM_NX_REG0[0..15])"),

        // Standard TTL/MPLS/queue/group.
        ("priority=1,ip", "dec_ttl"),
        ("priority=1,ip", "dec_ttl(1,2,3)"),
        ("priority=1,ip", "dec_ttl(7)"),
        ("priority=1,mpls", "set_mpls_ttl(4),dec_mpls_ttl"),
        ("priority=1,mpls", "pop_mpls:0x0800"),
        ("priority=1,ip", "push_mpls:0x8847"),
        ("priority=1,ip", "push_mpls:0x8848"),
        ("priority=1", "set_queue:3,output:1"),
        ("priority=1", "set_queue:3,pop_queue"),
        ("priority=1", "group:4"),
        ("priority=1", "group:4294967040"),

        // Misc Nicira.
        ("priority=1", "note:01.02.03"),
        ("priority=1", "note:aabbccddeeff0011"),
        ("priority=1", "note:"),
        ("priority=1", "note:0102030405060708090a0b0c0d0e0f10"),
        ("priority=1", "conjunction(5,1/2)"),
        ("priority=1", "conjunction(4294967295,64/64)"),
        ("priority=1", "conjunction(5,1/2),conjunction(6,2/3),note:11"),
        ("priority=1", "output:NXM_NX_REG0[]"),
        ("priority=1", "output:reg1[0..15]"),
        ("priority=1", "output:NXM_NX_REG2[16..31]"),

        // Conntrack and NAT.
        ("priority=1,ip", "ct(commit,zone=5,table=3)"),
        ("priority=1,ip", "ct"),
        ("priority=1,ip", "ct()"),
        ("priority=1,ip", "ct(table=2)"),
        ("priority=1,ip", "ct(zone=NXM_NX_REG6[0..15],table=1)"),
        ("priority=1,ip", "ct(zone=reg5[16..31])"),
        ("priority=1,udp", "ct(commit,force,alg=tftp)"),
        ("priority=1,tcp", "ct(commit,alg=ftp)"),
        ("priority=1,ip", "ct(commit,exec(set_field:1->ct_mark,load:0x2->NXM_NX_CT_LABEL[0..7]))"),
        ("priority=1,ip", "ct(commit,exec(set_field:0x5/0xff->ct_mark))"),
        ("priority=1,ip", "ct(commit,nat(src=10.0.0.1-10.0.0.9:100-200,persistent,random)),ct(nat),ct(commit,nat(dst=1.2.3.4))"),
        ("priority=1,ip", "ct(commit,nat(src=10.0.0.1:80,hash))"),
        ("priority=1,ip", "ct(commit,nat(src=10.0.0.1-10.0.0.1))"),
        ("priority=1,ip", "ct(nat,table=5,zone=9)"),
        ("priority=1,ipv6", "ct(commit,nat(src=[fe80::1]-[fe80::5]:10-20)),ct(commit,nat(dst=fe80::2))"),
        ("priority=1,tcp", "ct(commit,table=4,zone=7,nat(src=1.1.1.1),exec(set_field:0x5/0xff->ct_mark),alg=ftp)"),
        ("priority=1,ip", "ct(commit,zone=1,exec(set_field:0x1->ct_mark)),output:2"),

        // Instructions.
        ("priority=1", "goto_table:1"),
        ("priority=1", "output:1,goto_table:2"),
        ("priority=1", "meter:3,output:1,clear_actions,write_actions(output:2,set_queue:1),write_metadata:0x5/0xff,goto_table:3"),
        ("priority=1", "write_metadata:0x5"),
        ("priority=1", "write_metadata:0xfedcba9876543210/0xffff0000ffff0000"),
        ("priority=1", "clear_actions"),
        ("priority=1", "meter:1"),
        ("priority=1", "write_actions(group:1)"),
        ("priority=1", "write_actions(drop)"),
        ("priority=1,dl_vlan=5", "pop_vlan,set_field:fa:16:3f:00:00:01->eth_src,goto_table:2"),
        ("priority=1", "push_vlan:0x8100,set_field:4101->vlan_vid,resubmit(,4),write_metadata:0x1/0x1,goto_table:9"),
    ];

    /// <summary>Action strings OVS rejects; our parser must reject them too.</summary>
    public static readonly (string Match, string Actions)[] Invalid =
    [
        ("priority=1", "bogus_action"),
        ("priority=1", "mod_tp_src:80"),
        ("priority=1,icmp", "mod_tp_dst:80"),
        ("priority=1,tcp,nw_frag=later", "mod_tp_src:1"),
        ("priority=1", "set_vlan_vid:5"),
        ("priority=1", "set_vlan_pcp:5"),
        ("priority=1", "pop:NXM_OF_ETH_TYPE[]"),
        ("priority=1", "enqueue:1"),
        ("priority=1", "fin_timeout(idle_timeout=10)"),
        ("priority=1,udp", "fin_timeout(idle_timeout=10)"),
        ("priority=1,tcp", "fin_timeout(idle=10)"),
        ("priority=1", "output:1,drop"),
        ("priority=1", "goto_table:3,output:1"),
        ("priority=1", "write_metadata:0x5,clear_actions"),
        ("priority=1", "goto_table:1,goto_table:2"),
        ("priority=1", "resubmit(,)"),
        ("priority=1", "resubmit(1,2,3,4)"),
        ("priority=1", "push_vlan:0x0800"),
        ("priority=1", "apply_actions(output:1,output:2)"),
        ("priority=1", "apply_actions(output:1),goto_table:4"),
        ("priority=1", "move:NXM_NX_REG0[]->NXM_NX_REG1[0..15]"),
        ("priority=1", "move:NXM_NX_REG0[]"),
        ("priority=1", "move:NXM_NX_BOGUS[]->NXM_NX_REG1[]"),
        ("priority=1", "load:0x10->NXM_NX_REG0[0..3]"),
        ("priority=1", "load:0x1->NXM_NX_REG0[0..40]"),
        ("priority=1", "set_field:1->eth_type"),
        ("priority=1", "set_field:xyz->eth_src"),
        ("priority=1", "set_field:1->nosuchfield"),
        ("priority=1", "conjunction(5,3/2)"),
        ("priority=1", "conjunction(5,1/1)"),
        ("priority=1", "conjunction(5)"),
        ("priority=1", "learn(table=255)"),
        ("priority=1", "learn(bogus=1)"),
        ("priority=1", "learn(NXM_NX_REG0[]=NXM_NX_REG1[0..3])"),
        ("priority=1", "output:"),
        ("priority=1", "group:x"),
        ("priority=1", "note:xyz"),
        ("priority=1", "controller(reason=bogus)"),
        ("priority=1", "meter:x"),
        ("priority=1", "goto_table:256"),
        ("priority=1,ip", "ct(exec(set_field:1->ct_mark))"),
        ("priority=1,ip", "ct(bogus)"),
        ("priority=1,ip", "ct(zone=reg0)"),
        ("priority=1,ip", "ct(commit,exec(output:1))"),
        ("priority=1,ip", "ct(commit,nat(src=1.1.1.1,dst=2.2.2.2))"),
        ("priority=1,ip", "ct(commit,nat(src=1.1.1.1,hash,random))"),
        ("priority=1,ip", "ct(commit,nat(src=notanip))"),
        ("priority=1", "write_actions(note:01)"),
        ("priority=1", "write_actions(learn(table=1))"),
    ];

    /// <summary>
    /// Seeded random action lists over the DVR-relevant actions. The match "ip,dl_vlan=5" satisfies the IPv4
    /// and VLAN prerequisites; VLAN-changing actions are kept last so later set_fields stay valid.
    /// </summary>
    public static List<(string Match, string Actions)> Generated(int count, int seed)
    {
        var random = new Random(seed);
        string Reg() => $"reg{random.Next(16)}";
        string Port() => random.Next(6) switch
        {
            0 => "NORMAL",
            1 => "IN_PORT",
            2 => "LOCAL",
            3 => $"output:{random.Next(1, 65280)}",
            4 => "FLOOD",
            _ => $"{random.Next(1, 100)}",
        };
        string Mac() => string.Join(':', Enumerable.Range(0, 6).Select(_ => random.Next(256).ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        string Ip() => string.Join('.', Enumerable.Range(0, 4).Select(_ => random.Next(256)));
        string Range(int width)
        {
            int start = random.Next(width);
            int end = random.Next(start, width);
            return random.Next(3) == 0 ? "[]" : start == end ? $"[{start}]" : $"[{start}..{end}]";
        }

        string Action() => random.Next(27) switch
        {
            24 => $"ct(commit,zone={random.Next(1, 65536)},table={random.Next(254)})",
            25 => $"ct(commit,nat(src={Ip()}-{Ip()}:{random.Next(1, 1000)}-{random.Next(1000, 65536)}{(random.Next(2) == 0 ? ",persistent" : string.Empty)}),exec(set_field:0x{random.Next():x}->ct_mark))",
            26 => $"ct(zone=NXM_NX_REG{random.Next(16)}[{(random.Next(2) == 0 ? "0..15" : "16..31")}],table={random.Next(254)}{(random.Next(2) == 0 ? ",nat" : string.Empty)})",
            0 => Port(),
            1 => $"resubmit(,{random.Next(255)})",
            2 => $"resubmit:{random.Next(1, 500)}",
            3 => $"set_field:{Mac()}->eth_{(random.Next(2) == 0 ? "src" : "dst")}",
            4 => $"set_field:{Ip()}->ip_{(random.Next(2) == 0 ? "src" : "dst")}",
            5 => $"set_field:0x{random.Next():x}->{Reg()}",
            6 => $"set_field:0x{random.Next():x}/0x{random.Next():x}->{Reg()}",
            7 => $"load:0x{random.Next(16):x}->NXM_NX_REG{random.Next(16)}[{random.Next(28)}..{random.Next(28, 32)}]",
            8 => $"load:0x{random.NextInt64():x}->NXM_NX_TUN_ID[]",
            9 => $"move:NXM_NX_REG{random.Next(16)}[0..15]->NXM_NX_REG{random.Next(16)}[16..31]",
            10 => $"move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]",
            11 => $"move:NXM_NX_TUN_ID[0..31]->NXM_NX_REG{random.Next(16)}[]",
            12 => $"learn(table={random.Next(254)},hard_timeout={random.Next(1000)},priority={random.Next(65536)},NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],output:OXM_OF_IN_PORT[])",
            13 => $"learn(table={random.Next(254)},idle_timeout={random.Next(100)},NXM_NX_REG{random.Next(16)}{Range(32)},load:0x{random.Next(256):x}->NXM_NX_REG{random.Next(16)}[0..7])",
            14 => $"note:{string.Join('.', Enumerable.Range(0, random.Next(1, 12)).Select(_ => random.Next(256).ToString("x2", System.Globalization.CultureInfo.InvariantCulture)))}",
            15 => "dec_ttl",
            16 => $"dec_ttl({string.Join(',', Enumerable.Range(0, random.Next(1, 5)).Select(_ => random.Next(1, 65536)))})",
            17 => $"set_queue:{random.Next()}",
            18 => $"group:{random.Next(1, int.MaxValue)}",
            19 => $"mod_nw_ttl:{random.Next(256)}",
            20 => $"output:NXM_NX_REG{random.Next(16)}{Range(32)}",
            21 => $"set_field:0x{random.NextInt64():x}->tun_id",
            22 => $"controller(reason=no_match,max_len={random.Next(65535)},id={random.Next(1, 65536)})",
            _ => $"load:{random.Next(2)}->NXM_NX_REG{random.Next(16)}[{random.Next(32)}]",
        };

        var result = new List<(string Match, string Actions)>(count);
        for (int i = 0; i < count; i++)
        {
            var actions = Enumerable.Range(0, random.Next(1, 6)).Select(_ => Action()).ToList();
            if (random.Next(4) == 0)
            {
                actions.Add(random.Next(2) == 0 ? "pop_vlan" : "push_vlan:0x8100");
            }

            string text = string.Join(',', actions);
            text = random.Next(5) switch
            {
                0 => $"{text},goto_table:{random.Next(1, 255)}",
                1 => $"{text},write_metadata:0x{random.NextInt64():x}/0x{random.NextInt64():x}",
                2 => $"meter:{random.Next(1, 100)},{text},clear_actions,write_actions(output:{random.Next(1, 99)})",
                _ => text,
            };
            result.Add(("priority=1,ip,dl_vlan=5", text));
        }

        return result;
    }
}
