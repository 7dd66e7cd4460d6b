using System.Collections.Immutable;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Instructions;

/// <summary>Decodes instruction lists (OpenFlow 1.3.5 §7.2.4): one switch over the instruction type.</summary>
public static class InstructionCodec
{
    public static InstructionList DecodeList(ref SpanReader reader, DecodeMode mode)
    {
        var list = ImmutableArray.CreateBuilder<OfpInstruction>();
        while (!reader.IsEmpty)
        {
            var instruction = Decode(ref reader, mode);
            foreach (var existing in list)
            {
                if (existing.InstructionType == instruction.InstructionType)
                {
                    // OVS reports a repeated instruction as OFPBIC_DUP_INST (an ONF extension error).
                    throw new OpenFlowException(new OfpError(OfpErrorType.Experimenter, 2600, OfpError.OnfExperimenter), $"instruction {instruction.InstructionType} appears twice");
                }
            }

            list.Add(instruction);
        }

        return new InstructionList(list.ToImmutable());
    }

    public static OfpInstruction Decode(ref SpanReader reader, DecodeMode mode)
    {
        var type = (OfpInstructionType)reader.PeekUInt16();
        int length = reader.PeekUInt16(2);
        if (length < 8 || length % 8 != 0 || length > reader.Remaining)
        {
            throw new OpenFlowException(OfpError.BadInstructionLen, $"instruction {type} has length {length} ({reader.Remaining} byte(s) left)");
        }

        var body = reader.ReadSub(length, OfpError.BadInstructionLen);
        body.Skip(4);
        switch (type)
        {
            case OfpInstructionType.GotoTable:
                if (length != 8)
                {
                    throw new OpenFlowException(OfpError.BadInstructionLen, $"goto_table must be 8 bytes, got {length}");
                }

                return new GotoTableInstruction(body.ReadByte());
            case OfpInstructionType.ApplyActions:
                body.Skip(4);
                var actions = body.ReadSub(body.Remaining, OfpError.BadActionLen);
                return new ApplyActionsInstruction(ActionCodec.DecodeList(ref actions, mode));
            default:
                throw new OpenFlowException(OfpError.UnknownInstruction, $"unknown instruction type {(ushort)type}");
        }
    }
}
