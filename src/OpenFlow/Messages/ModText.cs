using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages;

/// <summary>
/// Small text pieces ovs-ofctl's ofp-print uses for mods and statistics (lib/ofp-print.c), shared by the
/// group, meter, port, table, queue and async message families.
/// </summary>
internal static class ModText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The first line's prefix: <c>OFPT_GROUP_MOD (OF1.3) (xid=0x1):</c>.</summary>
    public static StringBuilder Header(StringBuilder output, string name, uint xid) =>
        output.Append(name).Append(" (OF1.3) (xid=0x").Append(xid.ToString("x", Invariant)).Append("):");

    /// <summary>
    /// lib/ofp-print.c ofp_print_duration: seconds, then nanoseconds as nine digits with trailing zeros
    /// trimmed down to three, then "s" (5,006000000 → "5.006s"; 3,4000 → "3.000004s"; 1,0 → "1s").
    /// </summary>
    public static StringBuilder Duration(StringBuilder output, uint seconds, uint nanoseconds)
    {
        output.Append(seconds.ToString(Invariant));
        if (nanoseconds > 0)
        {
            string digits = nanoseconds.ToString("D9", Invariant);
            int keep = digits.Length;
            while (keep > 3 && digits[keep - 1] == '0')
            {
                keep--;
            }

            output.Append('.').Append(digits, 0, keep);
        }

        return output.Append('s');
    }

    /// <summary>A 64-bit counter; all-ones means "not supported" and prints as '?'.</summary>
    public static StringBuilder Counter(StringBuilder output, ulong value) =>
        value == ulong.MaxValue ? output.Append('?') : output.Append(value.ToString(Invariant));

    /// <summary>
    /// lib/ofp-print.c ofp_print_bit_names: the name of each set bit, lowest first, separated by
    /// <paramref name="separator"/>; bits without a name are gathered into one trailing 0x… number.
    /// No bit set prints "0".
    /// </summary>
    public static StringBuilder BitNames(StringBuilder output, uint bits, Func<uint, string?> name, char separator)
    {
        if (bits == 0)
        {
            return output.Append('0');
        }

        uint unknown = 0;
        bool first = true;
        for (int i = 0; i < 32; i++)
        {
            uint bit = 1u << i;
            if ((bits & bit) == 0)
            {
                continue;
            }

            if (name(bit) is { } text)
            {
                if (!first)
                {
                    output.Append(separator);
                }

                output.Append(text);
                first = false;
            }
            else
            {
                unknown |= bit;
            }
        }

        if (unknown != 0)
        {
            if (!first)
            {
                output.Append(separator);
            }

            output.Append("0x").Append(unknown.ToString("x", Invariant));
        }

        return output;
    }

    /// <summary>A NUL-padded fixed-size ASCII field (e.g. ofp_desc's 256-byte strings).</summary>
    public static string ReadFixedString(ref SpanReader reader, int size)
    {
        var bytes = reader.ReadBytes(size);
        int end = bytes.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? bytes : bytes[..end]);
    }

    /// <summary>Writes <paramref name="text"/> NUL-padded to <paramref name="size"/> bytes (truncated to leave a NUL).</summary>
    public static void WriteFixedString(ref SpanWriter writer, string text, int size)
    {
        var span = writer.Reserve(size);
        span.Clear();
        int length = Math.Min(text.Length, size - 1);
        for (int i = 0; i < length; i++)
        {
            span[i] = (byte)text[i];
        }
    }
}
