using System.Numerics;
using System.Runtime.InteropServices;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Instructions;

/// <summary>
/// Decodes instruction lists (OpenFlow 1.3.5 §7.2.4): one switch over the instruction type. Like Open vSwitch
/// (lib/ofp-actions.c decode_openflow11_instructions) it first checks every instruction header (length,
/// type, duplicates) and only then decodes the actions inside, and it returns the instructions in OVS's
/// canonical order (meter, apply, clear, write_actions, write_metadata, goto_table), so decode→encode gives
/// OVS's bytes.
/// </summary>
public static class InstructionCodec
{
    /// <summary>OFPBIC_DUP_INST: an ONF extension error (experimenter 0x4f4e4600, code 2600) in OpenFlow 1.3.</summary>
    public static readonly OfpError DuplicateInstruction = new(OfpErrorType.Experimenter, 2600, OfpError.OnfExperimenter);

    public static InstructionList DecodeList(ref SpanReader reader, DecodeMode mode)
    {
        if (reader.Remaining % 8 != 0)
        {
            throw new OpenFlowException(OfpError.BadInstructionLen, $"instructions length {reader.Remaining} is not a multiple of 8");
        }

        // First pass: headers only, so a duplicate is reported before any error inside the actions. Each valid
        // type has its own canonical position (0..5), so one bit per position finds duplicates.
        int present = 0;
        var probe = reader;
        while (!probe.IsEmpty)
        {
            var type = CheckHeader(ref probe);
            int bit = 1 << OfpInstruction.CanonicalOrderOf(type);
            if ((present & bit) != 0)
            {
                throw new OpenFlowException(DuplicateInstruction, $"instruction {type} appears twice");
            }

            present |= bit;
        }

        // Second pass: each instruction goes straight to its canonical slot (the number of present
        // instructions that come before it), so the array is exactly sized and needs no sort.
        var instructions = new OfpInstruction[BitOperations.PopCount((uint)present)];
        while (!reader.IsEmpty)
        {
            // Every header was checked by the first pass.
            var type = (OfpInstructionType)reader.PeekUInt16();
            var body = reader.ReadSub(reader.PeekUInt16(2), OfpError.BadInstructionLen);
            int slot = BitOperations.PopCount((uint)present & ((1u << OfpInstruction.CanonicalOrderOf(type)) - 1));
            ArraySlots.Set(instructions, slot, DecodeBody(type, ref body, mode));
        }

        return new InstructionList(ImmutableCollectionsMarshal.AsImmutableArray(instructions));
    }

    /// <summary>Checks one instruction's header and length and skips it (decode_openflow11_instruction).</summary>
    private static OfpInstructionType CheckHeader(ref SpanReader reader)
    {
        if (reader.Remaining < 4)
        {
            throw new OpenFlowException(OfpError.BadInstructionLen, $"instruction header needs 4 bytes, {reader.Remaining} left");
        }

        var type = (OfpInstructionType)reader.PeekUInt16();
        int length = reader.PeekUInt16(2);
        if (length < 8 || length % 8 != 0 || length > reader.Remaining)
        {
            throw new OpenFlowException(OfpError.BadInstructionLen, $"instruction {type} has length {length} ({reader.Remaining} byte(s) left)");
        }

        // 0: any length (the action lists).
        int exact = type switch
        {
            OfpInstructionType.GotoTable or OfpInstructionType.ClearActions or OfpInstructionType.Meter => 8,
            OfpInstructionType.WriteMetadata => 24,
            OfpInstructionType.ApplyActions or OfpInstructionType.WriteActions => 0,
            OfpInstructionType.Experimenter => throw new OpenFlowException(OfpError.BadInstructionExperimenter, "experimenter instructions are not supported"),
            _ => throw new OpenFlowException(OfpError.UnknownInstruction, $"unknown instruction type {(ushort)type}"),
        };
        if (exact != 0 && length != exact)
        {
            throw new OpenFlowException(OfpError.BadInstructionLen, $"instruction {type} must be {exact} bytes, got {length}");
        }

        reader.Skip(length);
        return type;
    }

    public static OfpInstruction Decode(ref SpanReader reader, DecodeMode mode)
    {
        var check = reader;
        var type = CheckHeader(ref check);
        int length = reader.PeekUInt16(2);
        var body = reader.ReadSub(length, OfpError.BadInstructionLen);
        return DecodeBody(type, ref body, mode);
    }

    /// <summary>Decodes one instruction whose header <see cref="CheckHeader"/> accepted; <paramref name="body"/> covers all of it.</summary>
    private static OfpInstruction DecodeBody(OfpInstructionType type, ref SpanReader body, DecodeMode mode)
    {
        body.Skip(4);
        switch (type)
        {
            case OfpInstructionType.GotoTable:
                return GotoTableInstruction.Of(body.ReadByte());
            case OfpInstructionType.WriteMetadata:
                body.Skip(4);
                return new WriteMetadataInstruction(body.ReadUInt64(), body.ReadUInt64());
            case OfpInstructionType.ClearActions:
                return ClearActionsInstruction.Instance;
            case OfpInstructionType.Meter:
                return new MeterInstruction(body.ReadUInt32());
            case OfpInstructionType.WriteActions:
                body.Skip(4);
                var written = body.ReadSub(body.Remaining, OfpError.BadActionLen);
                var set = ActionCodec.DecodeList(ref written, mode);
                foreach (var action in set.Actions)
                {
                    if (!WriteActionsInstruction.IsAllowedInActionSet(action))
                    {
                        // ofpacts_decode_for_action_set: "disallowed action in action set".
                        throw new OpenFlowException(OfpError.BadActionType, $"{action} is not allowed in write_actions");
                    }
                }

                return new WriteActionsInstruction(set);
            default:
                body.Skip(4);
                var applied = body.ReadSub(body.Remaining, OfpError.BadActionLen);
                return new ApplyActionsInstruction(ActionCodec.DecodeList(ref applied, mode));
        }
    }
}
