using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Symmetric;

/// <summary>
/// OFPT_ERROR (OpenFlow 1.3.5 §A.4.4):
/// <code>
///  standard:      | type (2) | code (2) | data ...                                  |
///  experimenter:  | 0xffff   | exp_type (2) | experimenter (4) | data ...            |
/// </code>
/// For most errors the data is (at least 64 bytes of) the request that failed; for HELLO_FAILED it is
/// ASCII text. OVS prints the error's name, then the data decoded as an OpenFlow message (or as text).
/// </summary>
public sealed record ErrorMessage : OpenFlowMessage
{
    /// <summary>The spec asks for at least 64 bytes of the offending request.</summary>
    public const int MinimumEchoedBytes = 64;

    public override OfpType Type => OfpType.Error;

    public OfpError Error { get; init; }

    public ByteData Data { get; init; } = ByteData.Empty;

    /// <summary>The reply to a failed request: its xid, and the whole request as data (OVS echoes all of it).</summary>
    public static ErrorMessage ForRequest(OfpError error, ReadOnlySpan<byte> request)
    {
        uint xid = request.Length >= OfpHeader.Size ? OfpHeader.Read(request).Xid : 0;
        return new ErrorMessage { Xid = xid, Error = error, Data = ByteData.Copy(request) };
    }

    /// <summary>The reply for a decode failure, echoing the bytes the exception carries.</summary>
    public static ErrorMessage ForException(OpenFlowException exception) => ForRequest(exception.Error, exception.Offending);

    public override int BodyLength => (Error.Type == OfpErrorType.Experimenter ? 8 : 4) + Data.Length;

    public override void WriteBody(ref SpanWriter writer)
    {
        writer.WriteUInt16((ushort)Error.Type);
        writer.WriteUInt16(Error.Code);
        if (Error.Type == OfpErrorType.Experimenter)
        {
            writer.WriteUInt32(Error.Experimenter);
        }

        writer.WriteBytes(Data.Span);
    }

    public static ErrorMessage Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        var type = (OfpErrorType)body.ReadUInt16();
        ushort code = body.ReadUInt16();
        uint experimenter = type == OfpErrorType.Experimenter ? body.ReadUInt32() : 0;
        return new ErrorMessage
        {
            Xid = header.Xid,
            Error = new OfpError(type, code, experimenter),
            Data = ByteData.Copy(body.ReadBytes(body.Remaining)),
        };
    }

    /// <summary>
    /// OVS ofperr_msg_format: " NAME\n" then the data, as text for HELLO_FAILED, otherwise as an OpenFlow
    /// message printed at verbosity 1. An error OVS cannot name is a decode error for ovs-ofctl;
    /// <see cref="OfpPrint"/> handles that case before calling here.
    /// </summary>
    public override void FormatBody(StringBuilder output, PortNames names, int verbosity)
    {
        output.Append(' ').Append(ErrorNames.Format(Error)).Append('\n');
        if (Error.Type == OfpErrorType.HelloFailed)
        {
            AppendPrintable(output, Data.Span);
        }
        else
        {
            output.Append(OfpPrint.Format(Data.Span, names, 1));
        }
    }

    /// <summary>OVS ds_put_printable: printable ASCII as is, anything else as \ooo octal escapes.</summary>
    private static void AppendPrintable(StringBuilder output, ReadOnlySpan<byte> text)
    {
        foreach (byte b in text)
        {
            if (b >= 32 && b < 127)
            {
                output.Append((char)b);
            }
            else
            {
                output.Append('\\').Append(Convert.ToString(b, 8).PadLeft(3, '0'));
            }
        }
    }
}
