using System.Collections.Immutable;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Match;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Messages.Bundle;
using Dvr.OpenFlow.Messages.Flow;
using Dvr.OpenFlow.Messages.Multipart;
using Dvr.OpenFlow.Messages.Packet;
using Dvr.OpenFlow.Messages.Port;
using Dvr.OpenFlow.Messages.Switch;
using Dvr.OpenFlow.Messages.Symmetric;

namespace Dvr.OpenFlow.Tests.Messages;

/// <summary>Sample messages of every family this codec implements, built with our encoder.</summary>
internal static class MessageCorpus
{
    /// <summary>Frames compose-packet cannot make: odd shapes the packet formatter must still print as OVS does.</summary>
    private static readonly string[] HandBuiltFrames =
    [
        // QinQ: 802.1ad outer tag 100, 802.1Q inner tag 5 pcp 3, then ARP.
        "ffffffffffff02000000000188a8006481006005080600010800060400010200000000010a0000010000000000000a000002",
        // 802.2 LLC without SNAP (STP BPDU).
        "0180c20000000200000000010026424203000000000080000200000000010000000080000200000000018001000014000200010000",
        // 802.2 SNAP carrying IPv4 type but nothing behind it.
        "0180c20000000200000000010008aaaa030000000800",
        // Shorter than an Ethernet header.
        "0102030405060708",
        // IPv4 header cut short (only 10 bytes).
        "020000000002020000000001080045000014000000004006",
        // IPv4 later fragment of UDP (offset 185), no L4 parsed.
        "02000000000202000000000108004500001c000100b94011500001020304050607080001000200080000",
        // IPv4 with options (IHL 6) and TCP SYN.
        "0200000000020200000000010800460000300000400040060000c0a80001c0a80002010100000400005000000001000000006002ffff00000000",
        // IPv6 with a hop-by-hop header then UDP.
        "02000000000202000000000186dd6000000000100001fe800000000000000000000000000001ff0200000000000000000000000000011100000000000000022302220008abcd",
        // IPv6 first fragment of TCP.
        "02000000000202000000000186dd6000000000200040fe800000000000000000000000000001fe800000000000000000000000000002060000010000abcd0050005000000000000000005002200000000000",
        // TCP with a bad data offset (below 5 words).
        "0200000000020200000000010800450000280000000040060000010101010202020200500050000000000000000030020000abcd0000",
        // ARP with a non-Ethernet hardware type.
        "ffffffffffff02000000000108060006080006040001020000000001010101010000000000000202020202",
    ];

    /// <summary>Ethernet frames composed by ovs-ofctl compose-packet (run once per test run).</summary>
    private static readonly Lazy<IReadOnlyList<byte[]>> Packets = new(() =>
    [
        .. new[]
        {
            "arp,dl_src=00:23:20:83:c1:5f,dl_dst=ff:ff:ff:ff:ff:ff,arp_op=1,arp_spa=10.0.0.1,arp_tpa=10.0.0.2,arp_sha=00:23:20:83:c1:5f",
            "icmp,dl_src=fa:16:3e:00:00:01,dl_dst=fa:16:3e:00:00:02,nw_src=10.0.0.1,nw_dst=10.0.0.2,icmp_type=8,nw_ttl=64",
            "tcp,dl_vlan=5,dl_vlan_pcp=3,nw_src=10.0.0.1,nw_dst=10.0.0.2,tp_src=1234,tp_dst=80,nw_tos=32,nw_ttl=9,tcp_flags=0x012",
            "udp6,ipv6_src=fe80::1,ipv6_dst=ff02::1,udp_src=546,udp_dst=547",
            "udp,nw_src=1.2.3.4,nw_dst=5.6.7.8,nw_frag=first,udp_src=1,udp_dst=2,nw_tos=3",
            "ipv6,ipv6_src=::1,ipv6_dst=2001:db8::2,ipv6_label=5,nw_proto=59",
            "eth_type=0x88cc,dl_src=02:00:00:00:00:01",
            "icmp6,ipv6_src=fe80::1,ipv6_dst=ff02::1,icmpv6_type=135,icmpv6_code=0,nd_target=fe80::2,nd_sll=02:00:00:00:00:01",
            "icmp6,ipv6_src=fe80::1,ipv6_dst=ff02::1,icmpv6_type=128,icmpv6_code=0",
            "sctp,nw_src=1.1.1.1,nw_dst=2.2.2.2,sctp_src=5,sctp_dst=6",
        }.Select(flow => MessageOracle.ParseHexDump(MessageOracle.Run("compose-packet", flow))),
        .. HandBuiltFrames.Select(Convert.FromHexString),
    ]);


