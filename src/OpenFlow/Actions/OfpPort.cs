namespace Dvr.OpenFlow.Actions;

/// <summary>Reserved port numbers (OpenFlow 1.3.5 §7.2.1, enum ofp_port_no).</summary>
public static class OfpPort
{
    public const uint Max = 0xffffff00;
    public const uint InPort = 0xfffffff8;
    public const uint Table = 0xfffffff9;
    public const uint Normal = 0xfffffffa;
    public const uint Flood = 0xfffffffb;
    public const uint All = 0xfffffffc;
    public const uint Controller = 0xfffffffd;
    public const uint Local = 0xfffffffe;
    public const uint Any = 0xffffffff;

    /// <summary>OVS's name for a reserved port (lib/ofp-port.c), or null for an ordinary port number.</summary>
    public static string? ReservedName(uint port) => port switch
    {
        InPort => "IN_PORT",
        Table => "TABLE",
        Normal => "NORMAL",
        Flood => "FLOOD",
        All => "ALL",
        Controller => "CONTROLLER",
        Local => "LOCAL",
        Any => "ANY",
        _ => null,
    };
}
