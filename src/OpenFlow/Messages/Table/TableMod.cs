using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Table;

/// <summary>
/// OFPT_TABLE_MOD (OpenFlow 1.3.5 §A.3.3), body after the header, 8 bytes:
/// <code>table_id(1) | pad(3) | config(4)</code>
/// OpenFlow 1.3 deprecates every config bit (OFPTC_DEPRECATED_MASK = 3), so OVS ignores config for 1.3
/// and prints only the table; the value is kept here so the bytes round-trip.
/// </summary>
public sealed record TableMod : OpenFlowMessage
{
    public const int Length = 8;

    /// <summary>OFPTT_ALL.</summary>
    public const byte AllTables = 0xff;

    public override OfpType Type => OfpType.TableMod;

    public byte TableId { get; init; }

    public uint Config { get; init; }

    public override int BodyLength => Length;

    public override void WriteBody(ref SpanWriter writer)
    {
        writer.WriteByte(TableId);
        writer.WriteZeros(3);
        writer.WriteUInt32(Config);
    }

    public static TableMod Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        if (body.Remaining != Length)
        {
            throw new OpenFlowException(OfpError.BadLen, $"table_mod body is {body.Remaining} byte(s), expected {Length}");
        }

        byte table = body.ReadByte();
        body.SkipPadding(3);
        return new TableMod { Xid = header.Xid, TableId = table, Config = body.ReadUInt32() };
    }

    /// <summary>ovs-ofctl ofp-print text (lib/ofp-table.c ofputil_table_mod_format).</summary>
    public void Format(StringBuilder output, PortNames names)
    {
        ModText.Header(output, "OFPT_TABLE_MOD", Xid);
        if (TableId == AllTables)
        {
            output.Append(" table_id: ALL_TABLES");
        }
        else
        {
            output.Append(" table_id=").Append(TableId.ToString(CultureInfo.InvariantCulture));
        }
    }
}
