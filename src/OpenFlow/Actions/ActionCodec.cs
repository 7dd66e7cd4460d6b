using System.Collections.Immutable;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Match;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Actions;

/// <summary>
/// Decodes action lists: one switch over the action type, so the supported set fits on one screen.
/// Every action header is <c>type(2) | len(2)</c> with len a multiple of 8 (OpenFlow 1.3.5 §7.2.5).
/// </summary>
public static class ActionCodec
{
    public static ActionList DecodeList(ref SpanReader reader, DecodeMode mode)
    {
        var actions = ImmutableArray.CreateBuilder<OfpAction>();
        while (!reader.IsEmpty)
        {
            actions.Add(Decode(ref reader, mode));
        }

        return new ActionList(actions.ToImmutable());
    }

    public static OfpAction Decode(ref SpanReader reader, DecodeMode mode)
    {
        var type = (OfpActionType)reader.PeekUInt16();
        int length = reader.PeekUInt16(2);
        if (length < 8 || length % 8 != 0 || length > reader.Remaining)
        {
            throw new OpenFlowException(OfpError.BadActionLen, $"action {type} has length {length} ({reader.Remaining} byte(s) left)");
        }

        var body = reader.ReadSub(length, OfpError.BadActionLen);
        body.Skip(4);
        return type switch
        {
            OfpActionType.Output => DecodeOutput(ref body, length),
            OfpActionType.PushVlan => ExpectLength(length, 8, new PushVlanAction(body.ReadUInt16())),
            OfpActionType.PopVlan => ExpectLength(length, 8, new PopVlanAction()),
            OfpActionType.SetField => DecodeSetField(ref body, mode),
            _ => throw new OpenFlowException(OfpError.BadActionType, $"unknown action type {(ushort)type}"),
        };
    }

    private static T ExpectLength<T>(int actual, int expected, T action)
    {
        if (actual != expected)
        {
            throw new OpenFlowException(OfpError.BadActionLen, $"{typeof(T).Name} must be {expected} bytes, got {actual}");
        }

        return action;
    }

    private static OutputAction DecodeOutput(ref SpanReader body, int length)
    {
        var action = new OutputAction(body.ReadUInt32(), body.ReadUInt16());
        if (action.Port == 0 || action.Port == OfpPort.Any)
        {
            throw new OpenFlowException(OfpError.BadOutPort, $"output to port {action.Port}");
        }

        return ExpectLength(length, OutputAction.Length, action);
    }

    private static SetFieldAction DecodeSetField(ref SpanReader body, DecodeMode mode)
    {
        uint header = body.PeekUInt32();
        if ((header & 0x100) != 0)
        {
            throw new OpenFlowException(OfpError.BadSetArgument, "set_field with a mask");
        }

        var entry = Dvr.OpenFlow.Match.Match.DecodeEntry(ref body, DecodeMode.Strict)
            ?? throw new OpenFlowException(OfpError.BadSetType, $"set_field of unknown field 0x{header:x8}");
        _ = mode;
        return new SetFieldAction(entry.Field, entry.Value);
    }
}
