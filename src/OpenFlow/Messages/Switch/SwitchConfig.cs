using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Switch;

/// <summary>IP fragment handling, the low two bits of ofp_config_flags (OpenFlow 1.3.5 §A.3.2).</summary>
public enum FragmentHandling : ushort
{
    Normal = 0,
    Drop = 1,
    Reassemble = 2,

    /// <summary>OVS's extension value 3 (OFPUTIL_FRAG_NX_MATCH).</summary>
    NxMatch = 3,
}

/// <summary>OFPT_GET_CONFIG_REQUEST (OpenFlow 1.3.5 §A.3.2): header only.</summary>
public sealed record GetConfigRequest : OpenFlowMessage
{
    public override OfpType Type => OfpType.GetConfigRequest;

    public override int BodyLength => 0;

    public override void WriteBody(ref SpanWriter writer)
    {
    }

    public static GetConfigRequest Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        _ = body;
        _ = mode;
        return new GetConfigRequest { Xid = header.Xid };
    }
}

/// <summary>
/// struct ofp_switch_config (OpenFlow 1.3.5 §A.3.2), shared by GET_CONFIG_REPLY and SET_CONFIG:
/// <code>
///  +---------------+---------------+
///  |     flags     | miss_send_len |
///  +---------------+---------------+
/// </code>
/// </summary>
public abstract record SwitchConfigMessage : OpenFlowMessage
{
    /// <summary>OFPCML_NO_BUFFER: send whole packets to the controller, never buffer them.</summary>
    public const ushort NoBuffer = 0xffff;

    /// <summary>OFPCML_MAX, the largest buffered miss_send_len.</summary>
    public const ushort MaxMissSendLength = 0xffe5;

    public const int BodySize = 4;

    /// <summary>ofp_config_flags; OpenFlow 1.3 defines only the fragment bits.</summary>
    public ushort Flags { get; init; }

    public ushort MissSendLength { get; init; } = 128;

    public FragmentHandling Fragments => (FragmentHandling)(Flags & 3);

    public override int BodyLength => BodySize;

    public override void WriteBody(ref SpanWriter writer)
    {
        writer.WriteUInt16(Flags);
        writer.WriteUInt16(MissSendLength);
    }

    /// <summary>OVS ofputil_switch_config_format: " frags=normal miss_send_len=128".</summary>
    public override void FormatBody(StringBuilder output, PortNames names, int verbosity)
    {
        string frags = Fragments switch
        {
            FragmentHandling.Normal => "normal",
            FragmentHandling.Drop => "drop",
            FragmentHandling.Reassemble => "reassemble",
            _ => "nx-match",
        };
        output.Append(" frags=").Append(frags).Append(" miss_send_len=").Append(MissSendLength);
    }
}

/// <summary>OFPT_GET_CONFIG_REPLY (OpenFlow 1.3.5 §A.3.2).</summary>
public sealed record GetConfigReply : SwitchConfigMessage
{
    public override OfpType Type => OfpType.GetConfigReply;

    public static GetConfigReply Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        return new GetConfigReply { Xid = header.Xid, Flags = body.ReadUInt16(), MissSendLength = body.ReadUInt16() };
    }
}

/// <summary>
/// OFPT_SET_CONFIG (OpenFlow 1.3.5 §A.3.2). A controller sets miss_send_len (e.g. <see cref="SwitchConfigMessage.NoBuffer"/>)
/// so PACKET_INs carry whole packets. Strict decoding rejects flag bits OpenFlow 1.3 does not define.
/// </summary>
public sealed record SetConfig : SwitchConfigMessage
{
    public override OfpType Type => OfpType.SetConfig;

    public static SetConfig Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        var config = new SetConfig { Xid = header.Xid, Flags = body.ReadUInt16(), MissSendLength = body.ReadUInt16() };
        if (mode == DecodeMode.Strict && (config.Flags & ~3) != 0)
        {
            throw new OpenFlowException(OfpError.SwitchConfigBadFlags, $"set_config flags 0x{config.Flags:x4} has bits OpenFlow 1.3 does not define");
        }

        return config;
    }
}
