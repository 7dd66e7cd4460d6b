using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Actions;

/// <summary>How a resubmit was (or will be) encoded; OVS keeps the decoded form so bytes round-trip.</summary>
public enum ResubmitForm
{
    /// <summary>NXAST_RESUBMIT_TABLE (14), what OVS writes for every parsed resubmit.</summary>
    Table,

    /// <summary>NXAST_RESUBMIT (1): port only, table 255 implied.</summary>
    Legacy,
}

/// <summary>
/// NXAST_RESUBMIT / NXAST_RESUBMIT_TABLE / NXAST_RESUBMIT_TABLE_CT (nicira-ext.h struct nx_action_resubmit), 16 bytes:
/// <code>ffff | len=16 | 00002320 | subtype(2) | in_port(2) | table(1) | pad(3)</code>
/// in_port is a 16-bit OpenFlow 1.0 port (0xfff8 = IN_PORT: "the packet's own port"); table 255 = "this table".
/// Text: <c>resubmit:PORT</c>, <c>resubmit(PORT,TABLE)</c>, <c>resubmit(,TABLE)</c>, <c>resubmit(,TABLE,ct)</c>.
/// </summary>
public sealed record ResubmitAction(uint InPort = OfpPort.InPort, byte TableId = 255, bool WithConntrackOriginal = false, ResubmitForm Form = ResubmitForm.Table) : NiciraAction
{
    public const int Length = 16;

    public override NiciraSubtype Subtype => WithConntrackOriginal ? NiciraSubtype.ResubmitTableCt
        : Form == ResubmitForm.Legacy && TableId == 255 ? NiciraSubtype.Resubmit : NiciraSubtype.ResubmitTable;

    public override int EncodedLength => Length;

    public override void Encode(ref SpanWriter writer)
    {
        WriteHeader(ref writer);
        writer.WriteUInt16(NxmValues.Port32To16(InPort) ?? 0);
        if (Subtype == NiciraSubtype.Resubmit)
        {
            writer.WriteZeros(4);
        }
        else
        {
            writer.WriteByte(TableId);
            writer.WriteZeros(3);
        }
    }

    internal static ResubmitAction Decode(ref SpanReader body, int length, NiciraSubtype subtype)
    {
        ExpectLength(length, Length, subtype);
        uint port = NxmValues.Port16To32(body.ReadUInt16());
        if (subtype == NiciraSubtype.Resubmit)
        {
            return new ResubmitAction(port, 255, false, ResubmitForm.Legacy);
        }

        byte table = body.ReadByte();
        if (body.ReadBytes(3).ContainsAnyExcept((byte)0))
        {
            // decode_NXAST_RAW_RESUBMIT_TABLE: non-zero padding is OFPBAC_BAD_ARGUMENT.
            throw new OpenFlowException(OfpError.BadActionArgument, "resubmit with non-zero padding");
        }

        return new ResubmitAction(port, table, subtype == NiciraSubtype.ResubmitTableCt);
    }

    public override void Format(StringBuilder output, PortNames names)
    {
        if (InPort != OfpPort.InPort && TableId == 255 && !WithConntrackOriginal)
        {
            output.Append("resubmit:");
            PortFormat.Append(output, InPort, names);
            return;
        }

        output.Append("resubmit(");
        if (InPort != OfpPort.InPort)
        {
            PortFormat.Append(output, InPort, names);
        }

        output.Append(',');
        if (TableId != 255)
        {
            output.Append(TableId);
        }

        if (WithConntrackOriginal)
        {
            output.Append(",ct");
        }

        output.Append(')');
    }
}