    public static IReadOnlyList<byte[]> ComposedPackets => Packets.Value;

    public static PortDescription Port(uint number, string name) => new()
    {
        PortNumber = number,
        HardwareAddress = MacAddress.Parse("fa:16:3e:00:00:" + (number & 0xff).ToString("x2", System.Globalization.CultureInfo.InvariantCulture)),
        Name = name,
        Config = number % 2 == 0 ? PortConfig.PortDown | PortConfig.NoPacketIn : PortConfig.None,
        State = number % 3 == 0 ? PortState.LinkDown : PortState.Live,
        Current = number == 1 ? PortFeatures.Rate10GbFd | PortFeatures.Copper : PortFeatures.None,
        Advertised = number == 1 ? PortFeatures.Rate1GbFd | PortFeatures.AutoNegotiation : PortFeatures.None,
        Supported = number == 1 ? PortFeatures.Rate10MbHd | PortFeatures.PauseAsymmetric : PortFeatures.None,
        Peer = number == 1 ? PortFeatures.Other | PortFeatures.Fiber : PortFeatures.None,
        CurrentSpeedKbps = number == 1 ? 10_000_000u : 0,
        MaxSpeedKbps = 1234,
    };

    /// <summary>A match from ovs-ofctl match text ("dl_vlan=5,ip,nw_dst=10.0.0.0/24").</summary>
    private static Dvr.OpenFlow.Match.Match M(string text) => Dvr.OpenFlow.Text.MatchText.Parse(
        [.. text.Split(',').Select(part => part.Split('=', 2)).Select(kv => new KeyValuePair<string, string?>(kv[0], kv.Length > 1 ? kv[1] : null))],
        Dvr.OpenFlow.Text.PortNames.None);

    private static InstructionList Output(uint port) =>
        new(new ApplyActionsInstruction(new ActionList(new OutputAction(port))));

