using System.Text;
using Dvr.OpenFlow.Match;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Actions;

/// <summary>
/// OFPAT_OUTPUT (OpenFlow 1.3.5 §7.2.5.1), 16 bytes:
/// <code>type(2)=0 | len(2)=16 | port(4) | max_len(2) | pad(6)</code>
/// OVS writes max_len 0 except for CONTROLLER, where it is the byte count to send.
/// </summary>
public sealed record OutputAction(uint Port, ushort MaxLength = 0) : OfpAction
{
    public const int Length = 16;

    public override int EncodedLength => Length;

    public override void Encode(ref SpanWriter writer)
    {
        writer.WriteUInt16((ushort)OfpActionType.Output);
        writer.WriteUInt16(Length);
        writer.WriteUInt32(Port);
        writer.WriteUInt16(MaxLength);
        writer.WriteZeros(6);
    }

    public override void Format(StringBuilder output, PortNames names)
    {
        if (Port == OfpPort.Controller)
        {
            output.Append("CONTROLLER:").Append(MaxLength);
        }
        else if (OfpPort.ReservedName(Port) is { } reserved)
        {
            output.Append(reserved);
        }
        else
        {
            output.Append("output:");
            PortFormat.Append(output, Port, names);
        }
    }
}

/// <summary>OFPAT_PUSH_VLAN (§7.2.5.4), 8 bytes: <c>type(2)=17 | len(2)=8 | ethertype(2) | pad(2)</c>.</summary>
public sealed record PushVlanAction(ushort EtherType = 0x8100) : OfpAction
{
    public override int EncodedLength => 8;

    public override void Encode(ref SpanWriter writer)
    {
        writer.WriteUInt16((ushort)OfpActionType.PushVlan);
        writer.WriteUInt16(8);
        writer.WriteUInt16(EtherType);
        writer.WriteZeros(2);
    }

    public override void Format(StringBuilder output, PortNames names) =>
        output.Append("push_vlan:0x").Append(EtherType.ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>OFPAT_POP_VLAN (§7.2.5.5), 8 bytes: <c>type(2)=18 | len(2)=8 | pad(4)</c>.</summary>
public sealed record PopVlanAction : OfpAction
{
    public override int EncodedLength => 8;

    public override void Encode(ref SpanWriter writer)
    {
        writer.WriteUInt16((ushort)OfpActionType.PopVlan);
        writer.WriteUInt16(8);
        writer.WriteZeros(4);
    }

    public override void Format(StringBuilder output, PortNames names) => output.Append("pop_vlan");
}

/// <summary>
/// OFPAT_SET_FIELD (§7.2.5.9): <c>type(2)=25 | len(2) | one OXM TLV (no mask) | pad to 8</c>.
/// </summary>
public sealed record SetFieldAction(OxmField Field, UInt128 Value) : OfpAction
{
    public override int EncodedLength => SpanWriter.Align(4 + 4 + Field.Length + (Field.Experimenter != 0 ? 4 : 0), 8);

    public override void Encode(ref SpanWriter writer)
    {
        int start = writer.Position;
        writer.WriteUInt16((ushort)OfpActionType.SetField);
        writer.WriteUInt16((ushort)EncodedLength);
        Dvr.OpenFlow.Match.Match.WriteEntry(ref writer, OxmEntry.Exact(Field, Value), withMask: false);
        writer.PadTo(start, 8);
    }

    public override void Format(StringBuilder output, PortNames names)
    {
        output.Append("set_field:");
        FieldFormat.AppendValue(output, Field, Value, names);
        output.Append("->").Append(FieldFormat.SetFieldName(Field));
    }
}
