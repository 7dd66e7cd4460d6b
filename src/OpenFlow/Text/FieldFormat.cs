using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Match;

namespace Dvr.OpenFlow.Text;

/// <summary>
/// Field values in ovs-ofctl's notation, both ways: <see cref="AppendValue(StringBuilder, OxmField, UInt128, PortNames)"/>
/// writes what lib/meta-flow.c mf_format writes, <see cref="ParseValue"/> reads what mf_parse reads.
/// Values are right-aligned numbers (see <see cref="OxmEntry"/>); in_port holds the OpenFlow 1.1+ port number.
/// </summary>
public static class FieldFormat
{
    /// <summary>The name OVS prints after "->" in set_field (meta-flow's primary name, e.g. tun_id, ip_src, nw_ecn).</summary>
    public static string SetFieldName(OxmField field) => field.OvsName;

    /// <summary>Appends an exact value, as mf_format with no mask.</summary>
    public static void AppendValue(StringBuilder output, OxmField field, UInt128 value, PortNames names) =>
        AppendValue(output, field, value, null, names);

    /// <summary>Appends a value and, when <paramref name="mask"/> is neither null nor all ones, "/mask" (mf_format).</summary>
    public static void AppendValue(StringBuilder output, OxmField field, UInt128 value, UInt128? mask, PortNames names)
    {
        var ones = OxmEntry.AllOnes(field.Length);
        if (mask is { } m)
        {
            if (m == 0)
            {
                output.Append("ANY");
                return;
            }

            if (m == ones)
            {
                mask = null;
            }
        }

        switch (field.Format)
        {
            case FieldValueFormat.Port when mask is null:
                AppendPort(output, (uint)value, names);
                break;
            case FieldValueFormat.Port:
            case FieldValueFormat.Decimal:
                output.Append(value.ToString(CultureInfo.InvariantCulture));
                AppendHexMask(output, mask);
                break;
            case FieldValueFormat.Hexadecimal:
                AppendHex(output, value);
                AppendHexMask(output, mask);
                break;
            case FieldValueFormat.Ethernet:
                AppendMac(output, (ulong)value);
                if (mask is { } macMask)
                {
                    output.Append('/');
                    AppendMac(output, (ulong)macMask);
                }

                break;
            case FieldValueFormat.Ipv4:
                AppendIpv4(output, (uint)value, mask is { } m4 ? (uint)m4 : uint.MaxValue);
                break;
            case FieldValueFormat.Ipv6:
                AppendIpv6(output, value, mask);
                break;
            case FieldValueFormat.Frag:
                output.Append(FragName((byte)value, mask is { } fm ? (byte)fm : (byte)0xff));
                break;
            case FieldValueFormat.TunnelFlags:
                AppendFlagsMasked(output, TunnelFlagName, (uint)value, (uint)(mask ?? ones) & 0x1, 0x1);
                break;
            case FieldValueFormat.TcpFlags:
                AppendFlagsMasked(output, TcpFlagName, (uint)value, (uint)(mask ?? ones) & 0x0fff, 0x0fff);
                break;
            case FieldValueFormat.CtState:
                AppendFlagsMasked(output, CtStateName, (uint)value, (uint)(mask ?? ones), uint.MaxValue);
                break;
        }
    }

    /// <summary>lib/ofp-port.c ofputil_format_port for an OpenFlow 1.1+ port number (reserved ports by name).</summary>
    public static void AppendPort(StringBuilder output, uint port, PortNames names)
    {
        if (port >= OfpPort.Max && OfpPort.ReservedName(port) is null)
        {
            // ofputil_port_from_ofp11 maps 0xffffff00.. onto OVS's 16-bit 0xff00.., printed as a number.
            output.Append((port - 0xffff0000u).ToString(CultureInfo.InvariantCulture));
            return;
        }

        PortFormat.Append(output, port, names);
    }

