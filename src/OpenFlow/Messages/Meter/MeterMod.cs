using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Meter;

/// <summary>enum ofp_meter_mod_command (OpenFlow 1.3.5 §A.3.4.4).</summary>
public enum MeterModCommand : ushort
{
    Add = 0,
    Modify = 1,
    Delete = 2,
}

/// <summary>enum ofp_meter_flags (OpenFlow 1.3.5 §A.3.4.4).</summary>
[Flags]
public enum MeterFlags : ushort
{
    None = 0,
    Kbps = 1 << 0,
    Pktps = 1 << 1,
    Burst = 1 << 2,
    Stats = 1 << 3,
}

/// <summary>enum ofp_meter_band_type (OpenFlow 1.3.5 §A.3.4.4).</summary>
public enum MeterBandType : ushort
{
    Drop = 1,
    DscpRemark = 2,
    Experimenter = 0xffff,
}

/// <summary>Reserved meter ids (OpenFlow 1.3.5 §A.3.4.4, enum ofp_meter) and OVS's text for them.</summary>
public static class MeterIds
{
    public const uint Max = 0xffff0000;
    public const uint Slowpath = 0xfffffffd;
    public const uint Controller = 0xfffffffe;
    public const uint All = 0xffffffff;

    /// <summary>lib/ofp-meter.c ofputil_format_meter_id: <c>meter=5</c>, <c>meter:all</c>, <c>meter=unknown</c>.</summary>
    public static void Format(StringBuilder output, uint meterId, char separator)
    {
        output.Append("meter").Append(separator);
        output.Append(meterId <= Max ? meterId.ToString(CultureInfo.InvariantCulture) : meterId switch
        {
            Slowpath => "slowpath",
            Controller => "controller",
            All => "all",
            _ => "unknown",
        });
    }
}

/// <summary>
/// One meter band (OpenFlow 1.3.5 §A.3.4.4), 16 bytes whatever the type:
/// <code>
///  0               2               4                               8
///  +---------------+---------------+-------------------------------+
///  |     type      |   len (=16)   |             rate              |
///  +---------------+---------------+-------------------------------+
///  |          burst_size           | drop: pad(4)                  |
///  |                               | dscp_remark: prec_level, pad3 |
///  |                               | experimenter: experimenter id |
///  +-------------------------------+-------------------------------+
/// </code>
/// </summary>
public sealed record MeterBand(MeterBandType BandType, uint Rate, uint BurstSize = 0, byte PrecLevel = 0, uint Experimenter = 0)
{
    public const int Length = 16;

    public static MeterBand Drop(uint rate, uint burstSize = 0) => new(MeterBandType.Drop, rate, burstSize);

    public static MeterBand DscpRemark(uint rate, byte precLevel, uint burstSize = 0) => new(MeterBandType.DscpRemark, rate, burstSize, precLevel);

    public void Encode(ref SpanWriter writer)
    {
        writer.WriteUInt16((ushort)BandType);
        writer.WriteUInt16(Length);
        writer.WriteUInt32(Rate);
        writer.WriteUInt32(BurstSize);
        switch (BandType)
        {
            case MeterBandType.DscpRemark:
                writer.WriteByte(PrecLevel);
                writer.WriteZeros(3);
                break;
            case MeterBandType.Experimenter:
                writer.WriteUInt32(Experimenter);
                break;
            default:
                writer.WriteZeros(4);
                break;
        }
    }

    /// <summary>
    /// Decodes bands as OVS's ofputil_pull_bands does: every band is exactly 16 bytes (else OFPBRC_BAD_LEN),
    /// and a type other than drop/dscp_remark is OFPMMFC_BAD_BAND. Experimenter bands are accepted only in
    /// <see cref="DecodeMode.Loose"/> (reading a switch's meter config); OVS refuses them everywhere.
    /// </summary>
    public static ValueList<MeterBand> DecodeList(ref SpanReader reader, DecodeMode mode)
    {
        var bands = ImmutableArray.CreateBuilder<MeterBand>();
        while (reader.Remaining >= Length)
        {
            var type = (MeterBandType)reader.ReadUInt16();
            int length = reader.ReadUInt16();
            if (length != Length)
            {
                throw new OpenFlowException(OfpError.BadLen, $"meter band length {length} is not 16");
            }

            uint rate = reader.ReadUInt32();
            uint burst = reader.ReadUInt32();
            switch (type)
            {
                case MeterBandType.Drop:
                    reader.SkipPadding(4);
                    bands.Add(new MeterBand(type, rate, burst));
                    break;
                case MeterBandType.DscpRemark:
                    byte prec = reader.ReadByte();
                    reader.SkipPadding(3);
                    bands.Add(new MeterBand(type, rate, burst, prec));
                    break;
                case MeterBandType.Experimenter when mode == DecodeMode.Loose:
                    bands.Add(new MeterBand(type, rate, burst, 0, reader.ReadUInt32()));
                    break;
                default:
                    throw new OpenFlowException(OfpError.BadBand, $"meter band type {(ushort)type} is not drop (1) or dscp_remark (2)");
            }
        }

        if (!reader.IsEmpty)
        {
            throw new OpenFlowException(OfpError.BadLen, $"meter bands end with {reader.Remaining} leftover byte(s)");
        }

        return new ValueList<MeterBand>(bands.ToImmutable());
    }

