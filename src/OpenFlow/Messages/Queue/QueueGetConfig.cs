using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Messages.Port;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Queue;

/// <summary>
/// OFPT_QUEUE_GET_CONFIG_REQUEST (OpenFlow 1.3.5 §A.3.6), body: <c>port(4) | pad(4)</c>.
/// </summary>
public sealed record QueueGetConfigRequest : OpenFlowMessage
{
    public const int Length = 8;

    public override OfpType Type => OfpType.QueueGetConfigRequest;

    public uint Port { get; init; }

    public override int BodyLength => Length;

    public override void WriteBody(ref SpanWriter writer)
    {
        writer.WriteUInt32(Port);
        writer.WriteZeros(4);
    }

    public static QueueGetConfigRequest Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        if (body.Remaining != Length)
        {
            throw new OpenFlowException(OfpError.BadLen, $"queue_get_config_request body is {body.Remaining} byte(s), expected {Length}");
        }

        var request = new QueueGetConfigRequest { Xid = header.Xid, Port = body.ReadUInt32() };
        body.SkipPadding(4);
        if (!PortBits.IsValidPort(request.Port))
        {
            throw new OpenFlowException(OfpError.BadOutPort, $"queue_get_config_request for port {request.Port}");
        }

        return request;
    }

    /// <summary>ovs-ofctl ofp-print text (lib/ofp-queue.c ofputil_queue_get_config_request_format).</summary>
    public void Format(StringBuilder output, PortNames names)
    {
        ModText.Header(output, "OFPT_QUEUE_GET_CONFIG_REQUEST", Xid).Append(" port=");
        PortFormat.Append(output, Port, names);
    }
}

/// <summary>enum ofp_queue_properties (OpenFlow 1.3.5 §A.3.6).</summary>
public enum QueuePropertyType : ushort
{
    MinRate = 1,
    MaxRate = 2,
    Experimenter = 0xffff,
}

/// <summary>
/// One queue property (OpenFlow 1.3.5 §A.2.2): header <c>property(2) | len(2) | pad(4)</c>, then
/// min/max rate: <c>rate(2) | pad(6)</c> (tenths of a percent; above 1000 = disabled), or
/// experimenter: <c>experimenter(4) | pad(4) | data[]</c>.
/// </summary>
public sealed record QueueProperty(QueuePropertyType PropertyType, ushort Rate = 0, uint Experimenter = 0, ValueList<byte>? Data = null)
{
    public const int HeaderLength = 8;

    public static QueueProperty MinRate(ushort rate) => new(QueuePropertyType.MinRate, rate);

    public static QueueProperty MaxRate(ushort rate) => new(QueuePropertyType.MaxRate, rate);

    public int EncodedLength => PropertyType == QueuePropertyType.Experimenter ? SpanWriter.Align(16 + (Data?.Count ?? 0), 8) : 16;

    public void Encode(ref SpanWriter writer)
    {
        int start = writer.Position;
        writer.WriteUInt16((ushort)PropertyType);
        writer.WriteUInt16((ushort)EncodedLength);
        writer.WriteZeros(4);
        if (PropertyType == QueuePropertyType.Experimenter)
        {
            writer.WriteUInt32(Experimenter);
            writer.WriteZeros(4);
            if (Data is not null)
            {
                writer.WriteBytes(Data.Items.AsSpan());
            }

            writer.PadTo(start, 8);
        }
        else
        {
            writer.WriteUInt16(Rate);
            writer.WriteZeros(6);
        }
    }
}

/// <summary>
/// struct ofp_packet_queue (OpenFlow 1.3.5 §A.2.2):
/// <code>queue_id(4) | port(4) | len(2) | pad(6) | struct ofp_queue_prop_header properties[]</code>
/// </summary>
public sealed record PacketQueue(uint QueueId, uint Port, ValueList<QueueProperty> Properties)
{
    public const int HeaderLength = 16;

    public int EncodedLength => HeaderLength + Properties.Sum(p => p.EncodedLength);

    public void Encode(ref SpanWriter writer)
    {
        writer.WriteUInt32(QueueId);
        writer.WriteUInt32(Port);
        writer.WriteUInt16((ushort)EncodedLength);
        writer.WriteZeros(6);
        foreach (var property in Properties)
        {
            property.Encode(ref writer);
        }
    }

