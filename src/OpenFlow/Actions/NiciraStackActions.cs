using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Actions;

/// <summary>
/// NXAST_STACK_PUSH / NXAST_STACK_POP (nicira-ext.h struct nx_action_stack), 24 bytes:
/// <code>
///  +------+--------+----------+---------+--------+--------------+--------+----------+
///  | ffff | len=24 | 00002320 | subtype | offset | field header | n_bits | zero(6)  |
///  +------+--------+----------+---------+--------+--------------+--------+----------+
///     2       2         4         2        2            4           2        6
/// </code>
/// subtype 27 pushes the subfield onto the packet's register stack, 28 pops the top into it.
/// Text: <c>push:NXM_NX_REG0[]</c>, <c>pop:NXM_NX_REG1[0..7]</c> (OVS format_STACK_PUSH / format_STACK_POP).
/// </summary>
public sealed record StackAction(bool Pop, NxmSubfield Field) : NiciraAction
{
    public const int Length = 24;

    public override NiciraSubtype Subtype => Pop ? NiciraSubtype.StackPop : NiciraSubtype.StackPush;

    public override int EncodedLength => Length;

    public override void Encode(ref SpanWriter writer)
    {
        WriteHeader(ref writer);
        writer.WriteUInt16((ushort)Field.Offset);
        writer.WriteUInt32(Field.Field.Header);
        writer.WriteUInt16((ushort)Field.Bits);
        writer.WriteZeros(6);
    }

    /// <summary>
    /// decode_stack_action: the header as nx_pull_header (OFPBMC_BAD_FIELD / OFPBMC_BAD_MASK), non-zero padding
    /// NXBRC_MUST_BE_ZERO, then mf_check_src for a push and mf_check_dst for a pop (OFPBAC_BAD_SET_*).
    /// </summary>
    internal static StackAction Decode(ref SpanReader body, int length, NiciraSubtype subtype)
    {
        ExpectLength(length, Length, subtype);
        int offset = body.ReadUInt16();
        var field = NxmSubfield.PullField(body.ReadUInt32());
        int bits = body.ReadUInt16();
        if (body.Rest.ContainsAnyExcept((byte)0))
        {
            throw new OpenFlowException(ActionErrors.MustBeZero, $"{subtype} with non-zero padding");
        }

        bool pop = subtype == NiciraSubtype.StackPop;
        return new StackAction(pop, pop ? NxmSubfield.CheckDestination(field, offset, bits) : NxmSubfield.CheckSource(field, offset, bits));
    }

    public override void Format(StringBuilder output, PortNames names)
    {
        output.Append(Pop ? "pop:" : "push:");
        Field.Format(output);
    }
}

/// <summary>
/// NXAST_EXIT (nicira-ext.h), 16 bytes: <c>ffff | len=16 | 00002320 | subtype=17 | pad(6)</c>. Stops the
/// pipeline: the action set and later tables are skipped. Text: <c>exit</c>.
/// </summary>
public sealed record ExitAction : NiciraAction
{
    public override NiciraSubtype Subtype => NiciraSubtype.Exit;

    public override int EncodedLength => 16;

    public override void Encode(ref SpanWriter writer)
    {
        WriteHeader(ref writer);
        writer.WriteZeros(6);
    }

    public override void Format(StringBuilder output, PortNames names) => output.Append("exit");
}
