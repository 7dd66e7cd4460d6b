using Dvr.OpenFlow.Errors;

namespace Dvr.OpenFlow.Match;

/// <summary>
/// OXM prerequisites (OpenFlow 1.3.5 §7.2.3.6 table 12; Open vSwitch's mf_are_match_prereqs_fulfilled for the
/// extension fields): a field may appear only when earlier fields pin the packet type, e.g. arp_tpa needs
/// eth_type=0x0806 before it. A violation is OFPBMC_BAD_PREREQ. Open vSwitch checks each field against the
/// ones pulled before it, so order matters on the wire; a built match is in encode order, where every
/// prerequisite comes first.
/// </summary>
public static class MatchPrerequisites
{
    public const ushort EthTypeIpv4 = 0x0800;
    public const ushort EthTypeArp = 0x0806;
    public const ushort EthTypeRarp = 0x8035;
    public const ushort EthTypeIpv6 = 0x86dd;
    public const ushort EthTypeMpls = 0x8847;
    public const ushort EthTypeMplsMulticast = 0x8848;
    public const byte IpProtoIcmp = 1;
    public const byte IpProtoTcp = 6;
    public const byte IpProtoUdp = 17;
    public const byte IpProtoIcmpv6 = 58;
    public const byte IpProtoSctp = 132;

    // ct_state bits (lib/packets.h CS_*).
    private const uint CtNew = 0x01;
    private const uint CtEstablished = 0x02;
    private const uint CtRelated = 0x04;
    private const uint CtReply = 0x08;
    private const uint CtInvalid = 0x10;
    private const uint CtTracked = 0x20;
    private const uint CtSrcNat = 0x40;
    private const uint CtDstNat = 0x80;

    /// <summary>Checks every field of <paramref name="match"/> against the fields before it.</summary>
    public static void Check(Match match)
    {
        var entries = match.Entries;
        for (int i = 0; i < entries.Length; i++)
        {
            if (!Satisfied(entries.AsSpan(0, i), entries[i].Field))
            {
                throw Missing(entries[i].Field);
            }
        }
    }

    /// <summary>Checks that <paramref name="earlier"/> satisfies <paramref name="field"/>'s prerequisites.</summary>
    public static void CheckAgainst(List<OxmEntry> earlier, OxmField field) =>
        CheckAgainst(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(earlier), field);

    /// <summary>Checks that <paramref name="earlier"/> satisfies <paramref name="field"/>'s prerequisites.</summary>
    public static void CheckAgainst(ReadOnlySpan<OxmEntry> earlier, OxmField field)
    {
        if (!Satisfied(earlier, field))
        {
            throw Missing(field);
        }
    }

    /// <summary>True when <paramref name="earlier"/> satisfies <paramref name="field"/>'s prerequisites.</summary>
    /// <remarks>
    /// With <paramref name="strict"/> false, the checks ovs-ofctl skips when it encodes a parsed flow are skipped
    /// too: a later IP fragment does not hide the transport fields and the conntrack tuple fields need no valid
    /// ct_state (OVS keeps them, although it then refuses to decode the result).
    /// </remarks>
    public static bool IsSatisfied(List<OxmEntry> earlier, OxmField field, bool strict = true) =>
        Satisfied(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(earlier), field, strict);

    private static OpenFlowException Missing(OxmField field) =>
        new(OfpError.BadPrereq, $"field {field.Name} is missing its prerequisite ({field.Prerequisite})");

    private static OxmEntry? Find(ReadOnlySpan<OxmEntry> entries, OxmField field)
    {
        foreach (var entry in entries)
        {
            if (ReferenceEquals(entry.Field, field))
            {
                return entry;
            }
        }

        return null;
    }

    private static UInt128? Exact(ReadOnlySpan<OxmEntry> entries, OxmField field) =>
        Find(entries, field) is { HasMask: false } e ? e.Value : null;

    private static bool EthTypeIs(ReadOnlySpan<OxmEntry> entries, ushort a, ushort b) =>
        Exact(entries, OxmFields.EthType) is { } t && (t == a || t == b);

    private static bool IpAny(ReadOnlySpan<OxmEntry> entries) => EthTypeIs(entries, EthTypeIpv4, EthTypeIpv6);

    private static bool ProtoIs(ReadOnlySpan<OxmEntry> entries, byte proto) =>
        Exact(entries, OxmFields.IpProto) is { } p && p == proto;

    private static bool Icmpv6(ReadOnlySpan<OxmEntry> entries) =>
        EthTypeIs(entries, EthTypeIpv6, EthTypeIpv6) && ProtoIs(entries, IpProtoIcmpv6);

