using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Actions;

/// <summary>
/// Decodes action lists: one switch over the action type, so the supported set fits on one screen.
/// Every action header is <c>type(2) | len(2)</c> with len a multiple of 8 (OpenFlow 1.3.5 §7.2.5).
/// Checks run in Open vSwitch's order (lib/ofp-actions.c ofpact_pull_raw) so the same bad input gets the
/// same error: list length (OFPBRC_BAD_LEN), then the type/experimenter/subtype (OFPBAC_BAD_TYPE,
/// OFPBAC_BAD_VENDOR, OFPBAC_BAD_VENDOR_TYPE), then the action's length (OFPBAC_BAD_LEN), then its contents.
/// OVS 3.1 does not implement copy_ttl_out/in or push/pop_pbb in OpenFlow 1.3, so those are OFPBAC_BAD_TYPE here too.
/// </summary>
public static class ActionCodec
{
    public static ActionList DecodeList(ref SpanReader reader, DecodeMode mode) => DecodeList(ref reader, mode, insideConntrack: false);

    /// <summary>
    /// Decodes a list; <paramref name="insideConntrack"/> is true for ct's nested actions, the only place a nat
    /// may appear (elsewhere OVS rejects it with OFPBAC_BAD_SET_ARGUMENT).
    /// </summary>
    internal static ActionList DecodeList(ref SpanReader reader, DecodeMode mode, bool insideConntrack)
    {
        if (reader.Remaining % 8 != 0)
        {
            throw new OpenFlowException(OfpError.BadLen, $"actions length {reader.Remaining} is not a multiple of 8");
        }

        var actions = new OfpAction[CountActions(reader.Rest)];
        int count = 0;
        bool hasNat = false;
        while (!reader.IsEmpty)
        {
            var action = Decode(ref reader, mode);
            if (count == actions.Length)
            {
                // Not reached: an action the count did not see fails to decode first.
                Array.Resize(ref actions, count + 1);
            }

            ArraySlots.Set(actions, count++, action);
            hasNat |= action is NatAction;
        }

        if (!insideConntrack && hasNat)
        {
            throw new OpenFlowException(OfpError.BadSetArgument, "nat outside ct");
        }

        return new ActionList(ImmutableCollectionsMarshal.AsImmutableArray(actions));
    }

    /// <summary>
    /// How many action headers a well-formed list holds, from the len fields alone, so the decoded list is
    /// allocated once at its exact size. A malformed length stops the count; decoding then reports it.
    /// </summary>
    private static int CountActions(ReadOnlySpan<byte> actions)
    {
        int count = 0;
        int offset = 0;
        while (actions.Length - offset >= 4)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(actions[(offset + 2)..]);
            count++;
            if (length < 8)
            {
                break;
            }

            offset += length;
        }

