using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Match;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Actions;

/// <summary>
/// OFPAT_OUTPUT (OpenFlow 1.3.5 §7.2.5.1), 16 bytes:
/// <code>type(2)=0 | len(2)=16 | port(4) | max_len(2) | pad(6)</code>
/// OVS writes max_len 0 except for CONTROLLER, where it is the byte count to send; it keeps whatever it
/// decoded, so the field round-trips.
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

    internal static OutputAction Decode(ref SpanReader body)
    {
        uint port = body.ReadUInt32();
        ushort maxLength = body.ReadUInt16();

        // lib/ofp-port.c ofputil_port_from_ofp11: 32-bit ports 0xff00..0xfffffeff have no meaning, and
        // ofpact_check_output_port refuses OFPP_ANY as an output port.
        if ((port >= 0xff00 && port < OfpPort.Max) || port == OfpPort.Any)
        {
            throw new OpenFlowException(OfpError.BadOutPort, $"output to port {port}");
        }

        return maxLength == 0 && port < SharedPorts ? Shared[port] ??= new OutputAction(port) : new OutputAction(port, maxLength);
    }

    /// <summary>Output to a physical port below this number without max_len decodes to a shared instance.</summary>
    private const int SharedPorts = 1024;

    /// <summary>Shared instances of the common "output:N" (a flow table names few ports; the record is immutable).</summary>
    private static readonly OutputAction?[] Shared = new OutputAction?[SharedPorts];

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

/// <summary>Standard actions with an 8-byte body-less or one-value layout, grouped: §7.2.5.</summary>
internal static class StandardActionLayout
{
    /// <summary>Writes <c>type(2) | len(2)=8</c>; the caller writes the 4 remaining bytes.</summary>
    public static void WriteHeader(ref SpanWriter writer, OfpActionType type)
    {
        writer.WriteUInt16((ushort)type);
        writer.WriteUInt16(8);
    }

    /// <summary>
    /// The whole 8-byte action of push_vlan, push_mpls and pop_mpls: <c>type(2) | len(2)=8 | ethertype(2) | pad(2)</c>
    /// (OpenFlow 1.3.5 §7.2.5.4, §7.2.5.5).
    /// </summary>
    public static void WriteEtherTypeAction(ref SpanWriter writer, OfpActionType type, ushort etherType)
    {
        WriteHeader(ref writer, type);
        writer.WriteUInt16(etherType);
        writer.WriteZeros(2);
    }

    /// <summary>Appends <c>NAME:0xHHHH</c>, how OVS prints the ethertype actions.</summary>
    public static StringBuilder FormatEtherTypeAction(StringBuilder output, string name, ushort etherType) =>
        output.Append(name).Append(":0x").Append(Hex4(etherType));

    public static string Hex4(ushort value) => value.ToString("x4", CultureInfo.InvariantCulture);
}

/// <summary>OFPAT_PUSH_VLAN (§7.2.5.4), 8 bytes: <c>type(2)=17 | len(2)=8 | ethertype(2) | pad(2)</c>.</summary>
public sealed record PushVlanAction(ushort EtherType = 0x8100) : OfpAction
{
    public override int EncodedLength => 8;

    public override void Encode(ref SpanWriter writer)
    {
        StandardActionLayout.WriteEtherTypeAction(ref writer, OfpActionType.PushVlan, EtherType);
    }

    internal static PushVlanAction Decode(ref SpanReader body)
    {
        ushort etherType = body.ReadUInt16();

        // OVS accepts only the 802.1Q and 802.1ad TPIDs (decode_OFPAT_RAW11_PUSH_VLAN).
        if (etherType is not (0x8100 or 0x88a8))
        {
            throw new OpenFlowException(OfpError.BadActionArgument, $"push_vlan with ethertype 0x{etherType:x4}");
        }

        return new PushVlanAction(etherType);
    }

    public override void Format(StringBuilder output, PortNames names) =>
        StandardActionLayout.FormatEtherTypeAction(output, "push_vlan", EtherType);
}

/// <summary>OFPAT_POP_VLAN (§7.2.5.5), 8 bytes: <c>type(2)=18 | len(2)=8 | pad(4)</c>.</summary>
public sealed record PopVlanAction : OfpAction
{
    public override int EncodedLength => 8;

