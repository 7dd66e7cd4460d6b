using System.Collections.Immutable;
using System.Text;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Messages.Flow;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;
using OfpMatch = Dvr.OpenFlow.Match.Match;

namespace Dvr.OpenFlow.Messages.Multipart;

/// <summary>
/// OFPMP_FLOW / OFPMP_AGGREGATE request body, struct ofp_flow_stats_request (OpenFlow 1.3.5 §A.3.5.2):
/// <code>
///  0       1               4               8               12              16
///  +-------+---------------+---------------+---------------+---------------+
///  |table  |    pad(3)     |   out_port    |   out_group   |    pad(4)     |
///  +-------+---------------+---------------+---------------+---------------+
///  |            cookie             |          cookie_mask          |
///  +-------------------------------+-------------------------------+
///  |                struct ofp_match (padded to 8)                  |
/// </code>
/// A controller reads back its own flows with table=ALL and its cookie under a cookie mask.
/// </summary>
public abstract record FlowStatsRequestBase : MultipartRequestBody
{
    public const int FixedLength = 32;

    public byte TableId { get; init; } = FlowMod.AllTables;

    public uint OutPort { get; init; } = OfpPort.Any;

    public uint OutGroup { get; init; } = FlowMod.AnyGroup;

    public ulong Cookie { get; init; }

    public ulong CookieMask { get; init; }

    public OfpMatch Match { get; init; } = OfpMatch.Any;

    public override int BodyLength => FixedLength + Match.EncodedLength;

    public override void WriteBody(ref SpanWriter writer)
    {
        writer.WriteByte(TableId);
        writer.WriteZeros(3);
        writer.WriteUInt32(OutPort);
        writer.WriteUInt32(OutGroup);
        writer.WriteZeros(4);
        writer.WriteUInt64(Cookie);
        writer.WriteUInt64(CookieMask);
        Match.Encode(ref writer);
    }

    private protected static (byte Table, uint OutPort, uint OutGroup, ulong Cookie, ulong CookieMask, OfpMatch Match) DecodeFields(ref SpanReader body, DecodeMode mode)
    {
        byte table = body.ReadByte();
        body.SkipPadding(3);
        uint outPort = body.ReadUInt32();
        uint outGroup = body.ReadUInt32();
        body.SkipPadding(4);
        ulong cookie = body.ReadUInt64();
        ulong cookieMask = body.ReadUInt64();
        var match = OfpMatch.Decode(ref body, mode);
        return (table, outPort, outGroup, cookie, cookieMask, match);
    }

    /// <summary>OVS ofputil_flow_stats_request_format: "[ table=T][ out_port=P][ out_group=G] MATCH".</summary>
    public override void Format(StringBuilder output, PortNames names)
    {
        if (TableId != FlowMod.AllTables)
        {
            output.Append(" table=").Append(TableId);
        }

        if (OutPort != OfpPort.Any)
        {
            output.Append(" out_port=");
            PortFormat.Append(output, OutPort, names);
        }

        output.Append(' ');
        MatchTextBridge.Append(output, Match, names, FlowMod.DefaultPriority);
    }
}

/// <summary>OFPMP_FLOW request.</summary>
public sealed record FlowStatsRequest : FlowStatsRequestBase
{
    public override MultipartType MultipartType => MultipartType.Flow;

    public static FlowStatsRequest Decode(ref SpanReader body, DecodeMode mode)
    {
        var (table, outPort, outGroup, cookie, cookieMask, match) = DecodeFields(ref body, mode);
        return new FlowStatsRequest { TableId = table, OutPort = outPort, OutGroup = outGroup, Cookie = cookie, CookieMask = cookieMask, Match = match };
    }
}

/// <summary>
/// One struct ofp_flow_stats (OpenFlow 1.3.5 §A.3.5.2):
/// <code>
///  0               2       3       4               8               12
///  +---------------+-------+-------+---------------+---------------+
///  |    length     |table  | pad   | duration_sec  | duration_nsec |
///  +-------+-------+-------+-------+-------+-------+---------------+
///  |priority|idle_to|hard_to| flags |    pad(4)     |
///  +-------+-------+-------+-------+---------------+---------------+
///  |            cookie             |         packet_count          |
///  +-------------------------------+-------------------------------+
///  |          byte_count           |  match (padded) | instructions |
/// </code>
/// </summary>
public sealed record FlowStatsEntry
{
    public const int FixedLength = 48;

