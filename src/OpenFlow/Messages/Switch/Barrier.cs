using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Switch;

/// <summary>
/// OFPT_BARRIER_REQUEST (OpenFlow 1.3.5 §A.3.8): header only. The switch answers once every earlier
/// message has been processed, which is how a controller learns that a batch took effect.
/// </summary>
public sealed record BarrierRequest : OpenFlowMessage
{
    public override OfpType Type => OfpType.BarrierRequest;

    public override int BodyLength => 0;

    public override void WriteBody(ref SpanWriter writer)
    {
    }

    public BarrierReply CreateReply() => new() { Xid = Xid };

    public static BarrierRequest Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        _ = body;
        _ = mode;
        return new BarrierRequest { Xid = header.Xid };
    }
}

/// <summary>OFPT_BARRIER_REPLY (OpenFlow 1.3.5 §A.3.8): header only, with the request's xid.</summary>
public sealed record BarrierReply : OpenFlowMessage
{
    public override OfpType Type => OfpType.BarrierReply;

    public override int BodyLength => 0;

    public override void WriteBody(ref SpanWriter writer)
    {
    }

    public static BarrierReply Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        _ = body;
        _ = mode;
        return new BarrierReply { Xid = header.Xid };
    }
}
