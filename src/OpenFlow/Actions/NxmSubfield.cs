using System.Globalization;
using System.Net;
using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Actions;

/// <summary>
/// A bit range of a field, as Nicira actions use it (lib/meta-flow.c struct mf_subfield):
/// printed <c>NXM_NX_REG0[]</c> (whole field), <c>NXM_NX_REG0[3]</c> (one bit) or <c>NXM_NX_REG0[0..15]</c>.
/// </summary>
public readonly record struct NxmSubfield(NxmFieldInfo Field, int Offset, int Bits)
{
    public static NxmSubfield Whole(NxmFieldInfo field) => new(field, 0, field.Bits);

    public bool IsWhole => Offset == 0 && Bits == Field.Bits;

    /// <summary>Mask of the selected bits, aligned at bit 0 of the field.</summary>
    public UInt128 Mask => (Bits >= 128 ? UInt128.MaxValue : (UInt128.One << Bits) - 1) << Offset;

    /// <summary>
    /// Reads a field header the way lib/nx-match.c nx_pull_header does (move, learn): an unknown header, or a
    /// known one with the wrong length, is OFPBMC_BAD_FIELD; a header with the mask bit is OFPBMC_BAD_MASK.
    /// </summary>
    public static NxmFieldInfo PullField(uint header)
    {
        // A masked header carries value and mask, so its length is twice the field's.
        bool masked = (header & 0x100) != 0;
        uint exact = masked ? (header & 0xfffffe00) | ((header & 0xff) / 2) : header;
        // NXM_NX_TUN_METADATA0..63 (NXM_1 fields 40-103) have variable length: OVS knows them at any length.
        bool tunnelMetadata = (exact >> 16) == 1 && ((exact >> 9) & 0x7f) is >= 40 and <= 103;
        var field = LookupField(exact);
        if (field is null && !tunnelMetadata)
        {
            throw new OpenFlowException(OfpError.BadField, $"unknown field header 0x{header:x8}");
        }

        if (masked)
        {
            throw new OpenFlowException(OfpError.BadMask, $"field header 0x{header:x8} has the mask bit set");
        }

        return field ?? throw new OpenFlowException(OfpError.BadField, $"tunnel metadata field 0x{header:x8} is not supported");
    }

    /// <summary>lib/meta-flow.c mf_from_nxm_header (load, output:reg): the field with exactly this header, or null.</summary>
    public static NxmFieldInfo? LookupField(uint header)
    {
        var field = NxmFieldTable.FromHeader(header);
        return field is not null && (header & 0x100) == 0 && (header & 0xff) == field.Bytes ? field : null;
    }

    /// <summary>
    /// lib/meta-flow.c mf_check_src: an unknown field is OFPBAC_BAD_SET_TYPE; zero bits or bits outside the field
    /// are OFPBAC_BAD_SET_LEN.
    /// </summary>
    public static NxmSubfield CheckSource(NxmFieldInfo? field, int offset, int bits, string role = "source")
    {
        if (field is null)
        {
            throw new OpenFlowException(OfpError.BadSetType, $"unknown {role} field");
        }

        if (bits <= 0 || offset >= field.Bits || offset + bits > field.Bits)
        {
            throw new OpenFlowException(OfpError.BadSetLen, $"bits {offset}..{offset + bits - 1} do not fit in the {field.Bits}-bit {role} field {field.NxmName}");
        }

        return new NxmSubfield(field, offset, bits);
    }

    /// <summary>lib/meta-flow.c mf_check_dst: as <see cref="CheckSource"/>, and a read-only field is OFPBAC_BAD_SET_ARGUMENT.</summary>
    public static NxmSubfield CheckDestination(NxmFieldInfo? field, int offset, int bits)
    {
        var subfield = CheckSource(field, offset, bits, "destination");
        if (!subfield.Field.Writable)
        {
            throw new OpenFlowException(OfpError.BadSetArgument, $"destination field {subfield.Field.NxmName} is not writable");
        }

        return subfield;
    }

    public void Format(StringBuilder output)
    {
        output.Append(Field.NxmName);
        if (IsWhole)
        {
            output.Append("[]");
        }
        else if (Bits == 1)
        {
            output.Append('[').Append(Offset).Append(']');
        }
        else
        {
            output.Append('[').Append(Offset).Append("..").Append(Offset + Bits - 1).Append(']');
        }
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        Format(sb);
        return sb.ToString();
    }

    /// <summary>
    /// Parses <c>NAME[]</c>, <c>NAME[n]</c>, <c>NAME[a..b]</c> or a bare <c>NAME</c> (the whole field),
    /// as lib/meta-flow.c mf_parse_subfield.
    /// </summary>
    public static NxmSubfield Parse(string text)
    {
        text = text.Trim();
        int bracket = text.IndexOf('[', StringComparison.Ordinal);
        string name = bracket < 0 ? text : text[..bracket];
        var field = NxmFieldTable.FromName(name)
            ?? throw new TextParseException($"{text}: unknown field `{name}'");
        if (bracket < 0)
        {
            return Whole(field);
        }

        if (!text.EndsWith(']'))
        {
            throw new TextParseException($"{text}: missing `]' after bit range");
        }

        string range = text[(bracket + 1)..^1];
        if (range.Length == 0)
        {
            return Whole(field);
        }

        int dots = range.IndexOf("..", StringComparison.Ordinal);
        int start;
        int end;
        if (dots < 0)
        {
            start = ParseBit(text, range);
            end = start;
        }
        else
        {
            start = ParseBit(text, range[..dots]);
            end = ParseBit(text, range[(dots + 2)..]);
        }

        if (end < start)
        {
            throw new TextParseException($"{text}: starting bit {start} is after ending bit {end}");
        }

        if (end >= field.Bits)
        {
            throw new TextParseException($"{text}: bit {end} is out of range for {field.NxmName}, which is {field.Bits} bits wide");
        }

        return new NxmSubfield(field, start, end - start + 1);
    }

    private static int ParseBit(string whole, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int bit)
            ? bit
            : throw new TextParseException($"{whole}: bad bit range `{text}'");
}