        return count;
    }

    public static OfpAction Decode(ref SpanReader reader, DecodeMode mode)
    {
        if (reader.Remaining < 4)
        {
            throw new OpenFlowException(OfpError.BadActionLen, $"action header needs 4 bytes, {reader.Remaining} left");
        }

        var type = (OfpActionType)reader.PeekUInt16();
        int length = reader.PeekUInt16(2);
        var subtype = default(NiciraSubtype);
        if (type == OfpActionType.Experimenter)
        {
            subtype = DecodeExperimenterHeader(ref reader, length);
        }
        else if (!IsKnownStandardType(type))
        {
            throw new OpenFlowException(OfpError.BadActionType, $"unknown action type {(ushort)type}");
        }

        if (length > reader.Remaining)
        {
            throw new OpenFlowException(OfpError.BadActionLen, $"action {type} has length {length}, only {reader.Remaining} byte(s) left");
        }

        if (length < 8 || length % 8 != 0)
        {
            throw new OpenFlowException(OfpError.BadActionLen, $"action {type} length {length} is not a positive multiple of 8");
        }

        var body = reader.ReadSub(length, OfpError.BadActionLen);
        if (type == OfpActionType.Experimenter)
        {
            body.Skip(NiciraAction.HeaderLength);
            return DecodeNicira(ref body, length, subtype);
        }

        body.Skip(4);
        _ = mode;
        int expected = type switch
        {
            OfpActionType.Output => OutputAction.Length,
            OfpActionType.SetField => length,
            _ => 8,
        };
        if (length != expected)
        {
            throw new OpenFlowException(OfpError.BadActionLen, $"action {type} must be {expected} bytes, got {length}");
        }

        return type switch
        {
            OfpActionType.Output => OutputAction.Decode(ref body),
            OfpActionType.SetMplsTtl => new SetMplsTtlAction(body.ReadByte()),
            OfpActionType.DecMplsTtl => new DecMplsTtlAction(),
            OfpActionType.PushVlan => PushVlanAction.Decode(ref body),
            OfpActionType.PopVlan => new PopVlanAction(),
            OfpActionType.PushMpls => PushMplsAction.Decode(ref body),
            OfpActionType.PopMpls => new PopMplsAction(body.ReadUInt16()),
            OfpActionType.SetQueue => new SetQueueAction(body.ReadUInt32()),
            OfpActionType.Group => new GroupAction(body.ReadUInt32()),
            OfpActionType.SetNwTtl => new SetNwTtlAction(body.ReadByte()),
            OfpActionType.DecNwTtl => new DecNwTtlAction(),
            _ => SetFieldAction.Decode(ref body, length),
        };
    }

    private static bool IsKnownStandardType(OfpActionType type) => type is OfpActionType.Output
        or (>= OfpActionType.SetMplsTtl and <= OfpActionType.SetField);

    /// <summary>
    /// Experimenter header (§7.2.5.10): <c>type(2)=0xffff | len(2) | experimenter(4)</c>; Nicira adds subtype(2)
    /// and OVS requires at least 16 bytes for it (struct nx_action_header).
    /// </summary>
    private static NiciraSubtype DecodeExperimenterHeader(ref SpanReader reader, int length)
    {
        if (length < 8 || reader.Remaining < 8)
        {
            throw new OpenFlowException(OfpError.BadActionLen, $"experimenter action of {length} bytes");
        }

        uint experimenter = reader.PeekUInt32(4);
        if (experimenter != NiciraAction.NiciraExperimenter)
        {
            throw new OpenFlowException(OfpError.BadActionExperimenter, $"unknown action experimenter 0x{experimenter:x8}");
        }

        if (length < 16 || reader.Remaining < 16)
        {
            throw new OpenFlowException(OfpError.BadActionLen, $"Nicira action of {length} bytes");
        }

        var subtype = (NiciraSubtype)reader.PeekUInt16(8);
        if (!Enum.IsDefined(subtype) || subtype is NiciraSubtype.DecTtl)
        {
            throw new OpenFlowException(OfpError.BadActionExperimenterType, $"unknown Nicira action subtype {(ushort)subtype}");
        }

        return subtype;
    }

    private static OfpAction DecodeNicira(ref SpanReader body, int length, NiciraSubtype subtype) => subtype switch
    {
        NiciraSubtype.Resubmit or NiciraSubtype.ResubmitTable or NiciraSubtype.ResubmitTableCt => ResubmitAction.Decode(ref body, length, subtype),
        NiciraSubtype.SetTunnel => SetTunnelAction.Decode(ref body, length, wide: false),
        NiciraSubtype.SetTunnel64 => SetTunnelAction.Decode(ref body, length, wide: true),
        NiciraSubtype.PopQueue => NiciraFixed(length, 16, subtype, new PopQueueAction()),
        NiciraSubtype.Exit => NiciraFixed(length, 16, subtype, new ExitAction()),
        NiciraSubtype.FinTimeout => FinTimeoutAction.Decode(ref body, length),
        NiciraSubtype.StackPush or NiciraSubtype.StackPop => StackAction.Decode(ref body, length, subtype),
        NiciraSubtype.RegMove => RegMoveAction.Decode(ref body, length),
        NiciraSubtype.RegLoad => RegLoadAction.Decode(ref body, length),
        NiciraSubtype.Note => NoteAction.Decode(ref body, length),
        NiciraSubtype.OutputReg => OutputRegAction.Decode(ref body, length),
        NiciraSubtype.Learn => LearnAction.Decode(ref body, length),
        NiciraSubtype.Controller => ControllerAction.Decode(ref body, length),
        NiciraSubtype.DecTtlCountIds => DecTtlCountIdsAction.Decode(ref body, length),
        NiciraSubtype.Conjunction => ConjunctionAction.Decode(ref body, length),
        NiciraSubtype.Conntrack => ConntrackAction.Decode(ref body, length),
        NiciraSubtype.Nat => NatAction.Decode(ref body, length),
        _ => throw new OpenFlowException(OfpError.BadActionExperimenterType, $"unknown Nicira action subtype {(ushort)subtype}"),
    };

    private static T NiciraFixed<T>(int actual, int expected, NiciraSubtype subtype, T action)
    {
        NiciraAction.ExpectLength(actual, expected, subtype);
        return action;
    }
}
