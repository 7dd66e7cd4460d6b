using System.Text;
using Dvr.OpenFlow.Match;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;
using OfpMatch = Dvr.OpenFlow.Match.Match;

namespace Dvr.OpenFlow.Messages.Packet;

/// <summary>enum ofp_packet_in_reason (OpenFlow 1.3.5 §A.4.1).</summary>
public enum PacketInReason : byte
{
    NoMatch = 0,
    Action = 1,
    InvalidTtl = 2,
}

/// <summary>
/// OFPT_PACKET_IN (OpenFlow 1.3.5 §A.4.1):
/// <code>
///  0               4       6       7       8                               16
///  +---------------+-------+-------+-------+-------------------------------+
///  |   buffer_id   |total_ |reason |table  |            cookie             |
///  |               | len   |       |  id   |                               |
///  +---------------+-------+-------+-------+-------------------------------+
///  | struct ofp_match (padded to 8) | pad(2) | ethernet frame ...          |
/// </code>
/// The match carries the packet's pipeline fields (in_port, metadata, tunnel id, ...), not its headers.
/// </summary>
public sealed record PacketIn : OpenFlowMessage
{
    /// <summary>OFP_NO_BUFFER: the whole packet is in <see cref="Data"/>.</summary>
    public const uint NoBuffer = 0xffffffff;

    public override OfpType Type => OfpType.PacketIn;

    public uint BufferId { get; init; } = NoBuffer;

    /// <summary>Length of the whole frame; more than <see cref="Data"/> when the switch truncated it.</summary>
    public ushort TotalLength { get; init; }

    public PacketInReason Reason { get; init; }

    public byte TableId { get; init; }

    /// <summary>Cookie of the flow that sent the packet; all-ones when none (OpenFlow 1.3.5 §A.4.1).</summary>
    public ulong Cookie { get; init; } = ulong.MaxValue;

    public OfpMatch Match { get; init; } = OfpMatch.Any;

    public ByteData Data { get; init; } = ByteData.Empty;

    /// <summary>The OXM in_port of the match (OFPP_CONTROLLER's value 0xfffffffd for packets from PACKET_OUT).</summary>
    public uint? InPort => Match.Get(OxmFields.InPort) is { } entry ? (uint)entry.Value : null;

    public override int BodyLength => 16 + Match.EncodedLength + 2 + Data.Length;

    public override void WriteBody(ref SpanWriter writer)
    {
        writer.WriteUInt32(BufferId);
        writer.WriteUInt16(TotalLength);
        writer.WriteByte((byte)Reason);
        writer.WriteByte(TableId);
        writer.WriteUInt64(Cookie);
        Match.Encode(ref writer);
        writer.WriteZeros(2);
        writer.WriteBytes(Data.Span);
    }

    public static PacketIn Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        var packetIn = new PacketIn
        {
            Xid = header.Xid,
            BufferId = body.ReadUInt32(),
            TotalLength = body.ReadUInt16(),
            Reason = (PacketInReason)body.ReadByte(),
            TableId = body.ReadByte(),
            Cookie = body.ReadUInt64(),
        };

        // The switch reports its own pipeline fields: read them loosely, as OVS does.
        var match = OfpMatch.Decode(ref body, DecodeMode.Loose);
        body.SkipPadding(2);
        return packetIn with { Match = match, Data = ByteData.Copy(body.ReadBytes(body.Remaining)) };
    }

    /// <summary>
    /// OVS ofputil_packet_in_private_format: "[ table_id=N][ cookie=0x..] total_len=N METADATA (via REASON)
    /// data_len=N (unbuffered)|buffer=0x%08x", a newline, then (verbosity &gt; 0) the packet's flow text.
    /// </summary>
    public override void FormatBody(StringBuilder output, PortNames names, int verbosity)
    {
        if (TableId != 0)
        {
            output.Append(" table_id=").Append(TableId);
        }

        if (Cookie != ulong.MaxValue)
        {
            output.Append(" cookie=0x").Append(Cookie.ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        }

        output.Append(" total_len=").Append(TotalLength).Append(' ');
        PacketText.AppendMetadata(output, Match, names);
        output.Append(" (via ").Append(Reason switch
        {
            PacketInReason.NoMatch => "no_match",
            PacketInReason.Action => "action",
            PacketInReason.InvalidTtl => "invalid_ttl",
            _ => ((int)Reason).ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).Append(')');
        output.Append(" data_len=").Append(Data.Length);
        if (BufferId == NoBuffer)
        {
            output.Append(" (unbuffered)");
            if (TotalLength != Data.Length)
            {
                output.Append(" (***total_len != data_len***)");
            }
        }
        else
        {
            output.Append(" buffer=0x").Append(BufferId.ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
            if (TotalLength < Data.Length)
            {
                output.Append(" (***total_len < data_len***)");
            }
        }

        output.Append('\n');
        if (verbosity > 0)
        {
            PacketText.Append(output, Data.Span);
            output.Append('\n');
        }

        if (verbosity > 2)
        {
            HexDump.Append(output, Data.Span, ascii: false);
        }
    }
}
