using System.Buffers.Binary;
using System.Text;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Flow;

/// <summary>enum ofp_flow_mod_command (OpenFlow 1.3.5 §A.3.4.1).</summary>
public enum FlowModCommand : byte
{
    Add = 0,
    Modify = 1,
    ModifyStrict = 2,
    Delete = 3,
    DeleteStrict = 4,
}

/// <summary>enum ofp_flow_mod_flags (OpenFlow 1.3.5 §A.3.4.1).</summary>
[Flags]
public enum FlowModFlags : ushort
{
    None = 0,
    SendFlowRemoved = 1 << 0,
    CheckOverlap = 1 << 1,
    ResetCounts = 1 << 2,
    NoPacketCounts = 1 << 3,
    NoByteCounts = 1 << 4,
}

/// <summary>
/// OFPT_FLOW_MOD (OpenFlow 1.3.5 §A.3.4.1), body after the header:
/// <code>
///  0                               8                               16
///  +-------------------------------+-------------------------------+
///  |            cookie             |          cookie_mask          |
///  +-------+-------+-------+-------+-------+-------+-------+-------+
///  |table  |command| idle_timeout  | hard_timeout  |   priority    |
///  +-------+-------+---------------+---------------+---------------+
///  |           buffer_id           |           out_port            |
///  +-------------------------------+---------------+---------------+
///  |           out_group           |     flags     |    pad(2)     |
///  +-------------------------------+---------------+---------------+
///  |   struct ofp_match (padded to 8)  |  instructions ...         |
/// </code>
/// Cookie rules (OVS include/openvswitch/ofp-flow.h): ADD sets the cookie; MODIFY/DELETE match
/// cookie under cookie_mask; a MODIFY cannot change a cookie, so a new cookie means ADD.
/// </summary>
public sealed record FlowMod : OpenFlowMessage
{
    /// <summary>Fixed part of the body before the match: 8+8+1+1+2+2+2+4+4+4+2+2.</summary>
    public const int FixedBodyLength = 40;

    /// <summary>OFP_NO_BUFFER.</summary>
    public const uint NoBuffer = 0xffffffff;

    /// <summary>OFPG_ANY.</summary>
    public const uint AnyGroup = 0xffffffff;

    /// <summary>OFPTT_ALL: delete from every table.</summary>
    public const byte AllTables = 0xff;

    /// <summary>OFP_DEFAULT_PRIORITY, which ovs-ofctl leaves out of flow text.</summary>
    public const ushort DefaultPriority = 0x8000;

    public override OfpType Type => OfpType.FlowMod;

    public ulong Cookie { get; init; }

    public ulong CookieMask { get; init; }

    public byte TableId { get; init; }

    public FlowModCommand Command { get; init; }

    public ushort IdleTimeout { get; init; }

    public ushort HardTimeout { get; init; }

    public ushort Priority { get; init; } = DefaultPriority;

    public uint BufferId { get; init; } = NoBuffer;

    public uint OutPort { get; init; } = OfpPort.Any;

    public uint OutGroup { get; init; } = AnyGroup;

    public FlowModFlags Flags { get; init; }

    public Dvr.OpenFlow.Match.Match Match { get; init; } = Dvr.OpenFlow.Match.Match.Any;

    public InstructionList Instructions { get; init; } = InstructionList.Drop;

    public override int BodyLength => FixedBodyLength + Match.EncodedLength + Instructions.EncodedLength;

    public override void WriteBody(ref SpanWriter writer)
    {
        WriteFixedPart(writer.Reserve(FixedBodyLength), Cookie, CookieMask, TableId, Command, Priority, IdleTimeout, HardTimeout, BufferId, OutPort, OutGroup, Flags);
        Match.Encode(ref writer);
        Instructions.Encode(ref writer);
    }

    /// <summary>
    /// Writes a whole FLOW_MOD (header included) from its fields, with the timeouts at 0, no buffer, out_port and
    /// out_group ANY and no flags: the bytes <c>new FlowMod { ... }.EncodeTo(destination)</c> writes, without
    /// building the record. A controller pushing 100,000 flows spends its own time here (docs/benchmarks.md, "Push").
    /// </summary>
    /// <param name="destination">At least <paramref name="length"/> bytes.</param>
    /// <param name="length">The FLOW_MOD's length, from <see cref="EncodedLengthOf"/>.</param>
    public static void EncodeTo(
        Span<byte> destination, int length, uint xid, FlowModCommand command, ulong cookie, ulong cookieMask, byte tableId, ushort priority,
        Dvr.OpenFlow.Match.Match match, InstructionList instructions)
    {
        new OfpHeader(OfpHeader.Version13, OfpType.FlowMod, (ushort)length, xid).Write(destination);
        WriteFixedPart(destination[OfpHeader.Size..], cookie, cookieMask, tableId, command, priority, 0, 0, NoBuffer, OfpPort.Any, AnyGroup, FlowModFlags.None);
        var writer = new SpanWriter(destination[(OfpHeader.Size + FixedBodyLength)..length]);
        match.Encode(ref writer);
        instructions.Encode(ref writer);
        if (writer.Position != length - OfpHeader.Size - FixedBodyLength)
        {
            throw new InvalidOperationException($"FLOW_MOD wrote {writer.Position + OfpHeader.Size + FixedBodyLength} bytes but declared {length}");
        }
    }

