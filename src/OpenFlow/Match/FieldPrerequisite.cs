namespace Dvr.OpenFlow.Match;

/// <summary>
/// A field's prerequisite (OpenFlow 1.3.5 §7.2.3.6 table 12 for the standard fields, Open vSwitch's
/// enum mf_prereqs for the extension fields). Checked in wire order: the prerequisite must come earlier.
/// </summary>
public enum FieldPrerequisite
{
    None,

    /// <summary>in_phy_port needs in_port.</summary>
    InPort,

    /// <summary>vlan_pcp needs vlan_vid with OFPVID_PRESENT.</summary>
    VlanPresent,

    /// <summary>eth_type 0x8847 or 0x8848.</summary>
    Mpls,

    /// <summary>eth_type 0x0800.</summary>
    Ipv4,

    /// <summary>eth_type 0x86dd.</summary>
    Ipv6,

    /// <summary>eth_type 0x0800 or 0x86dd.</summary>
    IpAny,

    /// <summary>eth_type 0x0806 or 0x8035 (RARP).</summary>
    Arp,

    /// <summary>IPv4 or IPv6 with ip_proto 6.</summary>
    Tcp,

    /// <summary>IPv4 or IPv6 with ip_proto 17.</summary>
    Udp,

    /// <summary>IPv4 or IPv6 with ip_proto 132.</summary>
    Sctp,

    /// <summary>IPv4 with ip_proto 1.</summary>
    Icmpv4,

    /// <summary>IPv6 with ip_proto 58.</summary>
    Icmpv6,

    /// <summary>ICMPv6 type 135 or 136 (code 0 if matched).</summary>
    NeighborDiscovery,

    /// <summary>ICMPv6 type 135.</summary>
    NeighborSolicit,

    /// <summary>ICMPv6 type 136.</summary>
    NeighborAdvert,

    /// <summary>A valid conntrack entry (ct_state +trk with a state bit, or -inv) on IPv4 (OVS MFP_CT_VALID + IPv4).</summary>
    CtValidIpv4,

    /// <summary>A valid conntrack entry on IPv6.</summary>
    CtValidIpv6,

    /// <summary>A valid conntrack entry (ct_nw_proto, ct_tp_src, ct_tp_dst).</summary>
    CtValid,
}
