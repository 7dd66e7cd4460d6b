using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Messages.Meter;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Multipart;

/// <summary>
/// OFPMP_METER and OFPMP_METER_CONFIG request body (OpenFlow 1.3.5 §A.3.5.12/13, struct
/// ofp_meter_multipart_request): <c>meter_id(4) | pad(4)</c>; OFPM_ALL asks for every meter.
/// </summary>
public sealed record MeterRequest(uint MeterId = MeterIds.All) : IMultipartBody
{
    public int BodyLength => 8;

    public void WriteBody(ref SpanWriter writer)
    {
        writer.WriteUInt32(MeterId);
        writer.WriteZeros(4);
    }

    public static MeterRequest Decode(ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        var request = new MeterRequest(body.ReadUInt32());
        body.SkipPadding(4);
        return request;
    }

    /// <summary>lib/ofp-print.c ofp_print_meter_stats_request: <c> meter=N</c>.</summary>
    public void Format(StringBuilder output, PortNames names)
    {
        output.Append(' ');
        MeterIds.Format(output, MeterId, '=');
    }
}

/// <summary>struct ofp_meter_band_stats (OpenFlow 1.3.5 §A.3.5.12): <c>packet_band_count(8) | byte_band_count(8)</c>.</summary>
public readonly record struct MeterBandStats(ulong PacketCount, ulong ByteCount);

/// <summary>
/// struct ofp_meter_stats (OpenFlow 1.3.5 §A.3.5.12), 40 bytes then 16 per band:
/// <code>
///  meter_id(4) | len(2) | pad(6) | flow_count(4) | packet_in_count(8) | byte_in_count(8)
///  | duration_sec(4) | duration_nsec(4) | struct ofp_meter_band_stats band_stats[]
/// </code>
/// </summary>
public sealed record MeterStats(uint MeterId, uint FlowCount, ulong PacketInCount, ulong ByteInCount, uint DurationSec, uint DurationNsec, ValueList<MeterBandStats> Bands)
{
    public const int FixedLength = 40;

    public int EncodedLength => FixedLength + (16 * Bands.Count);

    public void Encode(ref SpanWriter writer)
    {
        writer.WriteUInt32(MeterId);
        writer.WriteUInt16((ushort)EncodedLength);
        writer.WriteZeros(6);
        writer.WriteUInt32(FlowCount);
        writer.WriteUInt64(PacketInCount);
        writer.WriteUInt64(ByteInCount);
        writer.WriteUInt32(DurationSec);
        writer.WriteUInt32(DurationNsec);
        foreach (var band in Bands)
        {
            writer.WriteUInt64(band.PacketCount);
            writer.WriteUInt64(band.ByteCount);
        }
    }

    /// <summary>OVS ofputil_decode_meter_stats: short entries and band lengths not a multiple of 16 are OFPBRC_BAD_LEN.</summary>
    public static MeterStats Decode(ref SpanReader reader)
    {
        if (reader.Remaining < FixedLength)
        {
            throw new OpenFlowException(OfpError.BadLen, $"meter stats reply has {reader.Remaining} leftover byte(s) at end");
        }

        uint meterId = reader.ReadUInt32();
        int length = reader.ReadUInt16();
        reader.SkipPadding(6);
        uint flows = reader.ReadUInt32();
        ulong packets = reader.ReadUInt64();
        ulong bytes = reader.ReadUInt64();
        uint seconds = reader.ReadUInt32();
        uint nanoseconds = reader.ReadUInt32();
        int bandBytes = length - FixedLength;
        if (bandBytes < 0 || bandBytes > reader.Remaining || bandBytes % 16 != 0)
        {
            throw new OpenFlowException(OfpError.BadLen, $"meter stats entry length {length} does not fit {reader.Remaining} byte(s) of band stats");
        }

        var bands = ImmutableArray.CreateBuilder<MeterBandStats>(bandBytes / 16);
        for (int i = 0; i < bandBytes / 16; i++)
        {
            bands.Add(new MeterBandStats(reader.ReadUInt64(), reader.ReadUInt64()));
        }

        return new MeterStats(meterId, flows, packets, bytes, seconds, nanoseconds, new ValueList<MeterBandStats>(bands.MoveToImmutable()));
    }