    public override void Encode(ref SpanWriter writer)
    {
        StandardActionLayout.WriteHeader(ref writer, OfpActionType.PopVlan);
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

    /// <summary>
    /// decode_OFPAT_RAW12_SET_FIELD, with OVS 3.1's errors: a masked TLV of a known field is OFPBAC_BAD_SET_MASK,
    /// an unknown field or wrong length OFPBAC_BAD_SET_LEN (OVS sometimes says OFPBAC_BAD_SET_TYPE for an unknown
    /// field, depending on its field hash table; we always say BAD_SET_LEN),
    /// a value outside the field's range or non-zero padding OFPBAC_BAD_SET_ARGUMENT.
    /// </summary>
    internal static SetFieldAction Decode(ref SpanReader body, int length)
    {
        uint header = body.ReadUInt32();
        uint experimenter = (header >> 16) == OxmFields.ExperimenterClass ? body.ReadUInt32() : 0;
        if ((header & 0x100) != 0)
        {
            uint exact = (header & 0xfffffe00) | ((header & 0xff) / 2);
            var maskedField = OxmFields.FromHeader(exact, experimenter);
            throw maskedField is not null && maskedField.Length == (int)(exact & 0xff) - (experimenter != 0 ? 4 : 0)
                ? new OpenFlowException(ActionErrors.BadSetMask, $"set_field of {maskedField.Name} with a mask")
                : new OpenFlowException(OfpError.BadSetLen, $"set_field of unknown field 0x{header:x8}");
        }

        var field = OxmFields.FromHeader(header, experimenter);
        int valueLength = (int)(header & 0xff) - (experimenter != 0 ? 4 : 0);
        if (field is null || field.Length != valueLength)
        {
            throw new OpenFlowException(OfpError.BadSetLen, $"set_field of unknown field 0x{header:x8}");
        }

        if (length < SpanWriter.Align(8 + (int)(header & 0xff), 8))
        {
            throw new OpenFlowException(OfpError.BadActionLen, $"set_field of {field.Name} in {length} bytes");
        }

        var value = Dvr.OpenFlow.Match.Match.ReadValue(body.ReadBytes(field.Length));

        if (!IsZero(body.Rest))
        {
            throw new OpenFlowException(OfpError.BadSetArgument, $"set_field of {field.Name} has non-zero padding");
        }

        // The field's own header (the usual case) has its lookup cached; an alternate header (NXM_OF_ETH_SRC
        // for eth_src) is looked up as itself.
        var info = (header & 0xfffffe00) == field.TypeKey ? field.SetFieldInfo : NxmFieldTable.FromSetFieldHeader(header);
        if (info is not null && field.Length * 8 > info.Bits && info.Kind != NxmValueKind.Ipv6)
        {
            // OFPVID_PRESENT must be set on vlan_vid (mf_is_value_valid); other fields may not exceed their width.
            bool valid = field == OxmFields.VlanVid ? (value & ~(UInt128)0x1fff) == 0 && (value & 0x1000) != 0 : value >> info.Bits == 0;
            if (!valid)
            {
                throw new OpenFlowException(OfpError.BadSetArgument, $"invalid value {value} for set_field {field.Name}");
            }
        }

        return new SetFieldAction(field, value);
    }

    /// <summary>True when the padding (at most 7 bytes) is all zero; a plain loop beats a vectorised search at this size.</summary>
    private static bool IsZero(ReadOnlySpan<byte> padding)
    {
        foreach (byte b in padding)
        {
            if (b != 0)
            {
                return false;
            }
        }

        return true;
    }

    public override void Format(StringBuilder output, PortNames names)
    {
        output.Append("set_field:");
        if (Field.SetFieldInfo is { } info)
        {
            // set_field prints the meta-flow name and notation (format_SET_FIELD).
            NxmValues.AppendValue(output, info, Value, names);
            output.Append("->").Append(info.MfName);
        }
        else
        {
            FieldFormat.AppendValue(output, Field, Value, names);
            output.Append("->").Append(FieldFormat.SetFieldName(Field));
        }
    }
}

/// <summary>
/// OFPAT_SET_MPLS_TTL (§7.2.5.6): <c>type(2)=15 | len(2)=8 | mpls_ttl(1) | pad(3)</c>. Printed <c>set_mpls_ttl(N)</c>.
/// </summary>
public sealed record SetMplsTtlAction(byte Ttl) : OfpAction
{
    public override int EncodedLength => 8;

    public override void Encode(ref SpanWriter writer)
    {
        StandardActionLayout.WriteHeader(ref writer, OfpActionType.SetMplsTtl);
        writer.WriteByte(Ttl);
        writer.WriteZeros(3);
    }

    public override void Format(StringBuilder output, PortNames names) => output.Append("set_mpls_ttl(").Append(Ttl).Append(')');
}

/// <summary>OFPAT_DEC_MPLS_TTL (§7.2.5.7): <c>type(2)=16 | len(2)=8 | pad(4)</c>.</summary>
public sealed record DecMplsTtlAction : OfpAction
{
    public override int EncodedLength => 8;