    /// <summary>lib/flow.h is_nd: ICMPv6 type 135 or 136 with code 0 (a wildcarded code reads as 0).</summary>
    private static bool NeighborDiscovery(ReadOnlySpan<OxmEntry> entries, uint? type = null)
    {
        if (!Icmpv6(entries) || Exact(entries, OxmFields.Icmpv6Type) is not { } t)
        {
            return false;
        }

        bool codeZero = Find(entries, OxmFields.Icmpv6Code) is not { } code || code.Value == 0;
        return codeZero && (type is null ? t == 135 || t == 136 : t == type.Value);
    }

    /// <summary>lib/flow.h is_ct_valid with a mask: a state bit implying a valid entry, or an explicit -inv with +trk.</summary>
    private static bool CtValid(ReadOnlySpan<OxmEntry> entries)
    {
        if (Find(entries, OxmFields.CtState) is not { } state)
        {
            return false;
        }

        var value = state.Value;
        var mask = state.Mask;
        return (value & (CtNew | CtEstablished | CtRelated | CtReply | CtSrcNat | CtDstNat)) != 0
            || ((value & CtTracked) != 0 && (mask & CtInvalid) != 0 && (value & CtInvalid) == 0);
    }

    /// <summary>
    /// lib/flow.h: a later fragment (ip_frag bit 1 set) carries no transport header, so OVS's TCP/UDP/SCTP
    /// prerequisites fail for it.
    /// </summary>
    private static bool LaterFragment(ReadOnlySpan<OxmEntry> entries) =>
        Find(entries, OxmFields.IpFrag) is { } frag && (frag.Value & 0x2) != 0;

    private static bool Satisfied(ReadOnlySpan<OxmEntry> earlier, OxmField field, bool strict = true)
    {
        if (!strict && field.Prerequisite is FieldPrerequisite.CtValid or FieldPrerequisite.CtValidIpv4 or FieldPrerequisite.CtValidIpv6)
        {
            return true;
        }

        // Only the port-carrying protocols: OVS's ICMP and ND prerequisites do not look at ip_frag.
        bool transport = field.Prerequisite is FieldPrerequisite.Tcp or FieldPrerequisite.Udp or FieldPrerequisite.Sctp;
        if (transport && strict && LaterFragment(earlier))
        {
            return false;
        }

        return SatisfiedIgnoringFragments(earlier, field);
    }

    private static bool SatisfiedIgnoringFragments(ReadOnlySpan<OxmEntry> earlier, OxmField field) => field.Prerequisite switch
    {
        FieldPrerequisite.None => true,
        FieldPrerequisite.InPort => Find(earlier, OxmFields.InPort) is not null,
        FieldPrerequisite.VlanPresent => Find(earlier, OxmFields.VlanVid) is { } v && (v.Value & 0x1000) != 0,
        FieldPrerequisite.Mpls => EthTypeIs(earlier, EthTypeMpls, EthTypeMplsMulticast),
        FieldPrerequisite.Ipv4 => EthTypeIs(earlier, EthTypeIpv4, EthTypeIpv4),
        FieldPrerequisite.Ipv6 => EthTypeIs(earlier, EthTypeIpv6, EthTypeIpv6),
        FieldPrerequisite.IpAny => IpAny(earlier),
        FieldPrerequisite.Arp => EthTypeIs(earlier, EthTypeArp, EthTypeRarp),
        FieldPrerequisite.Tcp => IpAny(earlier) && ProtoIs(earlier, IpProtoTcp),
        FieldPrerequisite.Udp => IpAny(earlier) && ProtoIs(earlier, IpProtoUdp),
        FieldPrerequisite.Sctp => IpAny(earlier) && ProtoIs(earlier, IpProtoSctp),
        FieldPrerequisite.Icmpv4 => EthTypeIs(earlier, EthTypeIpv4, EthTypeIpv4) && ProtoIs(earlier, IpProtoIcmp),
        FieldPrerequisite.Icmpv6 => Icmpv6(earlier),
        FieldPrerequisite.NeighborDiscovery => NeighborDiscovery(earlier),
        FieldPrerequisite.NeighborSolicit => NeighborDiscovery(earlier, 135),
        FieldPrerequisite.NeighborAdvert => NeighborDiscovery(earlier, 136),
        FieldPrerequisite.CtValidIpv4 => CtValid(earlier) && EthTypeIs(earlier, EthTypeIpv4, EthTypeIpv4),
        FieldPrerequisite.CtValidIpv6 => CtValid(earlier) && EthTypeIs(earlier, EthTypeIpv6, EthTypeIpv6),
        FieldPrerequisite.CtValid => CtValid(earlier),
        _ => false,
    };
}