    /// <summary>ETH_ADDR_FMT "xx:xx:xx:xx:xx:xx", written in place (no string per address).</summary>
    internal static void AppendMac(StringBuilder output, ulong mac)
    {
        Span<char> text = stackalloc char[17];
        for (int i = 0; i < 6; i++)
        {
            byte octet = (byte)(mac >> (8 * (5 - i)));
            text[i * 3] = HexDigits[octet >> 4];
            text[(i * 3) + 1] = HexDigits[octet & 0xf];
            if (i < 5)
            {
                text[(i * 3) + 2] = ':';
            }
        }

        output.Append(text);
    }

    private const string HexDigits = "0123456789abcdef";

    /// <summary>lib/dynamic-string.c ds_put_hex: "0x" and the value without leading zeros, or "0".</summary>
    public static void AppendHex(StringBuilder output, UInt128 value)
    {
        if (value == 0)
        {
            output.Append('0');
        }
        else if (value <= ulong.MaxValue)
        {
            output.Append("0x");
            AppendHexDigits(output, (ulong)value);
        }
        else
        {
            output.Append("0x").Append(value.ToString("x", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>"%x": the hex digits of <paramref name="value"/> without leading zeros ("0" for zero), written in place.</summary>
    internal static void AppendHexDigits(StringBuilder output, ulong value)
    {
        Span<char> text = stackalloc char[16];
        int start = text.Length;
        do
        {
            text[--start] = HexDigits[(int)(value & 0xf)];
            value >>= 4;
        }
        while (value != 0);

        output.Append(text[start..]);
    }

    private static void AppendHexMask(StringBuilder output, UInt128? mask)
    {
        if (mask is { } m)
        {
            output.Append('/');
            AppendHex(output, m);
        }
    }

    /// <summary>lib/packets.c ip_format_masked: "a.b.c.d", then "/N" for a CIDR mask or "/m.m.m.m" otherwise.</summary>
    public static void AppendIpv4(StringBuilder output, uint address, uint mask)
    {
        AppendDotted(output, address);
        if (mask != uint.MaxValue)
        {
            int prefix = CidrPrefix(mask, 32);
            if (prefix >= 0)
            {
                output.Append('/').Append(prefix);
            }
            else
            {
                output.Append('/');
                AppendDotted(output, mask);
            }
        }
    }

    private static void AppendDotted(StringBuilder output, uint v) =>
        output.Append(v >> 24).Append('.').Append((v >> 16) & 0xff).Append('.').Append((v >> 8) & 0xff).Append('.').Append(v & 0xff);

    /// <summary>Prefix length of a CIDR mask of <paramref name="bits"/> bits, or -1 when the ones are not contiguous.</summary>
    private static int CidrPrefix(UInt128 mask, int bits)
    {
        var inverted = ~mask & (bits == 128 ? UInt128.MaxValue : (UInt128.One << bits) - 1);
        if ((inverted & (inverted + 1)) != 0)
        {
            return -1;
        }

        int zeros = 0;
        while (zeros < bits && ((inverted >> zeros) & 1) == 1)
        {
            zeros++;
        }

        return bits - zeros;
    }

    /// <summary>lib/packets.c ipv6_format_masked: the address as glibc inet_ntop writes it, then "/N" or "/mask".</summary>
    public static void AppendIpv6(StringBuilder output, UInt128 address, UInt128? mask)
    {
        AppendIpv6Address(output, address);
        if (mask is { } m && m != UInt128.MaxValue)
        {
            int prefix = CidrPrefix(m, 128);
            output.Append('/');
            if (prefix >= 0)
            {
                output.Append(prefix);
            }
            else
            {
                AppendIpv6Address(output, m);
            }
        }
    }

    /// <summary>glibc inet_ntop (AF_INET6): longest run (≥2) of zero words as "::", embedded IPv4 for ::a.b.c.d and ::ffff:a.b.c.d.</summary>
    public static void AppendIpv6Address(StringBuilder output, UInt128 address)
    {
        Span<ushort> words = stackalloc ushort[8];
        for (int i = 0; i < 8; i++)
        {
            words[i] = (ushort)(address >> (16 * (7 - i)));
        }

        int bestBase = -1, bestLength = 0, currentBase = -1, currentLength = 0;
        for (int i = 0; i < 8; i++)
        {
            if (words[i] == 0)
            {
                if (currentBase < 0)
                {
                    currentBase = i;
                    currentLength = 1;
                }
                else
                {
                    currentLength++;
                }

                if (currentLength > bestLength)
                {
                    bestBase = currentBase;
                    bestLength = currentLength;
                }
            }
            else
            {
                currentBase = -1;
            }
        }

        if (bestLength < 2)
        {
            bestBase = -1;
        }

        for (int i = 0; i < 8; i++)
        {
            if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLength)
            {
                if (i == bestBase)
                {
                    output.Append(':');
                }

                continue;
            }

            if (i != 0)
            {
                output.Append(':');
            }

            if (i == 6 && bestBase == 0 && (bestLength == 6 || (bestLength == 5 && words[5] == 0xffff)))
            {
                AppendDotted(output, (uint)(address & 0xffffffff));
                return;
            }

            output.Append(words[i].ToString("x", CultureInfo.InvariantCulture));
        }

        if (bestBase >= 0 && bestBase + bestLength == 8)
        {
            output.Append(':');
        }
    }

    private static readonly (string Name, byte Value, byte Mask)[] FragNames =
    [
        ("no", 0, 3), ("yes", 1, 1), ("first", 1, 3), ("later", 3, 3), ("not_later", 0, 2),
    ];

    /// <summary>lib/meta-flow.c mf_format_frag_string.</summary>
    public static string FragName(byte value, byte mask)
    {
        mask &= 3;
        foreach (var (name, v, m) in FragNames)
        {
            if (value == v && mask == m)
            {
                return name;
            }
        }

        return "<error>";
    }

    public static string? TcpFlagName(uint bit) => bit switch
    {
        0x001 => "fin",
        0x002 => "syn",
        0x004 => "rst",
        0x008 => "psh",
        0x010 => "ack",
        0x020 => "urg",
        0x040 => "ece",
        0x080 => "cwr",
        0x100 => "ns",
        0x200 => "[200]",
        0x400 => "[400]",
        0x800 => "[800]",
        _ => null,
    };

    public static string? CtStateName(uint bit) => bit switch
    {
        0x01 => "new",
        0x02 => "est",
        0x04 => "rel",
        0x08 => "rpl",
        0x10 => "inv",
        0x20 => "trk",
        0x40 => "snat",
        0x80 => "dnat",
        _ => null,
    };

    public static string? TunnelFlagName(uint bit) => bit == 1 ? "oam" : null;

    /// <summary>lib/ofp-util.c format_flags: names joined by <paramref name="delimiter"/>, lowest bit first; "0" for none.</summary>
    public static void AppendFlags(StringBuilder output, Func<uint, string?> name, uint flags, char delimiter)
    {
        if (flags == 0)
        {
            output.Append('0');
            return;
        }

        bool first = true;
        while (flags != 0)
        {
            uint bit = flags & (~flags + 1);
            if (!first)
            {
                output.Append(delimiter);
            }

            first = false;
            if (name(bit) is { } text)
            {
                output.Append(text);
            }
            else
            {
                output.Append("0x").Append(bit.ToString("x", CultureInfo.InvariantCulture));
            }

            flags &= ~bit;
        }
    }

    /// <summary>lib/ofp-util.c format_flags_masked: "a|b" when the mask is full, else "+a-b" per masked bit.</summary>
    public static void AppendFlagsMasked(StringBuilder output, Func<uint, string?> name, uint flags, uint mask, uint maxMask)
    {
        if (mask == maxMask)
        {
            AppendFlags(output, name, flags, '|');
            return;
        }

        if (mask == 0)
        {
            output.Append("0/0");
            return;
        }

        while (mask != 0)
        {
            uint bit = mask & (~mask + 1);
            output.Append((flags & bit) != 0 ? '+' : '-').Append(name(bit) ?? "[Unknown]");
            mask &= ~bit;
        }
    }

    /// <summary>
    /// Parses "value[/mask]" for <paramref name="field"/> as ovs-ofctl does (lib/meta-flow.c mf_parse): integers in
    /// decimal, 0x hex or 0-prefixed octal; MACs; IPv4/IPv6 with a CIDR length or a dotted/colon mask; port names
    /// and numbers; ip_frag keywords; flag fields as "+a-b" or "a|b". The value is masked (OVS does the same).
    /// Mask is null for an exact value. Throws <see cref="TextParseException"/> naming the field and the text.
    /// </summary>
    public static (UInt128 Value, UInt128? Mask) ParseValue(OxmField field, string text, PortNames names)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(text);
        var (value, mask) = field.Format switch
        {
            FieldValueFormat.Port => (ParsePort(field, text, names), (UInt128?)null),
            FieldValueFormat.Ethernet => ParseMasked(field, text, ParseMac),
            FieldValueFormat.Ipv4 => ParseIpv4Masked(field, text),
            FieldValueFormat.Ipv6 => ParseIpv6Masked(field, text),
            FieldValueFormat.Frag => ParseFrag(field, text),
            FieldValueFormat.TunnelFlags => ParseFlags(field, text, TunnelFlagName, 0x1),
            FieldValueFormat.TcpFlags => ParseFlags(field, text, TcpFlagName, 0x0fff),
            FieldValueFormat.CtState => ParseFlags(field, text, CtStateName, 0xff),
            _ => ParseMasked(field, text, ParseInteger),
        };

        // Like mf_parse, only the field's byte width limits the value: in a match OVS keeps the bits its flow
        // slot has (ip_dscp=64 matches DSCP 0); a set_field caller checks OxmField.Bits itself.
        var ones = OxmEntry.AllOnes(field.Length);
        if (value > ones)
        {
            throw new TextParseException($"{field.OvsName}: value {text} is too large for the field");
        }

        if (mask is { } m)
        {
            if (m == ones)
            {
                return (value, null);
            }

            if (!field.Maskable)
            {
                throw new TextParseException($"{field.OvsName}: field does not support masking ({text})");
            }

            return (value & m, m);
        }

        return (value, null);
    }

    private static (UInt128 Value, UInt128? Mask) ParseMasked(OxmField field, string text, Func<OxmField, string, string, UInt128> parse)
    {
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return (parse(field, text, text), null);
        }

        return (parse(field, text[..slash], text), parse(field, text[(slash + 1)..], text));
    }

    /// <summary>lib/util.c parse_int_string: 0x hex of any length, else strtoull base 0 (decimal, or octal after a 0).</summary>
    public static UInt128 ParseInteger(OxmField field, string token, string whole)
    {
        bool ok;
        UInt128 value = 0;
        if (token.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            var digits = token.AsSpan(2).TrimStart('0');
            ok = token.Length > 2 && digits.Length <= 32 && (digits.IsEmpty || UInt128.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value));
        }
        else if (token.Length > 1 && token[0] == '0')
        {
            ok = true;
            foreach (char c in token.AsSpan(1))
            {
                if (c is < '0' or > '7' || value > (UInt128.MaxValue >> 3))
                {
                    ok = false;
                    break;
                }

                value = (value << 3) | (uint)(c - '0');
            }
        }
        else
        {
            ok = token.Length > 0 && char.IsAsciiDigit(token[0]) && UInt128.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        }

        if (!ok)
        {
            throw new TextParseException($"{field.OvsName}: '{whole}' is not a valid integer");
        }

        if (value > OxmEntry.AllOnes(field.Length))
        {
            throw new TextParseException($"{field.OvsName}: value {whole} is too large for the field");
        }

        return value;
    }

