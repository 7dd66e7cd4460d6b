using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Multipart;

/// <summary>
/// OFPMP_EXPERIMENTER request or reply body (OpenFlow 1.3.5 §A.3.5.15):
/// <code>experimenter(4) | exp_type(4) | experimenter-defined data[]</code>
/// The data is kept as bytes: its meaning belongs to the experimenter.
/// </summary>
public static class ExperimenterMultipart
{
    public const int HeaderLength = 8;

    internal static (uint Experimenter, uint ExperimenterType, ValueList<byte> Data) Decode(ref SpanReader body)
    {
        if (body.Remaining < HeaderLength)
        {
            throw new OpenFlowException(OfpError.BadLen, $"experimenter multipart body of {body.Remaining} byte(s) is shorter than 8");
        }

        uint experimenter = body.ReadUInt32();
        uint type = body.ReadUInt32();
        return (experimenter, type, new ValueList<byte>(body.ReadBytes(body.Remaining).ToArray()));
    }

    internal static void Encode(ref SpanWriter writer, uint experimenter, uint experimenterType, ValueList<byte> data)
    {
        writer.WriteUInt32(experimenter);
        writer.WriteUInt32(experimenterType);
        writer.WriteBytes(data.Items.AsSpan());
    }

    /// <summary>
    /// Our own text: <c> experimenter=0x2320 exp_type=1 data_len=4</c>. OVS prints only the Nicira multiparts it
    /// implements and reports any other as a decode error (OFPBRC_BAD_VENDOR / OFPBRC_BAD_SUBTYPE).
    /// </summary>
    internal static void Format(StringBuilder output, uint experimenter, uint experimenterType, ValueList<byte> data)
    {
        var invariant = CultureInfo.InvariantCulture;
        output.Append(" experimenter=0x").Append(experimenter.ToString("x", invariant))
            .Append(" exp_type=").Append(experimenterType.ToString(invariant))
            .Append(" data_len=").Append(data.Count.ToString(invariant));
    }
}

/// <summary>An OFPMP_EXPERIMENTER request body (see <see cref="ExperimenterMultipart"/>).</summary>
public sealed record ExperimenterMultipartRequest(uint Experimenter, uint ExperimenterType, ValueList<byte> Data) : MultipartRequestBody
{
    public override MultipartType MultipartType => MultipartType.Experimenter;

    public override int BodyLength => ExperimenterMultipart.HeaderLength + Data.Count;

    public override void WriteBody(ref SpanWriter writer) => ExperimenterMultipart.Encode(ref writer, Experimenter, ExperimenterType, Data);

    public static ExperimenterMultipartRequest Decode(ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        var (experimenter, type, data) = ExperimenterMultipart.Decode(ref body);
        return new ExperimenterMultipartRequest(experimenter, type, data);
    }

    public override void Format(StringBuilder output, PortNames names) =>
        ExperimenterMultipart.Format(output, Experimenter, ExperimenterType, Data);
}

/// <summary>An OFPMP_EXPERIMENTER reply body (see <see cref="ExperimenterMultipart"/>).</summary>
public sealed record ExperimenterMultipartReply(uint Experimenter, uint ExperimenterType, ValueList<byte> Data) : MultipartReplyBody
{
    public override MultipartType MultipartType => MultipartType.Experimenter;

    public override int BodyLength => ExperimenterMultipart.HeaderLength + Data.Count;

    public override void WriteBody(ref SpanWriter writer) => ExperimenterMultipart.Encode(ref writer, Experimenter, ExperimenterType, Data);

    public static ExperimenterMultipartReply Decode(ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        var (experimenter, type, data) = ExperimenterMultipart.Decode(ref body);
        return new ExperimenterMultipartReply(experimenter, type, data);
    }

    public override void Format(StringBuilder output, PortNames names) =>
        ExperimenterMultipart.Format(output, Experimenter, ExperimenterType, Data);
}
