using System.Globalization;
using System.Runtime.CompilerServices;
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

    /// <summary>
    /// Position in Open vSwitch's canonical order (meter, apply_actions, clear_actions, write_actions,
    /// write_metadata, goto_table: lib/ofp-actions.c ovs_instruction_type), the order it prints, encodes and
    /// requires on input. Follows the pipeline's order of execution (§5.9).
    /// </summary>
    public int CanonicalOrder => CanonicalOrderOf(InstructionType);

    /// <summary><see cref="CanonicalOrder"/> of an instruction type, known from its header before it is decoded.</summary>
    /// <remarks>A table lookup: decoding asks twice per instruction.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int CanonicalOrderOf(OfpInstructionType type) =>
        (uint)type < (uint)CanonicalOrderByType.Length ? CanonicalOrderByType[(int)type] : 5;

    /// <summary>
    /// Indexed by type: goto_table(1) 5, write_metadata(2) 4, write_actions(3) 3, apply_actions(4) 1,
    /// clear_actions(5) 2, meter(6) 0; anything else sorts last, as goto_table.
    /// </summary>
    private static ReadOnlySpan<byte> CanonicalOrderByType => [5, 5, 4, 3, 1, 2, 0];

    /// <summary>OVS's name for the instruction, used in ordering errors.</summary>
    public string Name => InstructionType switch
    {
        OfpInstructionType.Meter => "meter",
        OfpInstructionType.ApplyActions => "apply_actions",
        OfpInstructionType.ClearActions => "clear_actions",
        OfpInstructionType.WriteActions => "write_actions",
        OfpInstructionType.WriteMetadata => "write_metadata",
        _ => "goto_table",
    };

    public abstract int EncodedLength { get; }

    public abstract void Encode(ref SpanWriter writer);

    public abstract void Format(StringBuilder output, PortNames names);

    public sealed override string ToString()
    {
        var sb = new StringBuilder();
        Format(sb, PortNames.None);
        return sb.ToString();
    }
}

/// <summary>OFPIT_GOTO_TABLE, 8 bytes: <c>type(2)=1 | len(2)=8 | table_id(1) | pad(3)</c>.</summary>
public sealed record GotoTableInstruction(byte TableId) : OfpInstruction
{
    /// <summary>One shared instance per table id: decoded flows name few tables, and the record is immutable.</summary>
    private static readonly GotoTableInstruction?[] ByTable = new GotoTableInstruction?[256];

    /// <summary>The shared instance for <paramref name="tableId"/> (equal to <c>new GotoTableInstruction(tableId)</c>).</summary>
    public static GotoTableInstruction Of(byte tableId) => ByTable[tableId] ??= new GotoTableInstruction(tableId);

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
/// OFPIT_WRITE_METADATA, 24 bytes: <c>type(2)=2 | len(2)=24 | pad(4) | metadata(8) | metadata_mask(8)</c>.
/// Text: <c>write_metadata:0x5</c>, or <c>write_metadata:0x5/0xff</c> when the mask is not all ones.
/// </summary>
public sealed record WriteMetadataInstruction(ulong Metadata, ulong Mask = ulong.MaxValue) : OfpInstruction
{
    public override OfpInstructionType InstructionType => OfpInstructionType.WriteMetadata;

    public override int EncodedLength => 24;

    public override void Encode(ref SpanWriter writer)
    {
        writer.WriteUInt16((ushort)InstructionType);
        writer.WriteUInt16(24);
        writer.WriteZeros(4);
        writer.WriteUInt64(Metadata);
        writer.WriteUInt64(Mask);
    }

    public override void Format(StringBuilder output, PortNames names)
    {
        output.Append("write_metadata:0x").Append(Metadata.ToString("x", CultureInfo.InvariantCulture));
        if (Mask != ulong.MaxValue)
        {
            output.Append("/0x").Append(Mask.ToString("x", CultureInfo.InvariantCulture));
        }
    }
}

/// <summary>
/// OFPIT_APPLY_ACTIONS: <c>type(2)=4 | len(2) | pad(4) | actions</c> (OpenFlow 1.3.5 §7.2.4, struct ofp_instruction_actions).
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

/// <summary>OFPIT_WRITE_ACTIONS: <c>type(2)=3 | len(2) | pad(4) | actions</c>. Text: <c>write_actions(output:2,...)</c>.</summary>
public sealed record WriteActionsInstruction(ActionList Actions) : OfpInstruction
{
    /// <summary>
    /// Whether the action may go in the action set (§5.10). OVS allows the spec's set-able actions plus move/load
    /// and resubmit, and refuses its other extensions there (lib/ofp-actions.c ofpact_is_allowed_in_actions_set;
    /// checked against ovs-ofctl 3.1 parse-instructions).
    /// </summary>
    public static bool IsAllowedInActionSet(OfpAction action) => action is OutputAction or PushVlanAction or PopVlanAction or ResubmitAction
        or SetFieldAction or SetMplsTtlAction or DecMplsTtlAction or PushMplsAction or PopMplsAction or SetQueueAction
        or GroupAction or SetNwTtlAction or DecNwTtlAction or RegMoveAction or RegLoadAction or DecTtlCountIdsAction
        or SetTunnelAction;

    public override OfpInstructionType InstructionType => OfpInstructionType.WriteActions;

    public override int EncodedLength => 8 + Actions.EncodedLength;

    public override void Encode(ref SpanWriter writer)
    {
        writer.WriteUInt16((ushort)InstructionType);
        writer.WriteUInt16((ushort)EncodedLength);
        writer.WriteZeros(4);
        Actions.Encode(ref writer);
    }

    public override void Format(StringBuilder output, PortNames names)
    {
        output.Append("write_actions(");
        Actions.Format(output, names);
        output.Append(')');
    }
}

/// <summary>OFPIT_CLEAR_ACTIONS, 8 bytes: <c>type(2)=5 | len(2)=8 | pad(4)</c>. Text: <c>clear_actions</c>.</summary>
public sealed record ClearActionsInstruction : OfpInstruction
{
    /// <summary>A shared instance: the instruction has no fields.</summary>
    public static readonly ClearActionsInstruction Instance = new();

    public override OfpInstructionType InstructionType => OfpInstructionType.ClearActions;

    public override int EncodedLength => 8;

    public override void Encode(ref SpanWriter writer)
    {
        writer.WriteUInt16((ushort)InstructionType);
        writer.WriteUInt16(8);
        writer.WriteZeros(4);
    }

    public override void Format(StringBuilder output, PortNames names) => output.Append("clear_actions");
}

/// <summary>OFPIT_METER, 8 bytes: <c>type(2)=6 | len(2)=8 | meter_id(4)</c>. Text: <c>meter:N</c>.</summary>
public sealed record MeterInstruction(uint MeterId) : OfpInstruction
{
    public override OfpInstructionType InstructionType => OfpInstructionType.Meter;

    public override int EncodedLength => 8;

    public override void Encode(ref SpanWriter writer)
    {
        writer.WriteUInt16((ushort)InstructionType);
        writer.WriteUInt16(8);
        writer.WriteUInt32(MeterId);
    }

    public override void Format(StringBuilder output, PortNames names) => output.Append("meter:").Append(MeterId);
}
