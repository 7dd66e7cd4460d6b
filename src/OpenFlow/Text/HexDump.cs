using System.Text;

namespace Dvr.OpenFlow.Text;

/// <summary>
/// OVS's hex dump (lib/dynamic-string.c ds_put_hex_dump), as ovs-ofctl prints after a decode error:
/// <code>
/// 00000000  04 00 00 08 00 00 00 01-00 01 00 08 00 00 00 10 |................|
/// </code>
/// 16 bytes a line, a '-' after the eighth, then (with <c>ascii</c>) the printable characters between bars.
/// </summary>
public static class HexDump
{
    private const int PerLine = 16;

    public static void Append(StringBuilder output, ReadOnlySpan<byte> bytes, bool ascii)
    {
        const string hex = "0123456789abcdef";
        for (int offset = 0; offset < bytes.Length; offset += PerLine)
        {
            var line = bytes.Slice(offset, Math.Min(PerLine, bytes.Length - offset));
            output.Append(offset.ToString("x8", System.Globalization.CultureInfo.InvariantCulture)).Append("  ");
            for (int i = 0; i < line.Length; i++)
            {
                output.Append(hex[line[i] >> 4]).Append(hex[line[i] & 0xf]).Append(i == (PerLine / 2) - 1 ? '-' : ' ');
            }

            if (ascii)
            {
                output.Append(' ', 3 * (PerLine - line.Length)).Append('|');
                foreach (byte b in line)
                {
                    output.Append(b >= 32 && b < 127 ? (char)b : '.');
                }

                output.Append(' ', PerLine - line.Length).Append('|');
            }
            else
            {
                while (output.Length > 0 && output[^1] == ' ')
                {
                    output.Length--;
                }
            }

            output.Append('\n');
        }
    }

    public static string Format(ReadOnlySpan<byte> bytes, bool ascii = true)
    {
        var sb = new StringBuilder();
        Append(sb, bytes, ascii);
        return sb.ToString();
    }
}
