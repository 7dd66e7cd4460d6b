using System.Net;
using System.Net.Sockets;
using Dvr.DvrFlows.Topology;
using Dvr.OpenFlow;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Match;

namespace Dvr.DvrFlows.Compiler;

/// <summary>Small pieces the builders share: VLAN matches of a network, actions, address helpers.</summary>
internal static class FlowHelpers
{
    /// <summary>OFPVID_PRESENT (OpenFlow 1.3.5 §7.2.3.8): set in vlan_vid values of tagged frames.</summary>
    public const ushort VlanPresent = 0x1000;

    /// <summary>Neutron's dead VLAN (ovs_constants.DEAD_VLAN_TAG).</summary>
    public const ushort DeadVlan = 4095;

    public const ushort EtherTypeVlan = 0x8100;

    public const byte IpProtoIcmpv6 = 58;

    /// <summary>ICMPv6 router advertisement (RFC 4861 §4.2).</summary>
    public const byte Icmpv6RouterAdvertisement = 134;

    /// <summary>ICMPv6 neighbour advertisement (RFC 4861 §4.4).</summary>
    public const byte Icmpv6NeighborAdvertisement = 136;

    public const ushort ArpReply = 2;

    public const ushort EtherTypeIpv6 = 0x86dd;

    public static MatchBuilder Match() => new();

    // Entries for MatchBuilder.Of, the builder-free path of the per-host flows: the same values the
    // MatchBuilder shorthands put in (VlanVid sets OFPVID_PRESENT, Arp is eth_type 0x0806).
    public static OxmEntry InPortIs(uint port) => OxmEntry.Exact(OxmFields.InPort, port);

    public static OxmEntry EthSrcIs(MacAddress mac) => OxmEntry.Exact(OxmFields.EthSrc, mac.Value);

    public static OxmEntry EthDstIs(MacAddress mac) => OxmEntry.Exact(OxmFields.EthDst, mac.Value);

    public static OxmEntry VlanIs(int vlan) => OxmEntry.Exact(OxmFields.VlanVid, VlanPresent | (uint)(ushort)vlan);

    public static OxmEntry IsArp => OxmEntry.Exact(OxmFields.EthType, 0x0806);

    public static OxmEntry IsIpv6 => OxmEntry.Exact(OxmFields.EthType, EtherTypeIpv6);

    public static OxmEntry IsIcmpv6 => OxmEntry.Exact(OxmFields.IpProto, IpProtoIcmpv6);

    public static OxmEntry Icmpv6TypeIs(byte type) => OxmEntry.Exact(OxmFields.Icmpv6Type, type);

    /// <summary>icmp6 (eth_type 0x86dd, ip_proto 58) with the given type.</summary>
    public static MatchBuilder Icmpv6(this MatchBuilder match, byte type) =>
        match.EthType(EtherTypeIpv6).IpProto(IpProtoIcmpv6).Icmpv6Type(type);

    /// <summary>
    /// Frames of <paramref name="network"/> as they arrive on br-int from its physical bridge: the provider VLAN
    /// tag (dl_vlan=SEG), or untagged for flat (vlan_tci=0x0000/0x1fff).
    /// </summary>
    public static MatchBuilder ProviderVlan(this MatchBuilder match, Network network) =>
        network.Type == NetworkType.Flat ? match.NoVlan() : match.VlanVid(checked((ushort)network.SegmentationId!.Value));

    public static SetFieldAction SetVlan(int vlan) => new(OxmFields.VlanVid, (uint)(VlanPresent | vlan));

    public static SetFieldAction SetEthSrc(MacAddress mac) => new(OxmFields.EthSrc, mac.Value);

    public static SetFieldAction SetEthDst(MacAddress mac) => new(OxmFields.EthDst, mac.Value);

    public static SetFieldAction SetTunnelId(ulong id) => new(OxmFields.TunnelId, id);

    /// <summary>output:PORT; actions are immutable, so the low port numbers (every flood list repeats them) share one object each.</summary>
    public static OutputAction Output(uint port)
    {
        if (port >= (uint)OutputByPort.Length)
        {
            return new(port);
        }

        return Volatile.Read(ref OutputByPort[port]) ?? Interlocked.CompareExchange(ref OutputByPort[port], new(port), null) ?? OutputByPort[port]!;
    }

    private static readonly OutputAction?[] OutputByPort = new OutputAction?[4096];

    // Actions are immutable records: one object each, not one per flow (pop_vlan is in every l2pop and delivery flow).
    public static OutputAction Normal { get; } = new(OfpPort.Normal);

    public static OutputAction InPort { get; } = new(OfpPort.InPort);

    public static PushVlanAction PushVlan { get; } = new(EtherTypeVlan);

    public static PopVlanAction PopVlan { get; } = new();

    public static bool IsIpv4(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork;

    /// <summary>The EUI-64 IPv6 link-local address of a MAC (RFC 4291 App. A): fa:16:3e:00:01:10 → fe80::f816:3eff:fe00:110.</summary>
    public static IPAddress LinkLocal(MacAddress mac)
    {
        var bytes = new byte[16];
        bytes[0] = 0xfe;
        bytes[1] = 0x80;
        ulong v = mac.Value;
        bytes[8] = (byte)((v >> 40) ^ 0x02);
        bytes[9] = (byte)(v >> 32);
        bytes[10] = (byte)(v >> 24);
        bytes[11] = 0xff;
        bytes[12] = 0xfe;
        bytes[13] = (byte)(v >> 16);
        bytes[14] = (byte)(v >> 8);
        bytes[15] = (byte)v;
        return new IPAddress(bytes);
    }

    /// <summary>Value and mask of a prefix as a right-aligned number (for arp_spa / nd_target matches).</summary>
    public static (UInt128 Value, UInt128 Mask) PrefixValue(IpPrefix prefix)
    {
        var bytes = prefix.Address.GetAddressBytes();
        UInt128 value = 0;
        foreach (byte b in bytes)
        {
            value = (value << 8) | b;
        }

        int bits = bytes.Length * 8;
        UInt128 all = bits == 128 ? UInt128.MaxValue : (UInt128.One << bits) - 1;
        UInt128 mask = prefix.PrefixLength == 0 ? 0 : all & ~((UInt128.One << (bits - prefix.PrefixLength)) - 1);
        return (value & mask, mask);
    }

    public static bool IsHostPrefix(IpPrefix prefix) => prefix.PrefixLength == (prefix.IsIpv6 ? 128 : 32);
}
