using System.Text;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Symmetric;

/// <summary>
/// OFPT_ECHO_REQUEST / OFPT_ECHO_REPLY (OpenFlow 1.3.5 §A.5.2, §A.5.3): the body is arbitrary data that the
/// reply must echo unchanged.
/// </summary>
public abstract record EchoMessage : OpenFlowMessage
{
    public ByteData Data { get; init; } = ByteData.Empty;

    public override int BodyLength => Data.Length;

    public override void WriteBody(ref SpanWriter writer) => writer.WriteBytes(Data.Span);

    /// <summary>" N bytes of payload" then, at verbosity above 1, a hex dump (OVS ofp_print_echo).</summary>
    public override void FormatBody(StringBuilder output, PortNames names, int verbosity)
    {
        output.Append(' ').Append(Data.Length).Append(" bytes of payload\n");
        if (verbosity > 1)
        {
            HexDump.Append(output, Data.Span, ascii: true);
        }
    }
}

/// <summary>OFPT_ECHO_REQUEST (OpenFlow 1.3.5 §A.5.2).</summary>
public sealed record EchoRequest : EchoMessage
{
    public override OfpType Type => OfpType.EchoRequest;

    /// <summary>The reply the spec requires: same xid, same data.</summary>
    public EchoReply CreateReply() => new() { Xid = Xid, Data = Data };

    public static EchoRequest Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        return new EchoRequest { Xid = header.Xid, Data = ByteData.Copy(body.ReadBytes(body.Remaining)) };
    }
}

/// <summary>OFPT_ECHO_REPLY (OpenFlow 1.3.5 §A.5.3).</summary>
public sealed record EchoReply : EchoMessage
{
    public override OfpType Type => OfpType.EchoReply;

    public static EchoReply Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        return new EchoReply { Xid = header.Xid, Data = ByteData.Copy(body.ReadBytes(body.Remaining)) };
    }
}
