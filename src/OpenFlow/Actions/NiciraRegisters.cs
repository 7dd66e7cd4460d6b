using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Actions;

/// <summary>
/// NXAST_REG_MOVE (nicira-ext.h struct nx_action_reg_move), 24 bytes; OVS uses it for <c>move:</c> in OpenFlow 1.3:
/// <code>ffff | len=24 | 00002320 | subtype=6 | n_bits(2) | src_ofs(2) | dst_ofs(2) | src header(4) | dst header(4)</code>
/// Text: <c>move:NXM_OF_ETH_SRC[]-&gt;NXM_OF_ETH_DST[]</c>.
/// </summary>
public sealed record RegMoveAction(NxmSubfield Source, NxmSubfield Destination) : NiciraAction
{
    public const int Length = 24;

    public override NiciraSubtype Subtype => NiciraSubtype.RegMove;

    public override int EncodedLength => Length;

    public override void Encode(ref SpanWriter writer)
    {
        WriteHeader(ref writer);
        writer.WriteUInt16((ushort)Source.Bits);
        writer.WriteUInt16((ushort)Source.Offset);
        writer.WriteUInt16((ushort)Destination.Offset);
        writer.WriteUInt32(Source.Field.Header);
        writer.WriteUInt32(Destination.Field.Header);
    }

    /// <summary>
    /// decode_NXAST_RAW_REG_MOVE: headers as nx_pull_header (OFPBMC_BAD_FIELD / OFPBMC_BAD_MASK), then
    /// nxm_reg_move_check (OFPBAC_BAD_SET_LEN for ranges, OFPBAC_BAD_SET_ARGUMENT for a read-only destination).
    /// </summary>
    internal static RegMoveAction Decode(ref SpanReader body, int length)
    {
        ExpectLength(length, Length, NiciraSubtype.RegMove);
        int bits = body.ReadUInt16();
        int srcOffset = body.ReadUInt16();
        int dstOffset = body.ReadUInt16();
        var src = NxmSubfield.PullField(body.ReadUInt32());
        var dst = NxmSubfield.PullField(body.ReadUInt32());
        return new RegMoveAction(NxmSubfield.CheckSource(src, srcOffset, bits), NxmSubfield.CheckDestination(dst, dstOffset, bits));
    }

    public override void Format(StringBuilder output, PortNames names)
    {
        output.Append("move:");
        Source.Format(output);
        output.Append("->");
        Destination.Format(output);
    }
}

/// <summary>
/// NXAST_REG_LOAD (nicira-ext.h struct nx_action_reg_load), 24 bytes; OVS writes it for <c>load:</c> and for a
/// masked <c>set_field</c> in OpenFlow 1.3 (one per contiguous run of mask bits):
/// <code>ffff | len=24 | 00002320 | subtype=7 | ofs_nbits(2) | dst header(4) | value(8)</code>
/// Text: <c>load:0x5-&gt;NXM_NX_REG0[0..3]</c>. Fields wider than 64 bits cannot be loaded this way.
/// </summary>
public sealed record RegLoadAction(NxmSubfield Destination, ulong Value) : NiciraAction
{
    public const int Length = 24;

    public override NiciraSubtype Subtype => NiciraSubtype.RegLoad;

    public override int EncodedLength => Length;

    public override void Encode(ref SpanWriter writer)
    {
        WriteHeader(ref writer);
        writer.WriteUInt16(EncodeOffsetBits(Destination.Offset, Destination.Bits));
        writer.WriteUInt32(Destination.Field.Header);
        writer.WriteUInt64(Value);
    }

    /// <summary>
    /// decode_NXAST_RAW_REG_LOAD: mf_check_dst on the destination (OFPBAC_BAD_SET_TYPE / _SET_LEN / _SET_ARGUMENT),
    /// then a value wider than n_bits is OFPBAC_BAD_ARGUMENT.
    /// </summary>
    internal static RegLoadAction Decode(ref SpanReader body, int length)
    {
        ExpectLength(length, Length, NiciraSubtype.RegLoad);
        ushort offsetBits = body.ReadUInt16();
        var field = NxmSubfield.LookupField(body.ReadUInt32());
        ulong value = body.ReadUInt64();
        int bits = (offsetBits & 0x3f) + 1;
        var dst = NxmSubfield.CheckDestination(field, offsetBits >> 6, bits);
        if (bits < 64 && value >> bits != 0)
        {
            throw new OpenFlowException(OfpError.BadActionArgument, $"load of 0x{value:x} does not fit in {bits} bits");
        }

        return new RegLoadAction(dst, value);
    }

    public override void Format(StringBuilder output, PortNames names)
    {
        output.Append("load:");
        NxmValues.AppendSubvalue(output, Value);
        output.Append("->");
        Destination.Format(output);
    }
}

/// <summary>
/// NXAST_OUTPUT_REG (nicira-ext.h struct nx_action_output_reg), 24 bytes: output to the port held in a field.
/// <code>ffff | len=24 | 00002320 | subtype=15 | ofs_nbits(2) | src header(4) | max_len(2) | zero(6)</code>
/// Text: <c>output:NXM_NX_REG0[]</c> (max_len is written 0xffff, the default, and not printed).
/// </summary>
public sealed record OutputRegAction(NxmSubfield Source, ushort MaxLength = 0xffff) : NiciraAction
{
    public const int Length = 24;

    public override NiciraSubtype Subtype => NiciraSubtype.OutputReg;

    public override int EncodedLength => Length;

    public override void Encode(ref SpanWriter writer)
    {
        WriteHeader(ref writer);
        writer.WriteUInt16(EncodeOffsetBits(Source.Offset, Source.Bits));
        writer.WriteUInt32(Source.Field.Header);
        writer.WriteUInt16(MaxLength);
        writer.WriteZeros(6);
    }

    internal static OutputRegAction Decode(ref SpanReader body, int length)
    {
        ExpectLength(length, Length, NiciraSubtype.OutputReg);
        ushort offsetBits = body.ReadUInt16();
        var field = NxmSubfield.LookupField(body.ReadUInt32());
        ushort maxLength = body.ReadUInt16();
        if (body.ReadBytes(6).ContainsAnyExcept((byte)0))
        {
            throw new OpenFlowException(OfpError.BadActionArgument, "output_reg with non-zero padding");
        }

        // decode_NXAST_RAW_OUTPUT_REG ends with mf_check_src.
        return new OutputRegAction(NxmSubfield.CheckSource(field, offsetBits >> 6, (offsetBits & 0x3f) + 1), maxLength);
    }

    public override void Format(StringBuilder output, PortNames names)
    {
        output.Append("output:");
        Source.Format(output);
    }
}
