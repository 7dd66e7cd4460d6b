using System.Text;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Port;

/// <summary>enum ofp_port_config (OpenFlow 1.3.5 §7.2.1).</summary>
[Flags]
public enum PortConfig : uint
{
    None = 0,
    PortDown = 1 << 0,
    NoReceive = 1 << 2,
    NoForward = 1 << 5,
    NoPacketIn = 1 << 6,
}

/// <summary>enum ofp_port_features (OpenFlow 1.3.5 §7.2.1).</summary>
[Flags]
public enum PortFeatures : uint
{
    None = 0,
    Rate10MbHd = 1 << 0,
    Rate10MbFd = 1 << 1,
    Rate100MbHd = 1 << 2,
    Rate100MbFd = 1 << 3,
    Rate1GbHd = 1 << 4,
    Rate1GbFd = 1 << 5,
    Rate10GbFd = 1 << 6,
    Rate40GbFd = 1 << 7,
    Rate100GbFd = 1 << 8,
    Rate1TbFd = 1 << 9,
    Other = 1 << 10,
    Copper = 1 << 11,
    Fiber = 1 << 12,
    AutoNegotiation = 1 << 13,
    Pause = 1 << 14,
    PauseAsymmetric = 1 << 15,
}

/// <summary>OVS's names for port config and feature bits (lib/ofp-port.c, lib/netdev.c).</summary>
public static class PortBits
{
    /// <summary>The config bits OpenFlow 1.1+ defines (OFPPC11_ALL); OVS drops the others when decoding.</summary>
    public const uint KnownConfig = 0x65;

    /// <summary>The 16 feature bits OpenFlow 1.1+ defines; OVS drops the others when decoding.</summary>
    public const uint KnownFeatures = 0xffff;

    private static readonly string[] FeatureNames =
    [
        "10MB-HD", "10MB-FD", "100MB-HD", "100MB-FD", "1GB-HD", "1GB-FD", "10GB-FD", "40GB-FD", "100GB-FD", "1TB-FD",
        "OTHER", "COPPER", "FIBER", "AUTO_NEG", "AUTO_PAUSE", "AUTO_PAUSE_ASYM",
    ];

    public static string? ConfigName(uint bit) => bit switch
    {
        1 => "PORT_DOWN",
        2 => "NO_STP",
        4 => "NO_RECV",
        8 => "NO_RECV_STP",
        0x10 => "NO_FLOOD",
        0x20 => "NO_FWD",
        0x40 => "NO_PACKET_IN",
        _ => null,
    };

    public static string? FeatureName(uint bit)
    {
        int index = System.Numerics.BitOperations.TrailingZeroCount(bit);
        return index < FeatureNames.Length ? FeatureNames[index] : null;
    }

    /// <summary>lib/ofp-port.c ofp_print_port_config: names separated by spaces (or "0"), then a newline.</summary>
    public static void FormatConfig(StringBuilder output, uint config) =>
        ModText.BitNames(output, config & KnownConfig, ConfigName, ' ').Append('\n');

    /// <summary>lib/ofp-port.c ofp_print_port_features: names each followed by a space, then a newline.</summary>
    public static void FormatFeatures(StringBuilder output, uint features)
    {
        ModText.BitNames(output, features & KnownFeatures, FeatureName, ' ');
        output.Append('\n');
    }

    /// <summary>
    /// OVS ofputil_port_from_ofp11: a 32-bit port is a physical port below 0xff00 or a reserved port at or
    /// above OFPP_MAX; anything between has no OpenFlow 1.0 equivalent and is OFPBAC_BAD_OUT_PORT.
    /// </summary>
    public static bool IsValidPort(uint port) => port < 0xff00 || port >= OfpPort.Max;
}

/// <summary>
/// OFPT_PORT_MOD (OpenFlow 1.3.5 §A.3.4.3), body after the header, 32 bytes:
/// <code>
///  0                               4                               8
///  +-------------------------------+-------------------------------+
///  |            port_no            |            pad(4)             |
///  +-------------------------------+---------------+---------------+
///  |                hw_addr (6)                    |    pad(2)     |
///  +-------------------------------+---------------+---------------+
///  |            config             |             mask              |
///  +-------------------------------+-------------------------------+
///  |           advertise           |            pad(4)             |
///  +-------------------------------+-------------------------------+
/// </code>
/// </summary>
public sealed record PortMod : OpenFlowMessage
{
    public const int Length = 32;

    public override OfpType Type => OfpType.PortMod;

    public uint PortNo { get; init; }

    public MacAddress HardwareAddress { get; init; }

    public PortConfig Config { get; init; }

    public PortConfig Mask { get; init; }

    /// <summary>Features to advertise; 0 leaves them unchanged.</summary>
    public PortFeatures Advertise { get; init; }

    public override int BodyLength => Length;

    public override void WriteBody(ref SpanWriter writer)
    {
        writer.WriteUInt32(PortNo);
        writer.WriteZeros(4);
        writer.WriteUInt16((ushort)(HardwareAddress.Value >> 32));
        writer.WriteUInt32((uint)HardwareAddress.Value);
        writer.WriteZeros(2);
        writer.WriteUInt32((uint)Config);
        writer.WriteUInt32((uint)Mask);
        writer.WriteUInt32((uint)Advertise);
        writer.WriteZeros(4);
    }

    /// <summary>OVS ofputil_decode_port_mod: a port number with no OpenFlow 1.0 equivalent is OFPBAC_BAD_OUT_PORT.</summary>
    public static PortMod Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        if (body.Remaining != Length)
        {
            throw new OpenFlowException(OfpError.BadLen, $"port_mod body is {body.Remaining} byte(s), expected {Length}");
        }

        uint port = body.ReadUInt32();
        body.SkipPadding(4);
        ulong mac = ((ulong)body.ReadUInt16() << 32) | body.ReadUInt32();
        body.SkipPadding(2);
        var mod = new PortMod
        {
            Xid = header.Xid,
            PortNo = port,
            HardwareAddress = new MacAddress(mac),
            Config = (PortConfig)body.ReadUInt32(),
            Mask = (PortConfig)body.ReadUInt32(),
            Advertise = (PortFeatures)body.ReadUInt32(),
        };
        body.SkipPadding(4);
        if (!PortBits.IsValidPort(port))
        {
            throw new OpenFlowException(OfpError.BadOutPort, $"port_mod of port {port}");
        }

        return mod;
    }

    /// <summary>ovs-ofctl ofp-print text (lib/ofp-port.c ofputil_port_mod_format).</summary>
    public void Format(StringBuilder output, PortNames names)
    {
        ModText.Header(output, "OFPT_PORT_MOD", Xid).Append(" port: ");
        PortFormat.Append(output, PortNo, names);
        output.Append(": addr:").Append(HardwareAddress.ToString()).Append('\n');
        output.Append("     config: ");
        PortBits.FormatConfig(output, (uint)Config);
        output.Append("     mask:   ");
        PortBits.FormatConfig(output, (uint)Mask);
        output.Append("     advertise: ");
        if (((uint)Advertise & PortBits.KnownFeatures) != 0)
        {
            PortBits.FormatFeatures(output, (uint)Advertise);
        }
        else
        {
            output.Append("UNCHANGED\n");
        }
    }
}
