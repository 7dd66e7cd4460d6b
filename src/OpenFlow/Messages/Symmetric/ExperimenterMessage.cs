using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Symmetric;

/// <summary>
/// OFPT_EXPERIMENTER (OpenFlow 1.3.5 §A.5.4) that this codec has no specific type for:
/// <code>
///  | experimenter (4) | exp_type (4) | experimenter-defined data ... |
/// </code>
/// Known experimenter messages (the ONF bundle extension) decode to their own records instead.
/// </summary>
public sealed record ExperimenterMessage : OpenFlowMessage
{
    public override OfpType Type => OfpType.Experimenter;

    public uint Experimenter { get; init; }

    public uint ExperimenterType { get; init; }

    public ByteData Data { get; init; } = ByteData.Empty;

    public override int BodyLength => 8 + Data.Length;

    public override void WriteBody(ref SpanWriter writer)
    {
        writer.WriteUInt32(Experimenter);
        writer.WriteUInt32(ExperimenterType);
        writer.WriteBytes(Data.Span);
    }

    public static ExperimenterMessage Decode(OfpHeader header, uint experimenter, uint experimenterType, ref SpanReader data) => new()
    {
        Xid = header.Xid,
        Experimenter = experimenter,
        ExperimenterType = experimenterType,
        Data = ByteData.Copy(data.ReadBytes(data.Remaining)),
    };
}