    public static IEnumerable<OpenFlowMessage> All()
    {
        uint xid = 1;
        yield return Hello.OpenFlow13Only(xid++);
        yield return new Hello { Xid = xid++ };
        yield return new Hello { Xid = xid++, VersionBitmap = [0x12] };
        yield return new EchoRequest { Xid = xid++ };
        yield return new EchoRequest { Xid = xid++, Data = ByteData.FromHex("6162630001ff") };
        yield return new EchoReply { Xid = xid++, Data = ByteData.FromHex("000102030405060708090a0b0c0d0e0f1011") };
        yield return new FeaturesRequest { Xid = xid++ };
        yield return new FeaturesReply
        {
            Xid = xid++,
            DatapathId = 0x0000000000000101,
            BufferCount = 0,
            TableCount = 254,
            Capabilities = SwitchCapabilities.FlowStats | SwitchCapabilities.TableStats | SwitchCapabilities.PortStats
                | SwitchCapabilities.GroupStats | SwitchCapabilities.QueueStats,
        };
        yield return new FeaturesReply { Xid = xid++, DatapathId = ulong.MaxValue, BufferCount = 256, TableCount = 1, AuxiliaryId = 3, Capabilities = SwitchCapabilities.IpReassembly | SwitchCapabilities.PortBlocked };
        yield return new FeaturesReply { Xid = xid++ };
        yield return new GetConfigRequest { Xid = xid++ };
        yield return new GetConfigReply { Xid = xid++, Flags = 0, MissSendLength = 128 };
        yield return new SetConfig { Xid = xid++, Flags = 1, MissSendLength = SwitchConfigMessage.NoBuffer };
        yield return new SetConfig { Xid = xid++, Flags = 2, MissSendLength = 0 };
        yield return new BarrierRequest { Xid = xid++ };
        yield return new BarrierReply { Xid = xid++ };
        yield return new RoleRequest { Xid = xid++, Role = ControllerRole.Primary, GenerationId = 7 };
        yield return new RoleRequest { Xid = xid++, Role = ControllerRole.NoChange, GenerationId = 3 };
        yield return new RoleReply { Xid = xid++, Role = ControllerRole.Secondary, GenerationId = ulong.MaxValue };
        yield return new RoleReply { Xid = xid++, Role = ControllerRole.Equal, GenerationId = 0 };
        yield return new PortStatus { Xid = xid++, Reason = PortStatusReason.Add, Port = Port(1, "tapvm11") };
        yield return new PortStatus { Xid = xid++, Reason = PortStatusReason.Delete, Port = Port(2, "qr-net1") };
        yield return new PortStatus { Xid = xid++, Reason = PortStatusReason.Modify, Port = Port(0xfffffffe, "br-int") };
        yield return new PortStatus { Xid = xid++, Reason = PortStatusReason.Modify, Port = Port(6, "a-very-long-port-name") };
        yield return new ErrorMessage { Xid = xid++, Error = OfpError.BadOutGroup, Data = ByteData.Copy(new BarrierRequest { Xid = xid }.ToBytes()) };
        yield return new ErrorMessage { Xid = xid++, Error = OfpError.HelloIncompatible, Data = ByteData.Copy("no common version\n"u8) };
        yield return new ErrorMessage { Xid = xid++, Error = OfpError.BundleMessageConflict, Data = ByteData.Copy(new EchoRequest { Xid = 9 }.ToBytes()) };
        yield return new ErrorMessage { Xid = xid++, Error = OfpError.BadLen };
        yield return new ErrorMessage { Xid = xid++, Error = OfpError.BadType, Data = ByteData.FromHex("0401") };
        yield return new ErrorMessage { Xid = xid++, Error = OfpError.BadMatchType, Data = ByteData.FromHex("040e00500000000100") };
        yield return new ErrorMessage { Xid = xid++, Error = new OfpError(OfpErrorType.Experimenter, 2600, OfpError.OnfExperimenter), Data = ByteData.Copy(new FeaturesRequest { Xid = 4 }.ToBytes()) };
        yield return new ErrorMessage { Xid = xid++, Error = new OfpError(OfpErrorType.Experimenter, 2, OfpError.NiciraExperimenter) };
        yield return new FlowMod { Xid = xid++, TableId = 3, Priority = 7, Match = new MatchBuilder().InPort(5).Build(), Instructions = Output(OfpPort.Normal) };
        yield return new FlowMod
        {
            Xid = xid++,
            Command = FlowModCommand.Add,
            Cookie = 0xabc,
            IdleTimeout = 10,
            HardTimeout = 20,
            Flags = FlowModFlags.SendFlowRemoved | FlowModFlags.CheckOverlap | FlowModFlags.ResetCounts | FlowModFlags.NoPacketCounts | FlowModFlags.NoByteCounts,
            Instructions = Output(3),
        };
        yield return new FlowMod { Xid = xid++, Command = FlowModCommand.Modify, Cookie = 0x10, CookieMask = 0xff, Priority = 0, Instructions = new InstructionList(new GotoTableInstruction(4)) };
        yield return new FlowMod { Xid = xid++, Command = FlowModCommand.ModifyStrict, BufferId = 0x55, OutPort = 3, Instructions = InstructionList.Drop };
        yield return new FlowMod { Xid = xid++, Command = FlowModCommand.Add, Cookie = ulong.MaxValue, CookieMask = 5, BufferId = 0, OutPort = 3 };
        yield return new FlowMod { Xid = xid++, Command = FlowModCommand.Delete, TableId = FlowMod.AllTables, OutPort = 7, OutGroup = 9, Cookie = 1, CookieMask = ulong.MaxValue };
        yield return new FlowMod { Xid = xid++, Command = FlowModCommand.DeleteStrict, TableId = 2, Priority = 100, Match = new MatchBuilder().InPort(OfpPort.Local).Build() };
        yield return new FlowRemoved { Xid = xid++, Cookie = 0x1, Priority = 9, Reason = FlowRemovedReason.IdleTimeout, TableId = 3, DurationSeconds = 5, DurationNanoseconds = 500_000_000, IdleTimeout = 5, PacketCount = 3, ByteCount = 180, Match = new MatchBuilder().InPort(2).Build() };
        yield return new FlowRemoved { Xid = xid++, Reason = FlowRemovedReason.HardTimeout, TableId = 0, DurationSeconds = 1, DurationNanoseconds = 1, HardTimeout = 9, Priority = 0x8000 };
        yield return new FlowRemoved { Xid = xid++, Reason = FlowRemovedReason.Delete, TableId = 255, DurationNanoseconds = 123_450_000, IdleTimeout = 1, HardTimeout = 2 };
        yield return new FlowRemoved { Xid = xid++, Reason = FlowRemovedReason.GroupDelete, TableId = 1 };
        foreach (var packet in ComposedPackets)
        {
            yield return new PacketIn { Xid = xid++, TotalLength = (ushort)packet.Length, Reason = PacketInReason.Action, Match = new MatchBuilder().InPort(OfpPort.Controller).Build(), Data = ByteData.Copy(packet) };
            yield return new PacketOut { Xid = xid++, InPort = 1, Actions = new ActionList(new OutputAction(2), new OutputAction(OfpPort.Flood)), Data = ByteData.Copy(packet) };
        }

        yield return new PacketIn { Xid = xid++, BufferId = 0x100, TotalLength = 1000, Reason = PacketInReason.NoMatch, TableId = 4, Cookie = 0xfeed, Match = new MatchBuilder().InPort(7).Build(), Data = ByteData.Copy(ComposedPackets[0]) };
        yield return new PacketIn { Xid = xid++, TotalLength = 1000, Reason = PacketInReason.InvalidTtl, Cookie = 0, Match = new MatchBuilder().InPort(7).Build(), Data = ByteData.Copy(ComposedPackets[1]) };
        yield return new PacketOut { Xid = xid++, BufferId = 0x77, InPort = OfpPort.Controller, Actions = new ActionList(new OutputAction(OfpPort.Table)) };
        yield return new PacketOut { Xid = xid++, InPort = OfpPort.Local, Data = ByteData.Copy(ComposedPackets[2]) };
        yield return new MultipartRequest { Xid = xid++, Body = new PortDescRequest() };
        yield return new MultipartReply { Xid = xid++, Body = new PortDescReply { Ports = [Port(0xfffffffe, "br-int"), Port(12, "tapvm12"), Port(1, "patch-tun"), Port(11, "tapvm11")] } };
        yield return new MultipartReply { Xid = xid++, Flags = MultipartFlags.More, Body = new PortDescReply() };
        yield return new MultipartRequest { Xid = xid++, Body = new FlowStatsRequest() };
        yield return new MultipartRequest { Xid = xid++, Body = new FlowStatsRequest { TableId = 3, OutPort = 2, OutGroup = 5, Cookie = 0x10, CookieMask = 0xff, Match = new MatchBuilder().InPort(4).Build() } };
        yield return new MultipartRequest { Xid = xid++, Body = new AggregateStatsRequest { TableId = 0 } };
        yield return new MultipartReply { Xid = xid++, Body = new AggregateStatsReply { PacketCount = 5, ByteCount = 1000, FlowCount = 3 } };
        yield return new MultipartReply
        {
            Xid = xid++,
            Flags = MultipartFlags.More,
            Body = new FlowStatsReply
            {
                Entries =
                [
                    new FlowStatsEntry { TableId = 0, DurationSeconds = 0, DurationNanoseconds = 93_000_000, Priority = 10, Match = new MatchBuilder().InPort(1).Build(), Instructions = Output(2) },
                    new FlowStatsEntry { TableId = 1, DurationSeconds = 12, DurationNanoseconds = 5, Priority = 0x8000, Cookie = 0xabcdef, PacketCount = 9, ByteCount = 999, IdleTimeout = 30, HardTimeout = 60, Flags = FlowModFlags.SendFlowRemoved | FlowModFlags.NoByteCounts },
                    new FlowStatsEntry { TableId = 2, Priority = 0, Instructions = new InstructionList(new GotoTableInstruction(3)) },
                ],
            },
        };
        yield return new MultipartReply { Xid = xid++, Body = new FlowStatsReply() };
        yield return new BundleControl { Xid = xid++, BundleId = 0, ControlType = BundleControlType.OpenRequest, Flags = BundleFlags.Atomic | BundleFlags.Ordered };
        var inner = new FlowMod { Xid = xid, TableId = 1, Priority = 2, Match = new MatchBuilder().InPort(5).Build(), Instructions = Output(6) };
        yield return new BundleAddMessage { Xid = xid++, BundleId = 0, Flags = BundleFlags.Atomic | BundleFlags.Ordered, Message = inner };
        yield return new BundleAddMessage { Xid = xid++, BundleId = 0x1234, Message = new PacketOut { Xid = xid - 1, InPort = 1, Actions = new ActionList(new OutputAction(2)), Data = ByteData.Copy(ComposedPackets[0]) } };
        foreach (var type in Enum.GetValues<BundleControlType>())
        {
            yield return new BundleControl { Xid = xid++, BundleId = 5, ControlType = type, Flags = BundleFlags.Ordered };
        }

        yield return new FlowMod { Xid = xid++, TableId = 1, Priority = 2, Match = M("dl_vlan=5,dl_src=fa:16:3e:00:00:01"), Instructions = Output(9) };
        yield return new FlowMod { Xid = xid++, Command = FlowModCommand.DeleteStrict, Priority = 3, Match = M("arp,dl_vlan=1,arp_tpa=10.0.1.1") };
        yield return new FlowMod { Xid = xid++, Match = M("tun_id=0x3e9,metadata=0x5/0xff,reg0=7,ipv6,ipv6_dst=2001:db8::/32,nw_proto=58") };
        yield return new FlowRemoved { Xid = xid++, Priority = 4, TableId = 1, Reason = FlowRemovedReason.Delete, Match = M("tcp,nw_src=10.0.0.1,tp_dst=80") };
        yield return new MultipartRequest { Xid = xid++, Body = new FlowStatsRequest { TableId = 1, Match = M("dl_vlan=5") } };
        yield return new MultipartReply { Xid = xid++, Body = new FlowStatsReply { Entries = [new FlowStatsEntry { TableId = 4, Priority = 1, Match = M("tun_id=0x3e9"), Instructions = Output(1) }] } };
        yield return new PacketIn { Xid = xid++, TotalLength = 42, Reason = PacketInReason.NoMatch, TableId = 2, Cookie = 0x5, Match = M("tun_id=0x3e9,metadata=0x7,reg2=9,in_port=3"), Data = ByteData.Copy(ComposedPackets[0]) };
        yield return new Dvr.OpenFlow.Messages.Table.TableMod { Xid = xid++, TableId = 3 };
        yield return new MultipartRequest { Xid = xid++, MultipartType = MultipartType.Desc, Body = new DescRequest() };
        yield return new ExperimenterMessage { Xid = xid++, Experimenter = 0x00aabbcc, ExperimenterType = 1, Data = ByteData.FromHex("0102") };
    }

    public static ImmutableArray<byte[]> AllBytes() => [.. All().Select(m => m.ToBytes())];
}