    public override void Encode(ref SpanWriter writer)
    {
        StandardActionLayout.WriteHeader(ref writer, OfpActionType.DecMplsTtl);
        writer.WriteZeros(4);
    }

    public override void Format(StringBuilder output, PortNames names) => output.Append("dec_mpls_ttl");
}

/// <summary>
/// OFPAT_PUSH_MPLS (§7.2.5.4): <c>type(2)=19 | len(2)=8 | ethertype(2) | pad(2)</c>; the ethertype must be
/// 0x8847 or 0x8848 (OVS: OFPBAC_BAD_ARGUMENT otherwise).
/// </summary>
public sealed record PushMplsAction(ushort EtherType = 0x8847) : OfpAction
{
    public override int EncodedLength => 8;

    public override void Encode(ref SpanWriter writer)
    {
        StandardActionLayout.WriteEtherTypeAction(ref writer, OfpActionType.PushMpls, EtherType);
    }

    internal static PushMplsAction Decode(ref SpanReader body)
    {
        ushort etherType = body.ReadUInt16();
        if (etherType is not (0x8847 or 0x8848))
        {
            throw new OpenFlowException(OfpError.BadActionArgument, $"push_mpls with non-MPLS ethertype 0x{etherType:x4}");
        }

        return new PushMplsAction(etherType);
    }

    public override void Format(StringBuilder output, PortNames names) =>
        StandardActionLayout.FormatEtherTypeAction(output, "push_mpls", EtherType);
}

/// <summary>OFPAT_POP_MPLS (§7.2.5.5): <c>type(2)=20 | len(2)=8 | ethertype(2) | pad(2)</c>.</summary>
public sealed record PopMplsAction(ushort EtherType) : OfpAction
{
    public override int EncodedLength => 8;

    public override void Encode(ref SpanWriter writer)
    {
        StandardActionLayout.WriteEtherTypeAction(ref writer, OfpActionType.PopMpls, EtherType);
    }

    public override void Format(StringBuilder output, PortNames names) =>
        StandardActionLayout.FormatEtherTypeAction(output, "pop_mpls", EtherType);
}

/// <summary>OFPAT_SET_QUEUE (§7.2.5.2): <c>type(2)=21 | len(2)=8 | queue_id(4)</c>.</summary>
public sealed record SetQueueAction(uint QueueId) : OfpAction
{
    public override int EncodedLength => 8;

    public override void Encode(ref SpanWriter writer)
    {
        StandardActionLayout.WriteHeader(ref writer, OfpActionType.SetQueue);
        writer.WriteUInt32(QueueId);
    }

    public override void Format(StringBuilder output, PortNames names) => output.Append("set_queue:").Append(QueueId);
}

/// <summary>OFPAT_GROUP (§7.2.5.3): <c>type(2)=22 | len(2)=8 | group_id(4)</c>.</summary>
public sealed record GroupAction(uint GroupId) : OfpAction
{
    public override int EncodedLength => 8;

    public override void Encode(ref SpanWriter writer)
    {
        StandardActionLayout.WriteHeader(ref writer, OfpActionType.Group);
        writer.WriteUInt32(GroupId);
    }

    public override void Format(StringBuilder output, PortNames names) => output.Append("group:").Append(GroupId);
}

/// <summary>
/// OFPAT_SET_NW_TTL (§7.2.5.6): <c>type(2)=23 | len(2)=8 | nw_ttl(1) | pad(3)</c>. OVS prints it <c>mod_nw_ttl:N</c>
/// and parses both <c>mod_nw_ttl</c> and <c>set_nw_ttl</c>.
/// </summary>
public sealed record SetNwTtlAction(byte Ttl) : OfpAction
{
    public override int EncodedLength => 8;

    public override void Encode(ref SpanWriter writer)
    {
        StandardActionLayout.WriteHeader(ref writer, OfpActionType.SetNwTtl);
        writer.WriteByte(Ttl);
        writer.WriteZeros(3);
    }

    public override void Format(StringBuilder output, PortNames names) => output.Append("mod_nw_ttl:").Append(Ttl);
}

/// <summary>OFPAT_DEC_NW_TTL (§7.2.5.7): <c>type(2)=24 | len(2)=8 | pad(4)</c>. Printed <c>dec_ttl</c>.</summary>
public sealed record DecNwTtlAction : OfpAction
{
    public override int EncodedLength => 8;

    public override void Encode(ref SpanWriter writer)
    {
        StandardActionLayout.WriteHeader(ref writer, OfpActionType.DecNwTtl);
        writer.WriteZeros(4);
    }

    public override void Format(StringBuilder output, PortNames names) => output.Append("dec_ttl");
}
