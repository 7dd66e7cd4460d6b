using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Async;

/// <summary>OFPT_GET_ASYNC_REQUEST (OpenFlow 1.3.5 §A.3.10): header only.</summary>
public sealed record GetAsyncRequest : OpenFlowMessage
{
    public override OfpType Type => OfpType.GetAsyncRequest;

    public override int BodyLength => 0;

    public override void WriteBody(ref SpanWriter writer)
    {
    }

    public static GetAsyncRequest Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        if (!body.IsEmpty)
        {
            throw new OpenFlowException(OfpError.BadLen, $"get_async_request has a {body.Remaining}-byte body");
        }

        return new GetAsyncRequest { Xid = header.Xid };
    }

    public void Format(StringBuilder output, PortNames names) => ModText.Header(output, "OFPT_GET_ASYNC_REQUEST", Xid);
}

/// <summary>OFPT_GET_ASYNC_REPLY (OpenFlow 1.3.5 §A.3.10): the 24-byte <see cref="AsyncConfig"/>.</summary>
public sealed record GetAsyncReply : OpenFlowMessage
{
    public override OfpType Type => OfpType.GetAsyncReply;

    public AsyncConfig Config { get; init; }

    public override int BodyLength => AsyncConfig.Length;

    public override void WriteBody(ref SpanWriter writer) => Config.Encode(ref writer);

    public static GetAsyncReply Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        return new GetAsyncReply { Xid = header.Xid, Config = AsyncConfig.Decode(ref body) };
    }

    public void Format(StringBuilder output, PortNames names)
    {
        ModText.Header(output, "OFPT_GET_ASYNC_REPLY", Xid);
        Config.Format(output);
    }
}