    private static UInt128 ParseMac(OxmField field, string token, string whole) =>
        MacAddress.TryParse(token, out var mac) ? mac.Value : throw new TextParseException($"{field.OvsName}: '{whole}' is not a valid Ethernet address");

    private static (UInt128 Value, UInt128? Mask) ParseIpv4Masked(OxmField field, string text)
    {
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        string addressText = slash < 0 ? text : text[..slash];
        uint address = ParseIpv4(field, addressText, text);
        if (slash < 0)
        {
            return (address, null);
        }

        string maskText = text[(slash + 1)..];
        uint mask;
        if (maskText.Contains('.', StringComparison.Ordinal))
        {
            mask = ParseIpv4(field, maskText, text);
        }
        else if (int.TryParse(maskText, NumberStyles.None, CultureInfo.InvariantCulture, out int prefix) && prefix is >= 0 and <= 32)
        {
            mask = prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
        }
        else
        {
            throw new TextParseException($"{field.OvsName}: '{text}' has an invalid prefix length");
        }

        return (address, mask);
    }

    private static uint ParseIpv4(OxmField field, string token, string whole)
    {
        uint value = 0;
        int parts = 0;
        foreach (var range in token.AsSpan().Split('.'))
        {
            var part = token.AsSpan()[range];
            if (parts == 4 || part.IsEmpty || part.Length > 3 || !byte.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out byte b))
            {
                throw new TextParseException($"{field.OvsName}: '{whole}' is not a valid IPv4 address");
            }

            value = (value << 8) | b;
            parts++;
        }