    /// <summary>lib/ofp-meter.c ofputil_format_meter_stats.</summary>
    public void Format(StringBuilder output)
    {
        var invariant = CultureInfo.InvariantCulture;
        MeterIds.Format(output, MeterId, ':');
        output.Append(" flow_count:").Append(FlowCount.ToString(invariant))
            .Append(" packet_in_count:").Append(PacketInCount.ToString(invariant))
            .Append(" byte_in_count:").Append(ByteInCount.ToString(invariant))
            .Append(" duration:");
        ModText.Duration(output, DurationSec, DurationNsec).Append(" bands:\n");
        for (int i = 0; i < Bands.Count; i++)
        {
            output.Append(i.ToString(invariant)).Append(": packet_count:").Append(Bands[i].PacketCount.ToString(invariant))
                .Append(" byte_count:").Append(Bands[i].ByteCount.ToString(invariant)).Append('\n');
        }
    }
}

/// <summary>OFPMP_METER reply body: a run of <see cref="MeterStats"/>.</summary>
public sealed record MeterStatsReply(ValueList<MeterStats> Meters) : IMultipartBody
{
    public const ushort MultipartType = 9;

    public int BodyLength => Meters.Sum(m => m.EncodedLength);

    public void WriteBody(ref SpanWriter writer)
    {
        foreach (var meter in Meters)
        {
            meter.Encode(ref writer);
        }
    }

    public static MeterStatsReply Decode(ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        var meters = ImmutableArray.CreateBuilder<MeterStats>();
        while (!body.IsEmpty)
        {
            meters.Add(MeterStats.Decode(ref body));
        }

        return new MeterStatsReply(new ValueList<MeterStats>(meters.ToImmutable()));
    }

    /// <summary>lib/ofp-print.c ofp_print_meter_stats_reply: each meter after a newline.</summary>
    public void Format(StringBuilder output, PortNames names)
    {
        foreach (var meter in Meters)
        {
            output.Append('\n');
            meter.Format(output);
        }
    }
}

/// <summary>
/// struct ofp_meter_config (OpenFlow 1.3.5 §A.3.5.13):
/// <code>length(2) | flags(2) | meter_id(4) | struct ofp_meter_band_header bands[]</code>
/// </summary>
public sealed record MeterConfig(MeterFlags Flags, uint MeterId, ValueList<MeterBand> Bands)
{
    public const int FixedLength = 8;

    public int EncodedLength => FixedLength + (MeterBand.Length * Bands.Count);

    public void Encode(ref SpanWriter writer)
    {
        writer.WriteUInt16((ushort)EncodedLength);
        writer.WriteUInt16((ushort)Flags);
        writer.WriteUInt32(MeterId);
        foreach (var band in Bands)
        {
            band.Encode(ref writer);
        }
    }

    /// <summary>OVS ofputil_decode_meter_config (bands as in <see cref="MeterBand.DecodeList"/>).</summary>
    public static MeterConfig Decode(ref SpanReader reader, DecodeMode mode)
    {
        if (reader.Remaining < FixedLength)
        {
            throw new OpenFlowException(OfpError.BadLen, $"meter config reply has {reader.Remaining} leftover byte(s) at end");
        }

        int length = reader.ReadUInt16();
        var flags = (MeterFlags)reader.ReadUInt16();
        uint meterId = reader.ReadUInt32();
        if (length < FixedLength || length - FixedLength > reader.Remaining)
        {
            throw new OpenFlowException(OfpError.BadLen, $"meter config entry length {length} does not fit {reader.Remaining} byte(s) left");
        }

        var bands = reader.ReadSub(length - FixedLength);
        return new MeterConfig(flags, meterId, MeterBand.DecodeList(ref bands, mode));
    }
}

