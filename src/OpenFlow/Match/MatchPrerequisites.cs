using Dvr.OpenFlow.Errors;

namespace Dvr.OpenFlow.Match;

/// <summary>
/// OXM prerequisites (OpenFlow 1.3.5 §7.2.3.6 table 12): a field may appear only when the fields it depends
/// on pin the packet type, e.g. arp_tpa needs eth_type=0x0806. A violation is OFPBMC_BAD_PREREQ.
/// </summary>
public static class MatchPrerequisites
{
    private const ushort EthTypeIpv4 = 0x0800;
    private const ushort EthTypeArp = 0x0806;
    private const ushort EthTypeIpv6 = 0x86dd;
    private const byte IpProtoIcmpv6 = 58;

    public static void Check(Match match)
    {
        foreach (var entry in match.Entries)
        {
            if (!Satisfied(match, entry.Field))
            {
                throw new OpenFlowException(OfpError.BadPrereq, $"field {entry.Field.Name} is missing its prerequisites");
            }
        }
    }

    private static bool EthTypeIs(Match match, ushort ethType) =>
        match.Get(OxmFields.EthType) is { } e && e.Value == ethType;

    private static bool IpProtoIs(Match match, byte proto) =>
        match.Get(OxmFields.IpProto) is { } e && e.Value == proto;

    private static bool Satisfied(Match match, OxmField field)
    {
        if (field == OxmFields.Ipv4Src || field == OxmFields.Ipv4Dst)
        {
            return EthTypeIs(match, EthTypeIpv4);
        }

        if (field == OxmFields.Ipv6Src || field == OxmFields.Ipv6Dst)
        {
            return EthTypeIs(match, EthTypeIpv6);
        }

        if (field == OxmFields.IpProto)
        {
            return EthTypeIs(match, EthTypeIpv4) || EthTypeIs(match, EthTypeIpv6);
        }

        if (field == OxmFields.ArpOp || field == OxmFields.ArpSpa || field == OxmFields.ArpTpa
            || field == OxmFields.ArpSha || field == OxmFields.ArpTha)
        {
            return EthTypeIs(match, EthTypeArp);
        }

        if (field == OxmFields.Icmpv6Type || field == OxmFields.Icmpv6Code)
        {
            return EthTypeIs(match, EthTypeIpv6) && IpProtoIs(match, IpProtoIcmpv6);
        }

        if (field == OxmFields.Ipv6NdTarget)
        {
            var type = match.Get(OxmFields.Icmpv6Type);
            return EthTypeIs(match, EthTypeIpv6) && IpProtoIs(match, IpProtoIcmpv6) && type is { } t && (t.Value == 135 || t.Value == 136);
        }

        if (field == OxmFields.VlanPcp)
        {
            // vlan_pcp requires a VLAN to be present (vlan_vid != NONE).
            return match.Get(OxmFields.VlanVid) is { } v && (v.Value & 0x1000) != 0;
        }

        return true;
    }
}