/// <summary>Field values in ovs-ofctl's notation for Nicira actions (lib/meta-flow.c mf_format / mf_parse_value).</summary>
public static class NxmValues
{
    /// <summary>mf_format_subvalue: "0" for zero, otherwise lower-case hex with 0x.</summary>
    public static void AppendSubvalue(StringBuilder output, UInt128 value)
    {
        if (value == 0)
        {
            output.Append('0');
        }
        else
        {
            output.Append("0x").Append(value.ToString("x", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>mf_format: a whole-field value in the field's own notation.</summary>
    public static void AppendValue(StringBuilder output, NxmFieldInfo field, UInt128 value, PortNames names)
    {
        switch (field.Kind)
        {
            case NxmValueKind.Decimal:
                output.Append(value.ToString(CultureInfo.InvariantCulture));
                break;
            case NxmValueKind.Hexadecimal:
                // mf_format uses ds_put_hex, which prints a bare "0" for zero.
                if (value == 0)
                {
                    output.Append('0');
                }
                else
                {
                    output.Append("0x").Append(value.ToString("x", CultureInfo.InvariantCulture));
                }

                break;
            case NxmValueKind.Ethernet:
                AppendMac(output, (ulong)value);
                break;
            case NxmValueKind.Ipv4:
                AppendIpv4(output, (uint)value);
                break;
            case NxmValueKind.Ipv6:
                output.Append(ToIpv6(value));
                break;
            case NxmValueKind.Port16:
                PortFormat.Append(output, Port16To32((ushort)value), names);
                break;
            case NxmValueKind.Port32:
                PortFormat.Append(output, (uint)value, names);
                break;
        }
    }

    public static void AppendMac(StringBuilder output, ulong mac) => FieldFormat.AppendMac(output, mac);

    public static void AppendIpv4(StringBuilder output, uint ip) =>
        output.Append(ip >> 24).Append('.').Append((ip >> 16) & 0xff).Append('.').Append((ip >> 8) & 0xff).Append('.').Append(ip & 0xff);

    public static string ToIpv6(UInt128 value)
    {
        Span<byte> bytes = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new IPAddress(bytes).ToString();
    }

    /// <summary>OpenFlow 1.0 16-bit port → OpenFlow 1.1+ 32-bit port (reserved ports 0xff00+ move up; ofp_port_to_ofp11).</summary>
    public static uint Port16To32(ushort port) => port >= 0xff00 ? port + 0xffff0000u : port;

    /// <summary>OpenFlow 1.1+ port → 16-bit port (ofp11_port_to_ofp_port); null when it has no 16-bit form.</summary>
    public static ushort? Port32To16(uint port) => port < 0xff00 ? (ushort)port : port >= 0xffffff00 ? (ushort)(port - 0xffff0000u) : null;

    /// <summary>
    /// An unsigned integer as OVS reads one (strtoull base 0 / parse_int_string): <c>0x</c> hex of any length
    /// up to 128 bits, otherwise decimal.
    /// </summary>
    public static bool TryParseInteger(string text, out UInt128 value)
    {
        value = 0;
        text = text.Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            string hex = text[2..];
            return hex.Length is > 0 and <= 32 && UInt128.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }

        return text.Length > 0 && UInt128.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    public static UInt128 ParseInteger(string text, string context) =>
        TryParseInteger(text, out var value) ? value : throw new TextParseException($"{context}: `{text}' is not a valid integer");

    public static bool TryParseMac(string text, out ulong mac)
    {
        mac = 0;
        var parts = text.Split(':');
        if (parts.Length != 6)
        {
            return false;
        }

        foreach (var part in parts)
        {
            if (part.Length is < 1 or > 2 || !byte.TryParse(part, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte b))
            {
                return false;
            }

            mac = (mac << 8) | b;
        }

        return true;
    }

    public static bool TryParseIpv4(string text, out uint ip)
    {
        ip = 0;
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        foreach (var part in parts)
        {
            if (!byte.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out byte b))
            {
                return false;
            }

            ip = (ip << 8) | b;
        }

        return true;
    }

    /// <summary>mf_parse_value: a whole-field value in the field's notation; errors name the field and the text.</summary>
    public static UInt128 ParseValue(NxmFieldInfo field, string text, PortNames names)
    {
        switch (field.Kind)
        {
            case NxmValueKind.Ethernet:
                return TryParseMac(text, out ulong mac) ? mac : throw new TextParseException($"{text}: invalid Ethernet address for {field.MfName}");
            case NxmValueKind.Ipv4:
                return TryParseIpv4(text, out uint ip) ? ip : throw new TextParseException($"{text}: invalid IP address for {field.MfName}");
            case NxmValueKind.Ipv6:
                if (IPAddress.TryParse(text, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
                {
                    Span<byte> bytes = stackalloc byte[16];
                    address.TryWriteBytes(bytes, out _);
                    return System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes);
                }

                throw new TextParseException($"{text}: invalid IPv6 address for {field.MfName}");
            case NxmValueKind.Port16:
            case NxmValueKind.Port32:
                uint port = ActionText.ParsePort(text, names);
                if (field.Kind == NxmValueKind.Port16)
                {
                    return Port32To16(port) ?? throw new TextParseException($"{text}: port out of range for {field.MfName}");
                }

                return port;
            default:
                var value = ParseInteger(text, field.MfName);
                if (field.Bits < 128 && value >> field.Bits != 0)
                {
                    throw new TextParseException($"{text}: value too large for {field.Bits}-bit field {field.MfName}");
                }

                return value;
        }
    }
}
