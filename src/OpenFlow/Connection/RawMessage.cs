using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Connection;

/// <summary>
/// A message the channel sends without interpreting its body: echo replies mirror the request's bytes
/// (OpenFlow 1.3.5 §A.5.2 "the reply carries the request's data"), and pre-encoded bytes from a caller.
/// </summary>
internal sealed record RawMessage(OfpType MessageType, ReadOnlyMemory<byte> Payload) : OpenFlowMessage
{
    public override OfpType Type => MessageType;

    public override int BodyLength => Payload.Length;

    public override void WriteBody(ref SpanWriter writer) => writer.WriteBytes(Payload.Span);
}
