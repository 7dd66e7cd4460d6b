using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Multipart;

/// <summary>OFPMP_TABLE request body (OpenFlow 1.3.5 §A.3.5.4): empty.</summary>
public sealed record TableStatsRequest : IMultipartBody
{
    public const ushort MultipartType = 3;

    public int BodyLength => 0;

    public void WriteBody(ref SpanWriter writer)
    {
    }

    public static TableStatsRequest Decode(ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        _ = body;
        return new TableStatsRequest();
    }

    public void Format(StringBuilder output, PortNames names)
    {
    }
}

/// <summary>
/// struct ofp_table_stats (OpenFlow 1.3.5 §A.3.5.4), 24 bytes:
/// <code>table_id(1) | pad(3) | active_count(4) | lookup_count(8) | matched_count(8)</code>
/// </summary>
public readonly record struct TableStats(byte TableId, uint ActiveCount, ulong LookupCount, ulong MatchedCount)
{
    public const int Length = 24;
}

/// <summary>OFPMP_TABLE reply body: a run of 24-byte <see cref="TableStats"/>.</summary>
public sealed record TableStatsReply(ValueList<TableStats> Tables) : IMultipartBody
{
    public const ushort MultipartType = 3;

    public int BodyLength => TableStats.Length * Tables.Count;

    public void WriteBody(ref SpanWriter writer)
    {
        foreach (var table in Tables)
        {
            writer.WriteByte(table.TableId);
            writer.WriteZeros(3);
            writer.WriteUInt32(table.ActiveCount);
            writer.WriteUInt64(table.LookupCount);
            writer.WriteUInt64(table.MatchedCount);
        }
    }

    /// <summary>OVS requires the body to be a whole number of 24-byte entries (else OFPBRC_BAD_LEN).</summary>
    public static TableStatsReply Decode(ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        if (body.Remaining % TableStats.Length != 0)
        {
            throw new OpenFlowException(OfpError.BadLen, $"table stats reply body of {body.Remaining} byte(s) is not a multiple of {TableStats.Length}");
        }

        var tables = ImmutableArray.CreateBuilder<TableStats>(body.Remaining / TableStats.Length);
        while (!body.IsEmpty)
        {
            byte id = body.ReadByte();
            body.SkipPadding(3);
            tables.Add(new TableStats(id, body.ReadUInt32(), body.ReadUInt64(), body.ReadUInt64()));
        }

        return new TableStatsReply(new ValueList<TableStats>(tables.MoveToImmutable()));
    }

    /// <summary>lib/ofp-table.c ofputil_format_table_features with stats only: one block per table.</summary>
    public void Format(StringBuilder output, PortNames names)
    {
        var invariant = CultureInfo.InvariantCulture;
        foreach (var table in Tables)
        {
            output.Append("\n  table ").Append(table.TableId.ToString(invariant)).Append(":\n");
            output.Append("    active=").Append(table.ActiveCount.ToString(invariant));
            output.Append(", lookup=");
            ModText.Counter(output, table.LookupCount);
            output.Append(", matched=");
            ModText.Counter(output, table.MatchedCount);
            output.Append('\n');
        }
    }
}
