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
public sealed record ExperimenterMultipart(uint Experimenter, uint ExperimenterType, ValueList<byte> Data) : IMultipartBody
{
    public const ushort MultipartType = 0xffff;

    public const int HeaderLength = 8;

    public int BodyLength => HeaderLength + Data.Count;

    public void WriteBody(ref SpanWriter writer)
    {
        writer.WriteUInt32(Experimenter);
        writer.WriteUInt32(ExperimenterType);
        writer.WriteBytes(Data.Items.AsSpan());
    }

    public static ExperimenterMultipart Decode(ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        if (body.Remaining < HeaderLength)
        {
            throw new OpenFlowException(OfpError.BadLen, $"experimenter multipart body of {body.Remaining} byte(s) is shorter than 8");
        }

        uint experimenter = body.ReadUInt32();
        uint type = body.ReadUInt32();
        return new ExperimenterMultipart(experimenter, type, new ValueList<byte>(body.ReadBytes(body.Remaining).ToArray()));
    }

    /// <summary>
    /// Our own text: <c> experimenter=0x2320 exp_type=1 data_len=4</c>. OVS prints only the Nicira multiparts it
    /// implements and reports any other as a decode error (OFPBRC_BAD_VENDOR / OFPBRC_BAD_SUBTYPE).
    /// </summary>
    public void Format(StringBuilder output, PortNames names)
    {
        var invariant = CultureInfo.InvariantCulture;
        output.Append(" experimenter=0x").Append(Experimenter.ToString("x", invariant))
            .Append(" exp_type=").Append(ExperimenterType.ToString(invariant))
            .Append(" data_len=").Append(Data.Count.ToString(invariant));
    }
}