/// <summary>OFPMP_METER_CONFIG reply body: a run of <see cref="MeterConfig"/>.</summary>
public sealed record MeterConfigReply(ValueList<MeterConfig> Meters) : IMultipartBody
{
    public const ushort MultipartType = 10;

    public int BodyLength => Meters.Sum(m => m.EncodedLength);

    public void WriteBody(ref SpanWriter writer)
    {
        foreach (var meter in Meters)
        {
            meter.Encode(ref writer);
        }
    }

    public static MeterConfigReply Decode(ref SpanReader body, DecodeMode mode)
    {
        var meters = ImmutableArray.CreateBuilder<MeterConfig>();
        while (!body.IsEmpty)
        {
            meters.Add(MeterConfig.Decode(ref body, mode));
        }

        return new MeterConfigReply(new ValueList<MeterConfig>(meters.ToImmutable()));
    }

    /// <summary>lib/ofp-print.c ofp_print_meter_config_reply: each meter after a newline.</summary>
    public void Format(StringBuilder output, PortNames names)
    {
        foreach (var meter in Meters)
        {
            output.Append('\n');
            MeterText.FormatConfig(output, meter.MeterId, meter.Flags, meter.Bands);
        }
    }
}

/// <summary>
/// struct ofp_meter_features (OpenFlow 1.3.5 §A.3.5.14), 16 bytes:
/// <code>max_meter(4) | band_types(4) | capabilities(4) | max_bands(1) | max_color(1) | pad(2)</code>
/// band_types has bit n set for band type n (OVS reads it that way: drop is bit 1).
/// </summary>
public sealed record MeterFeaturesReply(uint MaxMeter, uint BandTypes, uint Capabilities, byte MaxBands, byte MaxColor) : IMultipartBody
{
    public const ushort MultipartType = 11;

    public int BodyLength => 16;

    public void WriteBody(ref SpanWriter writer)
    {
        writer.WriteUInt32(MaxMeter);
        writer.WriteUInt32(BandTypes);
        writer.WriteUInt32(Capabilities);
        writer.WriteByte(MaxBands);
        writer.WriteByte(MaxColor);
        writer.WriteZeros(2);
    }

    public static MeterFeaturesReply Decode(ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        var reply = new MeterFeaturesReply(body.ReadUInt32(), body.ReadUInt32(), body.ReadUInt32(), body.ReadByte(), body.ReadByte());
        body.SkipPadding(2);
        return reply;
    }

    /// <summary>lib/ofp-meter.c ofputil_format_meter_features.</summary>
    public void Format(StringBuilder output, PortNames names)
    {
        var invariant = CultureInfo.InvariantCulture;
        output.Append("\nmax_meter:").Append(MaxMeter.ToString(invariant))
            .Append(" max_bands:").Append(MaxBands.ToString(invariant))
            .Append(" max_color:").Append(MaxColor.ToString(invariant)).Append('\n');
        output.Append("band_types: ");
        ModText.BitNames(output, BandTypes, bit => bit switch { 1u << 1 => "drop", 1u << 2 => "dscp_remark", _ => null }, ' ');
        output.Append("\ncapabilities: ");
        ModText.BitNames(output, Capabilities, bit => bit switch { 1 => "kbps", 2 => "pktps", 4 => "burst", 8 => "stats", _ => null }, ' ');
        output.Append('\n');
    }
}

/// <summary>OFPMP_METER_FEATURES request body: empty.</summary>
public sealed record MeterFeaturesRequest : IMultipartBody
{
    public const ushort MultipartType = 11;

    public int BodyLength => 0;

    public void WriteBody(ref SpanWriter writer)
    {
    }

    public static MeterFeaturesRequest Decode(ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        _ = body;
        return new MeterFeaturesRequest();
    }

    public void Format(StringBuilder output, PortNames names)
    {
    }
}
