using System.Text;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Async;

/// <summary>OFPT_SET_ASYNC (OpenFlow 1.3.5 §A.3.10): the 24-byte <see cref="AsyncConfig"/>.</summary>
public sealed record SetAsync : OpenFlowMessage
{
    public override OfpType Type => OfpType.SetAsync;

    public AsyncConfig Config { get; init; }

    public override int BodyLength => AsyncConfig.Length;

    public override void WriteBody(ref SpanWriter writer) => Config.Encode(ref writer);

    public static SetAsync Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        return new SetAsync { Xid = header.Xid, Config = AsyncConfig.Decode(ref body) };
    }

    public void Format(StringBuilder output, PortNames names)
    {
        ModText.Header(output, "OFPT_SET_ASYNC", Xid);
        Config.Format(output);
    }
}
