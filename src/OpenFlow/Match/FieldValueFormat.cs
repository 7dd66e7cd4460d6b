namespace Dvr.OpenFlow.Match;

/// <summary>Value notations of Open vSwitch's field formatter (lib/meta-flow.h enum mf_string).</summary>
public enum FieldValueFormat
{
    Decimal,
    Hexadecimal,
    Ethernet,
    Ipv4,
    Ipv6,

    /// <summary>An OpenFlow 1.1+ port number, printed by name (LOCAL, CONTROLLER, or a port name).</summary>
    Port,

    /// <summary>ip_frag: no, yes, first, later, not_later.</summary>
    Frag,

    /// <summary>tun_flags: oam.</summary>
    TunnelFlags,

    /// <summary>tcp_flags: fin, syn, rst, psh, ack, urg, ece, cwr, ns.</summary>
    TcpFlags,

    /// <summary>ct_state: new, est, rel, rpl, inv, trk, snat, dnat.</summary>
    CtState,
}