    public byte TableId { get; init; }

    public uint DurationSeconds { get; init; }

    public uint DurationNanoseconds { get; init; }

    public ushort Priority { get; init; } = FlowMod.DefaultPriority;

    public ushort IdleTimeout { get; init; }

    public ushort HardTimeout { get; init; }

    public FlowModFlags Flags { get; init; }

    public ulong Cookie { get; init; }

    public ulong PacketCount { get; init; }

    public ulong ByteCount { get; init; }

    public OfpMatch Match { get; init; } = OfpMatch.Any;

    public InstructionList Instructions { get; init; } = InstructionList.Drop;

    public int EncodedLength => FixedLength + Match.EncodedLength + Instructions.EncodedLength;

    public void Encode(ref SpanWriter writer)
    {
        writer.WriteUInt16((ushort)EncodedLength);
        writer.WriteByte(TableId);
        writer.WriteZeros(1);
        writer.WriteUInt32(DurationSeconds);
        writer.WriteUInt32(DurationNanoseconds);
        writer.WriteUInt16(Priority);
        writer.WriteUInt16(IdleTimeout);
        writer.WriteUInt16(HardTimeout);
        writer.WriteUInt16((ushort)Flags);
        writer.WriteZeros(4);
        writer.WriteUInt64(Cookie);
        writer.WriteUInt64(PacketCount);
        writer.WriteUInt64(ByteCount);
        Match.Encode(ref writer);
        Instructions.Encode(ref writer);
    }

    public static FlowStatsEntry Decode(ref SpanReader reader, DecodeMode mode)
    {
        ushort length = reader.PeekUInt16();
        if (length < FixedLength || length > reader.Remaining)
        {
            throw new OpenFlowException(OfpError.BadLen, $"flow stats entry length {length} ({reader.Remaining} byte(s) left)");
        }

        var entry = reader.ReadSub(length);
        entry.Skip(2);
        var stats = new FlowStatsEntry
        {
            TableId = entry.ReadByte(),
        };
        entry.SkipPadding(1);
        stats = stats with
        {
            DurationSeconds = entry.ReadUInt32(),
            DurationNanoseconds = entry.ReadUInt32(),
            Priority = entry.ReadUInt16(),
            IdleTimeout = entry.ReadUInt16(),
            HardTimeout = entry.ReadUInt16(),
            Flags = (FlowModFlags)entry.ReadUInt16(),
        };
        entry.SkipPadding(4);
        stats = stats with { Cookie = entry.ReadUInt64(), PacketCount = entry.ReadUInt64(), ByteCount = entry.ReadUInt64() };
        var match = OfpMatch.Decode(ref entry, mode);
        var instructions = InstructionCodec.DecodeList(ref entry, mode);
        return stats with { Match = match, Instructions = instructions };
    }
}

/// <summary>OFPMP_FLOW reply body: a run of <see cref="FlowStatsEntry"/>.</summary>
public sealed record FlowStatsReply : MultipartReplyBody
{
    public override MultipartType MultipartType => MultipartType.Flow;

    public ImmutableArray<FlowStatsEntry> Entries { get; init; } = [];

    public override int BodyLength => Entries.Sum(e => e.EncodedLength);

    public override void WriteBody(ref SpanWriter writer)
    {
        foreach (var entry in Entries)
        {
            entry.Encode(ref writer);
        }
    }

    public static FlowStatsReply Decode(ref SpanReader body, DecodeMode mode)
    {
        var entries = ImmutableArray.CreateBuilder<FlowStatsEntry>();
        while (!body.IsEmpty)
        {
            entries.Add(FlowStatsEntry.Decode(ref body, mode));
        }

        return new FlowStatsReply { Entries = entries.ToImmutable() };
    }

    /// <summary>OVS ofp_print_flow_stats_reply: each entry on its own line after "\n ".</summary>
    public override void Format(StringBuilder output, PortNames names)
    {
        foreach (var entry in Entries)
        {
            output.Append("\n ");
            FlowStatsText.Format(output, entry, names, FlowStatsText.Options.WithStats);
        }
    }

    public bool Equals(FlowStatsReply? other) =>
        other is not null && Entries.AsSpan().SequenceEqual(other.Entries.AsSpan());

    public override int GetHashCode() => Entries.Length;
}