    /// <summary>
    /// Like OVS (lib/ofp-queue.c): bad queue or property lengths are OFPBRC_BAD_LEN. An unknown property is
    /// skipped in <see cref="DecodeMode.Loose"/> (OVS logs and ignores it); <see cref="DecodeMode.Strict"/>
    /// refuses it with OFPBPC_BAD_TYPE.
    /// </summary>
    public static PacketQueue Decode(ref SpanReader reader, DecodeMode mode)
    {
        if (reader.Remaining < HeaderLength)
        {
            throw new OpenFlowException(OfpError.BadLen, $"queue config reply has {reader.Remaining} leftover byte(s) at end");
        }

        uint queueId = reader.ReadUInt32();
        uint port = reader.ReadUInt32();
        int length = reader.ReadUInt16();
        reader.SkipPadding(6);
        if (length < HeaderLength || length - HeaderLength > reader.Remaining)
        {
            throw new OpenFlowException(OfpError.BadLen, $"queue {queueId} claims length {length} with {reader.Remaining} byte(s) left");
        }

        var properties = reader.ReadSub(length - HeaderLength);
        var list = ImmutableArray.CreateBuilder<QueueProperty>();
        while (!properties.IsEmpty)
        {
            if (properties.Remaining < HeaderLength)
            {
                throw new OpenFlowException(OfpError.BadLen, $"queue {queueId} properties end with {properties.Remaining} leftover byte(s)");
            }

            var type = (QueuePropertyType)properties.ReadUInt16();
            int propertyLength = properties.ReadUInt16();
            if (propertyLength < HeaderLength || propertyLength % 8 != 0 || propertyLength - 4 > properties.Remaining)
            {
                throw new OpenFlowException(OfpError.BadLen, $"queue {queueId} property {(ushort)type} has bad length {propertyLength}");
            }

            var payload = properties.ReadSub(propertyLength - 4);
            payload.SkipPadding(4);
            switch (type)
            {
                case QueuePropertyType.MinRate or QueuePropertyType.MaxRate:
                    if (propertyLength != 16)
                    {
                        throw new OpenFlowException(OfpError.BadLen, $"queue {queueId} rate property has length {propertyLength}, expected 16");
                    }

                    list.Add(new QueueProperty(type, payload.ReadUInt16()));
                    break;
                case QueuePropertyType.Experimenter:
                    uint experimenter = payload.ReadUInt32();
                    payload.SkipPadding(4);
                    list.Add(new QueueProperty(type, 0, experimenter, new ValueList<byte>(payload.Rest.ToArray())));
                    break;
                default:
                    if (mode == DecodeMode.Strict)
                    {
                        throw new OpenFlowException(OfpError.BadPropertyType, $"queue {queueId} has unknown property {(ushort)type}");
                    }

                    break;
            }
        }

        return new PacketQueue(queueId, port, new ValueList<QueueProperty>(list.ToImmutable()));
    }

    /// <summary>lib/ofp-queue.c: <c>queue N: min_rate:50.0% max_rate:(disabled)</c>; experimenter properties print nothing.</summary>
    public void Format(StringBuilder output)
    {
        var invariant = CultureInfo.InvariantCulture;
        output.Append("queue ").Append(QueueId.ToString(invariant)).Append(':');
        ushort? min = null;
        ushort? max = null;
        foreach (var property in Properties)
        {
            if (property.PropertyType == QueuePropertyType.MinRate)
            {
                min = property.Rate;
            }
            else if (property.PropertyType == QueuePropertyType.MaxRate)
            {
                max = property.Rate;
            }
        }

        Rate(output, "min_rate", min);
        Rate(output, "max_rate", max);
        output.Append('\n');
    }

    private static void Rate(StringBuilder output, string name, ushort? rate)
    {
        // OVS keeps rates above 1000 as "disabled" except 0xffff, which it treats as "not given".
        if (rate is not { } value || value == ushort.MaxValue)
        {
            return;
        }

        var invariant = CultureInfo.InvariantCulture;
        if (value <= 1000)
        {
            output.Append(' ').Append(name).Append(':').Append((value / 10).ToString(invariant)).Append('.').Append((value % 10).ToString(invariant)).Append('%');
        }
        else
        {
            output.Append(' ').Append(name).Append(":(disabled)");
        }
    }
}

/// <summary>
/// OFPT_QUEUE_GET_CONFIG_REPLY (OpenFlow 1.3.5 §A.3.6), body: <c>port(4) | pad(4) | struct ofp_packet_queue queues[]</c>.
/// A reply reports a switch's state, so the message decoder reads it loosely.
/// </summary>
public sealed record QueueGetConfigReply : OpenFlowMessage
{
    public const int FixedBodyLength = 8;

    public override OfpType Type => OfpType.QueueGetConfigReply;

    public uint Port { get; init; }

    public ValueList<PacketQueue> Queues { get; init; } = ValueList<PacketQueue>.Empty;

    public override int BodyLength => FixedBodyLength + Queues.Sum(q => q.EncodedLength);

    public override void WriteBody(ref SpanWriter writer)
    {
        writer.WriteUInt32(Port);
        writer.WriteZeros(4);
        foreach (var queue in Queues)
        {
            queue.Encode(ref writer);
        }
    }

    public static QueueGetConfigReply Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        uint port = body.ReadUInt32();
        body.SkipPadding(4);
        var queues = ImmutableArray.CreateBuilder<PacketQueue>();
        while (!body.IsEmpty)
        {
            queues.Add(PacketQueue.Decode(ref body, mode));
        }

        return new QueueGetConfigReply { Xid = header.Xid, Port = port, Queues = new ValueList<PacketQueue>(queues.ToImmutable()) };
    }

    /// <summary>ovs-ofctl ofp-print text (lib/ofp-queue.c ofputil_queue_get_config_reply_format).</summary>
    public void Format(StringBuilder output, PortNames names)
    {
        ModText.Header(output, "OFPT_QUEUE_GET_CONFIG_REPLY", Xid);
        if (Queues.Count > 0)
        {
            // OVS prints the port when it meets the first queue (lib/ofp-queue.c).
            output.Append(" port=");
            PortFormat.Append(output, Port, names);
            output.Append('\n');
        }

        foreach (var queue in Queues)
        {
            queue.Format(output);
        }
    }
}
