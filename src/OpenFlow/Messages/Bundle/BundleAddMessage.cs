using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Messages.Flow;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Bundle;

/// <summary>
/// ONFT_BUNDLE_ADD_MESSAGE (experimenter 0x4F4E4600, exp_type 2301): one message added to an open bundle.
/// <code>
///  0               4               8               12      14      16
///  +---------------+---------------+---------------+-------+-------+
///  | experimenter  |   exp_type    |   bundle_id   | pad(2)| flags |
///  +---------------+---------------+---------------+-------+-------+
///  | inner message (its own ofp_header; xid = this message's xid) | properties ...
/// </code>
/// Only messages OVS accepts in a bundle may be inside (ofputil_is_bundlable: FLOW_MOD, GROUP_MOD, PORT_MOD,
/// PACKET_OUT); anything else is OFPBFC_MSG_UNSUP. The inner xid must equal the outer one (OFPBFC_MSG_BAD_XID).
/// </summary>
public sealed record BundleAddMessage : OpenFlowMessage
{
    public override OfpType Type => OfpType.Experimenter;

    public override string TextName => "ONFT_BUNDLE_ADD_MESSAGE";

    public uint BundleId { get; init; }

    public BundleFlags Flags { get; init; }

    /// <summary>The bundled message; it is written with this message's xid whatever its own says.</summary>
    public required OpenFlowMessage Message { get; init; }

    public ByteData Properties { get; init; } = ByteData.Empty;

    /// <summary>experimenter, exp_type, bundle_id, pad and flags: the body before the inner message.</summary>
    public const int AddHeaderLength = 16;

    public override int BodyLength => AddHeaderLength + Message.EncodedLength + Properties.Length;

    public override void WriteBody(ref SpanWriter writer)
    {
        writer.WriteUInt32(OnfBundle.Experimenter);
        writer.WriteUInt32(OnfBundle.AddMessageType);
        writer.WriteUInt32(BundleId);
        writer.WriteZeros(2);
        writer.WriteUInt16((ushort)Flags);
        var inner = Message.Xid == Xid ? Message : Message with { Xid = Xid };
        int length = inner.EncodedLength;
        inner.EncodeTo(writer.Reserve(length));
        writer.WriteBytes(Properties.Span);
    }

    /// <summary>
    /// Appends an ONFT_BUNDLE_ADD_MESSAGE carrying the FLOW_MOD <see cref="FlowMod.EncodeTo(Span{byte}, int, uint, FlowModCommand, ulong, ulong, byte, ushort, Dvr.OpenFlow.Match.Match, InstructionList)"/>
    /// writes, with the same xid: the bytes of <c>new BundleAddMessage { Message = new FlowMod { ... } }.Encode(output)</c>
    /// without building either record, each length computed once. Returns the bytes written.
    /// </summary>
    public static int EncodeFlowMod(
        IBufferWriter<byte> output, uint xid, uint bundleId, BundleFlags flags, FlowModCommand command, ulong cookie, ulong cookieMask, byte tableId,
        ushort priority, Dvr.OpenFlow.Match.Match match, InstructionList instructions)
    {
        int innerLength = FlowMod.EncodedLengthOf(match, instructions);
        int length = OfpHeader.Size + AddHeaderLength + innerLength;
        if (length > OfpHeader.MaxLength)
        {
            throw new InvalidOperationException($"bundled FLOW_MOD of {length} bytes exceeds the 65,535-byte OpenFlow message limit");
        }

        var span = output.GetSpan(length);
        new OfpHeader(OfpHeader.Version13, OfpType.Experimenter, (ushort)length, xid).Write(span);
        BinaryPrimitives.WriteUInt32BigEndian(span[8..], OnfBundle.Experimenter);
        BinaryPrimitives.WriteUInt32BigEndian(span[12..], OnfBundle.AddMessageType);
        BinaryPrimitives.WriteUInt32BigEndian(span[16..], bundleId);
        BinaryPrimitives.WriteUInt16BigEndian(span[20..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(span[22..], (ushort)flags);
        FlowMod.EncodeTo(span[(OfpHeader.Size + AddHeaderLength)..], innerLength, xid, command, cookie, cookieMask, tableId, priority, match, instructions);
        output.Advance(length);
        return length;
    }

    public static bool IsBundlable(OfpType type) =>
        type is OfpType.FlowMod or OfpType.GroupMod or OfpType.PortMod or OfpType.PacketOut;

    /// <summary>Decodes the body after experimenter and exp_type.</summary>
    public static BundleAddMessage Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        uint bundleId = body.ReadUInt32();
        body.SkipPadding(2);
        ushort flags = body.ReadUInt16();
        if (body.Remaining < OfpHeader.Size)
        {
            throw new OpenFlowException(OfpError.BundleMessageBadLen, $"bundle add has {body.Remaining} byte(s) for the inner message");
        }

        var innerHeader = OfpHeader.Read(body.Rest);
        if (innerHeader.Length < OfpHeader.Size || innerHeader.Length > body.Remaining)
        {
            throw new OpenFlowException(OfpError.BundleMessageBadLen, $"inner message length {innerHeader.Length} with {body.Remaining} byte(s) left");
        }

        var innerBytes = body.ReadBytes(innerHeader.Length);
        if (innerHeader.Xid != header.Xid)
        {
            throw new OpenFlowException(OfpError.BundleMessageBadXid, $"inner xid 0x{innerHeader.Xid:x} differs from the bundle's 0x{header.Xid:x}");
        }

        if (innerHeader.Version != OfpHeader.Version13 || !IsBundlable(innerHeader.Type))
        {
            throw new OpenFlowException(OfpError.BundleMessageUnsupported, $"{innerHeader.Type} is not allowed inside a bundle");
        }

        if (mode == DecodeMode.Strict && (flags & ~3) != 0)
        {
            throw new OpenFlowException(OfpError.BundleBadFlags, $"bundle flags 0x{flags:x4} has unknown bits");
        }

        var inner = MessageDecoder.DecodeInner(innerBytes, mode);
        return new BundleAddMessage
        {
            Xid = header.Xid,
            BundleId = bundleId,
            Flags = (BundleFlags)flags,
            Message = inner,
            Properties = ByteData.Copy(body.ReadBytes(body.Remaining)),
        };
    }

    /// <summary>OVS ofputil_format_bundle_add: "\n bundle_id=0 flags=atomic ordered\n" then the inner message.</summary>
    public override void FormatBody(StringBuilder output, PortNames names, int verbosity)
    {
        output.Append("\n bundle_id=");
        OnfBundle.AppendBundleId(output, BundleId);
        output.Append(" flags=");
        OnfBundle.AppendFlags(output, Flags);
        output.Append('\n');
        output.Append(OfpPrint.Format(Message with { Xid = Xid }, names, verbosity));
    }
}
