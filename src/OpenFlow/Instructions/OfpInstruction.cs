using System.Text;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Instructions;

/// <summary>enum ofp_instruction_type (OpenFlow 1.3.5 §7.2.4).</summary>
public enum OfpInstructionType : ushort
{
    GotoTable = 1,
    WriteMetadata = 2,
    WriteActions = 3,
    ApplyActions = 4,
    ClearActions = 5,
    Meter = 6,
    Experimenter = 0xffff,
}

/// <summary>Base of the six OpenFlow 1.3 instructions (OpenFlow 1.3.5 §7.2.4).</summary>
public abstract record OfpInstruction
{
    public abstract OfpInstructionType InstructionType { get; }

    public abstract int EncodedLength { get; }

    public abstract void Encode(ref SpanWriter writer);

    public abstract void Format(StringBuilder output, PortNames names);
}

/// <summary>OFPIT_GOTO_TABLE, 8 bytes: <c>type(2)=1 | len(2)=8 | table_id(1) | pad(3)</c>.</summary>
public sealed record GotoTableInstruction(byte TableId) : OfpInstruction
{
    public override OfpInstructionType InstructionType => OfpInstructionType.GotoTable;

    public override int EncodedLength => 8;

    public override void Encode(ref SpanWriter writer)
    {
        writer.WriteUInt16((ushort)InstructionType);
        writer.WriteUInt16(8);
        writer.WriteByte(TableId);
        writer.WriteZeros(3);
    }

    public override void Format(StringBuilder output, PortNames names) => output.Append("goto_table:").Append(TableId);
}

/// <summary>
/// OFPIT_APPLY_ACTIONS / OFPIT_WRITE_ACTIONS:
/// <c>type(2) | len(2) | pad(4) | actions</c> (OpenFlow 1.3.5 §7.2.4, struct ofp_instruction_actions).
/// </summary>
public sealed record ApplyActionsInstruction(ActionList Actions) : OfpInstruction
{
    public override OfpInstructionType InstructionType => OfpInstructionType.ApplyActions;

    public override int EncodedLength => 8 + Actions.EncodedLength;

    public override void Encode(ref SpanWriter writer)
    {
        writer.WriteUInt16((ushort)InstructionType);
        writer.WriteUInt16((ushort)EncodedLength);
        writer.WriteZeros(4);
        Actions.Encode(ref writer);
    }

    /// <summary>Apply-actions print bare (no "apply_actions(...)" wrapper), as ovs-ofctl does.</summary>
    public override void Format(StringBuilder output, PortNames names) => Actions.Format(output, names);
}