    /// <summary>The bytes of a FLOW_MOD with this match and these instructions (header included).</summary>
    public static int EncodedLengthOf(Dvr.OpenFlow.Match.Match match, InstructionList instructions) =>
        OfpHeader.Size + FixedBodyLength + match.EncodedLength + instructions.EncodedLength;

    /// <summary>The 40 bytes between the header and the match (the diagram above), at constant offsets.</summary>
    private static void WriteFixedPart(
        Span<byte> fixedPart, ulong cookie, ulong cookieMask, byte tableId, FlowModCommand command, ushort priority,
        ushort idleTimeout, ushort hardTimeout, uint bufferId, uint outPort, uint outGroup, FlowModFlags flags)
    {
        fixedPart = fixedPart[..FixedBodyLength];
        BinaryPrimitives.WriteUInt64BigEndian(fixedPart, cookie);
        BinaryPrimitives.WriteUInt64BigEndian(fixedPart[8..], cookieMask);
        fixedPart[16] = tableId;
        fixedPart[17] = (byte)command;
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart[18..], idleTimeout);
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart[20..], hardTimeout);
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart[22..], priority);
        BinaryPrimitives.WriteUInt32BigEndian(fixedPart[24..], bufferId);
        BinaryPrimitives.WriteUInt32BigEndian(fixedPart[28..], outPort);
        BinaryPrimitives.WriteUInt32BigEndian(fixedPart[32..], outGroup);
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart[36..], (ushort)flags);
        fixedPart[38] = 0;
        fixedPart[39] = 0;
    }

    /// <summary>OVS ofputil_flow_mod_format: " ADD table:1 priority=2,... actions=..." (see <see cref="FlowModText"/>).</summary>
    public override void FormatBody(StringBuilder output, PortNames names, int verbosity) => FlowModText.Format(output, this, names);

    public static FlowMod Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        // The fixed part is taken with one length check and read at constant offsets (see the diagram above);
        // fields are read into locals and the record is built once: a `with` copy would allocate it twice.
        var fixedPart = body.ReadBytes(FixedBodyLength);
        ulong cookie = BinaryPrimitives.ReadUInt64BigEndian(fixedPart);
        ulong cookieMask = BinaryPrimitives.ReadUInt64BigEndian(fixedPart[8..]);
        byte tableId = fixedPart[16];
        var command = (FlowModCommand)fixedPart[17];
        ushort idleTimeout = BinaryPrimitives.ReadUInt16BigEndian(fixedPart[18..]);
        ushort hardTimeout = BinaryPrimitives.ReadUInt16BigEndian(fixedPart[20..]);
        ushort priority = BinaryPrimitives.ReadUInt16BigEndian(fixedPart[22..]);
        uint bufferId = BinaryPrimitives.ReadUInt32BigEndian(fixedPart[24..]);
        uint outPort = BinaryPrimitives.ReadUInt32BigEndian(fixedPart[28..]);
        uint outGroup = BinaryPrimitives.ReadUInt32BigEndian(fixedPart[32..]);
        var flags = (FlowModFlags)BinaryPrimitives.ReadUInt16BigEndian(fixedPart[36..]);
        if (command > FlowModCommand.DeleteStrict)
        {
            throw new OpenFlowException(OfpError.BadCommand, $"flow_mod command {(byte)command}");
        }

        if (((ushort)flags & ~0x1f) != 0)
        {
            throw new OpenFlowException(OfpError.BadFlags, $"flow_mod flags 0x{(ushort)flags:x4} has unknown bits");
        }

        var match = Dvr.OpenFlow.Match.Match.Decode(ref body, mode);
        var instructions = InstructionCodec.DecodeList(ref body, mode);
        return new FlowMod
        {
            Xid = header.Xid,
            Cookie = cookie,
            CookieMask = cookieMask,
            TableId = tableId,
            Command = command,
            IdleTimeout = idleTimeout,
            HardTimeout = hardTimeout,
            Priority = priority,
            BufferId = bufferId,
            OutPort = outPort,
            OutGroup = outGroup,
            Flags = flags,
            Match = match,
            Instructions = instructions,
        };
    }
}