        if (parts != 4)
        {
            throw new TextParseException($"{field.OvsName}: '{whole}' is not a valid IPv4 address");
        }

        return value;
    }

    private static (UInt128 Value, UInt128? Mask) ParseIpv6Masked(OxmField field, string text)
    {
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        var address = ParseIpv6(field, slash < 0 ? text : text[..slash], text);
        if (slash < 0)
        {
            return (address, null);
        }

        string maskText = text[(slash + 1)..];
        UInt128 mask;
        if (maskText.Contains(':', StringComparison.Ordinal))
        {
            mask = ParseIpv6(field, maskText, text);
        }
        else if (int.TryParse(maskText, NumberStyles.None, CultureInfo.InvariantCulture, out int prefix) && prefix is >= 0 and <= 128)
        {
            mask = prefix == 0 ? 0 : UInt128.MaxValue << (128 - prefix);
        }
        else
        {
            throw new TextParseException($"{field.OvsName}: '{text}' has an invalid prefix length");
        }

        return (address, mask);
    }

    private static UInt128 ParseIpv6(OxmField field, string token, string whole)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!token.Contains(':', StringComparison.Ordinal) || token.Contains('%', StringComparison.Ordinal)
            || !IPAddress.TryParse(token, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6
            || !address.TryWriteBytes(bytes, out _))
        {
            throw new TextParseException($"{field.OvsName}: '{whole}' is not a valid IPv6 address");
        }

        UInt128 value = 0;
        foreach (byte b in bytes)
        {
            value = (value << 8) | b;
        }

        return value;
    }

    /// <summary>
    /// lib/ofp-port.c ofputil_port_from_string: a decimal number (OpenFlow 1.0 numbering, 0xff00.. mapped to
    /// the 1.1 reserved range), a reserved name (any case), or a port name from <paramref name="names"/>.
    /// Returns the OpenFlow 1.1+ number.
    /// </summary>
    public static uint ParsePort(OxmField field, string text, PortNames names)
    {
        string name = text.Length >= 2 && text[0] == '"' && text[^1] == '"' ? Unquote(text) : text;
        if (name.Length > 0 && char.IsAsciiDigit(name[0]) && uint.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out uint number))
        {
            if (number <= 0xffff)
            {
                return number < 0xff00 ? number : number + 0xffff0000u;
            }

            if (number >= OfpPort.Max)
            {
                return number;
            }

            throw new TextParseException($"{text}: invalid or unknown port for {field.OvsName}");
        }

        foreach (uint reserved in ReservedPorts)
        {
            if (string.Equals(OfpPort.ReservedName(reserved), name, StringComparison.OrdinalIgnoreCase))
            {
                return reserved;
            }
        }

        if (string.Equals(name, "NONE", StringComparison.OrdinalIgnoreCase))
        {
            return OfpPort.Any;
        }

        if (names.TryGetNumber(name, out uint port))
        {
            return port;
        }

        throw new TextParseException($"{text}: invalid or unknown port for {field.OvsName}");
    }

    private static readonly uint[] ReservedPorts =
        [OfpPort.InPort, OfpPort.Table, OfpPort.Normal, OfpPort.Flood, OfpPort.All, OfpPort.Controller, OfpPort.Local, OfpPort.Any];

    private static string Unquote(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (int i = 1; i < text.Length - 1; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length - 1)
            {
                i++;
            }

            builder.Append(text[i]);
        }

        return builder.ToString();
    }

    private static (UInt128 Value, UInt128? Mask) ParseFrag(OxmField field, string text)
    {
        foreach (var (name, value, mask) in FragNames)
        {
            if (string.Equals(name, text, StringComparison.Ordinal))
            {
                return (value, mask);
            }
        }

        throw new TextParseException($"{field.OvsName}: unknown fragment type '{text}' (expected no, yes, first, later or not_later)");
    }

    /// <summary>
    /// lib/ofp-util.c parse_flags: a number ("0x12/0xff"), "+a-b" (only the named bits matched), or "a|b"
    /// (exact: every bit the field defines, unnamed ones clear).
    /// </summary>
    private static (UInt128 Value, UInt128? Mask) ParseFlags(OxmField field, string text, Func<uint, string?> name, uint allowed)
    {
        if (text.Length > 0 && char.IsAsciiDigit(text[0]))
        {
            return ParseMasked(field, text, ParseInteger);
        }

        bool signed = text.Length > 0 && text[0] is '+' or '-';
        uint value = 0;
        uint mask = 0;
        int i = 0;
        while (i < text.Length)
        {
            bool set = true;
            if (signed)
            {
                if (text[i] is not ('+' or '-'))
                {
                    throw new TextParseException($"{field.OvsName}: '{text}' mixes +/- and | forms");
                }

                set = text[i] == '+';
                i++;
            }
            else if (text[i] == '|')
            {
                i++;
            }

            int end = i;
            while (end < text.Length && text[end] is not ('+' or '-' or '|'))
            {
                end++;
            }

            string word = text[i..end];
            uint bit = FindFlag(word, name, allowed);
            if (bit == 0)
            {
                throw new TextParseException($"{field.OvsName}: unknown flag '{word}' in '{text}'");
            }

            if ((mask & bit) != 0)
            {
                throw new TextParseException($"{field.OvsName}: flag '{word}' given twice in '{text}'");
            }

            mask |= bit;
            if (set)
            {
                value |= bit;
            }

            i = end;
        }

        if (mask == 0)
        {
            throw new TextParseException($"{field.OvsName}: no flags in '{text}'");
        }

        return signed ? (value, mask) : (value, null);
    }

    private static uint FindFlag(string word, Func<uint, string?> name, uint allowed)
    {
        for (int shift = 0; shift < 32; shift++)
        {
            uint bit = 1u << shift;
            if ((allowed & bit) != 0 && string.Equals(name(bit), word, StringComparison.Ordinal))
            {
                return bit;
            }
        }

        return 0;
    }
}