    /// <summary>lib/ofp-meter.c ofputil_format_meter_band; burst_size only with the burst flag.</summary>
    public void Format(StringBuilder output, MeterFlags flags)
    {
        var invariant = CultureInfo.InvariantCulture;
        output.Append("\ntype=").Append(BandType switch
        {
            MeterBandType.Drop => "drop",
            MeterBandType.DscpRemark => "dscp_remark",
            _ => ((ushort)BandType).ToString(invariant),
        });
        output.Append(" rate=").Append(Rate.ToString(invariant));
        if ((flags & MeterFlags.Burst) != 0)
        {
            output.Append(" burst_size=").Append(BurstSize.ToString(invariant));
        }

        if (BandType == MeterBandType.DscpRemark)
        {
            output.Append(" prec_level=").Append(PrecLevel.ToString(invariant));
        }
        else if (BandType == MeterBandType.Experimenter)
        {
            output.Append(" experimenter=0x").Append(Experimenter.ToString("x", invariant));
        }
    }
}

/// <summary>A meter's configuration: the part OFPT_METER_MOD and the OFPMP_METER_CONFIG reply share.</summary>
public static class MeterText
{
    /// <summary>lib/ofp-meter.c ofputil_format_meter_config: <c>meter=1 kbps burst stats bands=</c> + bands + newline.</summary>
    public static void FormatConfig(StringBuilder output, uint meterId, MeterFlags flags, ValueList<MeterBand> bands)
    {
        MeterIds.Format(output, meterId, '=');
        output.Append(' ');
        if ((flags & MeterFlags.Kbps) != 0)
        {
            output.Append("kbps ");
        }

        if ((flags & MeterFlags.Pktps) != 0)
        {
            output.Append("pktps ");
        }

        if ((flags & MeterFlags.Burst) != 0)
        {
            output.Append("burst ");
        }

        if ((flags & MeterFlags.Stats) != 0)
        {
            output.Append("stats ");
        }

        ushort unknown = (ushort)((ushort)flags & ~0xf);
        if (unknown != 0)
        {
            output.Append("flags:0x").Append(unknown.ToString("x", CultureInfo.InvariantCulture)).Append(' ');
        }

        output.Append("bands=");
        foreach (var band in bands)
        {
            band.Format(output, flags);
        }

        output.Append('\n');
    }
}

/// <summary>
/// OFPT_METER_MOD (OpenFlow 1.3.5 §A.3.4.4), body after the header:
/// <code>command(2) | flags(2) | meter_id(4) | struct ofp_meter_band_header bands[]</code>
/// Like OVS (lib/ofp-meter.c ofputil_decode_meter_mod): an unknown command is OFPMMFC_BAD_COMMAND, kbps together
/// with pktps is OFPMMFC_BAD_FLAGS, and a DELETE's flags and bands are ignored. Other unknown flag bits pass
/// (OVS prints them as flags:0x…).
/// </summary>
public sealed record MeterMod : OpenFlowMessage
{
    public const int FixedBodyLength = 8;

    public override OfpType Type => OfpType.MeterMod;

    public MeterModCommand Command { get; init; }

    public MeterFlags Flags { get; init; }

    public uint MeterId { get; init; }

    public ValueList<MeterBand> Bands { get; init; } = ValueList<MeterBand>.Empty;

    public override int BodyLength => FixedBodyLength + (MeterBand.Length * Bands.Count);

    public override void WriteBody(ref SpanWriter writer)
    {
        writer.WriteUInt16((ushort)Command);
        writer.WriteUInt16((ushort)Flags);
        writer.WriteUInt32(MeterId);
        foreach (var band in Bands)
        {
            band.Encode(ref writer);
        }
    }

    public static MeterMod Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        if (body.Remaining < FixedBodyLength || body.Remaining % 8 != 0)
        {
            // OVS (lib/ofp-msgs.c): METER_MOD is 16 bytes or longer by a multiple of 8.
            throw new OpenFlowException(OfpError.BadLen, $"meter_mod body of {body.Remaining} byte(s) is not 8 plus a multiple of 8");
        }

        var command = (MeterModCommand)body.ReadUInt16();
        var flags = (MeterFlags)body.ReadUInt16();
        uint meterId = body.ReadUInt32();
        if (command is not (MeterModCommand.Add or MeterModCommand.Modify or MeterModCommand.Delete))
        {
            throw new OpenFlowException(OfpError.BadMeterCommand, $"meter_mod command {(ushort)command}");
        }

        if (command == MeterModCommand.Delete)
        {
            body.Skip(body.Remaining);
            return new MeterMod { Xid = header.Xid, Command = command, MeterId = meterId };
        }

        if ((flags & MeterFlags.Kbps) != 0 && (flags & MeterFlags.Pktps) != 0)
        {
            throw new OpenFlowException(OfpError.BadMeterFlags, "meter_mod sets both kbps and pktps");
        }

        var bands = MeterBand.DecodeList(ref body, mode);
        return new MeterMod { Xid = header.Xid, Command = command, Flags = flags, MeterId = meterId, Bands = bands };
    }

    /// <summary>ovs-ofctl ofp-print text (lib/ofp-meter.c ofputil_format_meter_mod).</summary>
    public void Format(StringBuilder output, PortNames names)
    {
        ModText.Header(output, "OFPT_METER_MOD", Xid).Append(' ');
        output.Append(Command switch
        {
            MeterModCommand.Add => "ADD",
            MeterModCommand.Modify => "MOD",
            MeterModCommand.Delete => "DEL",
            _ => "cmd:" + ((ushort)Command).ToString(CultureInfo.InvariantCulture),
        }).Append(' ');
        MeterText.FormatConfig(output, MeterId, Flags, Bands);
    }
}
