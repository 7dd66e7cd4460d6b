using System.Text;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Multipart;

/// <summary>OFPMP_DESC request body (OpenFlow 1.3.5 §A.3.5.1): empty.</summary>
public sealed record DescRequest : IMultipartBody
{
    public const ushort MultipartType = 0;

    public int BodyLength => 0;

    public void WriteBody(ref SpanWriter writer)
    {
    }

    public static DescRequest Decode(ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        _ = body;
        return new DescRequest();
    }

    public void Format(StringBuilder output, PortNames names)
    {
    }
}

/// <summary>
/// struct ofp_desc (OpenFlow 1.3.5 §A.3.5.1), 1056 bytes of NUL-padded ASCII:
/// <code>mfr_desc[256] | hw_desc[256] | sw_desc[256] | serial_num[32] | dp_desc[256]</code>
/// </summary>
public sealed record DescReply(string Manufacturer, string Hardware, string Software, string SerialNumber, string DatapathDescription) : IMultipartBody
{
    public const ushort MultipartType = 0;

    public const int DescriptionLength = 256;

    public const int SerialNumberLength = 32;

    public int BodyLength => (4 * DescriptionLength) + SerialNumberLength;

    public void WriteBody(ref SpanWriter writer)
    {
        ModText.WriteFixedString(ref writer, Manufacturer, DescriptionLength);
        ModText.WriteFixedString(ref writer, Hardware, DescriptionLength);
        ModText.WriteFixedString(ref writer, Software, DescriptionLength);
        ModText.WriteFixedString(ref writer, SerialNumber, SerialNumberLength);
        ModText.WriteFixedString(ref writer, DatapathDescription, DescriptionLength);
    }

    public static DescReply Decode(ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        return new DescReply(
            ModText.ReadFixedString(ref body, DescriptionLength),
            ModText.ReadFixedString(ref body, DescriptionLength),
            ModText.ReadFixedString(ref body, DescriptionLength),
            ModText.ReadFixedString(ref body, SerialNumberLength),
            ModText.ReadFixedString(ref body, DescriptionLength));
    }

    /// <summary>lib/ofp-print.c ofp_print_ofpst_desc_reply.</summary>
    public void Format(StringBuilder output, PortNames names)
    {
        output.Append("\nManufacturer: ").Append(Manufacturer)
            .Append("\nHardware: ").Append(Hardware)
            .Append("\nSoftware: ").Append(Software)
            .Append("\nSerial Num: ").Append(SerialNumber)
            .Append("\nDP Description: ").Append(DatapathDescription).Append('\n');
    }
}
