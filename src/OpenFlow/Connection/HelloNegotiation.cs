using System.Buffers.Binary;
using System.Globalization;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Connection;

/// <summary>
/// Version negotiation (OpenFlow 1.3.5 §6.3.1): with a version bitmap on the peer's HELLO the agreed
/// version is the highest set in both bitmaps; without one it is the lower of the two header versions.
/// We speak only 1.3 (0x04), so the question is whether the peer offers it.
/// </summary>
internal static class HelloNegotiation
{
    /// <summary>OFPHET_VERSIONBITMAP.</summary>
    private const ushort VersionBitmapElement = 1;

    public static bool Supports13(byte headerVersion, ReadOnlySpan<byte> body)
    {
        if (TryReadBitmap(body, out uint bitmap))
        {
            return (bitmap & (1u << OfpHeader.Version13)) != 0;
        }

        // No bitmap: the lower header version wins, which must still be 1.3.
        return headerVersion >= OfpHeader.Version13;
    }

    public static string Describe(byte headerVersion, ReadOnlySpan<byte> body)
    {
        if (!TryReadBitmap(body, out uint bitmap))
        {
            return $"version 0x{headerVersion:x2}";
        }

        var versions = new List<string>();
        for (int v = 0; v < 32; v++)
        {
            if ((bitmap & (1u << v)) != 0)
            {
                versions.Add("0x" + v.ToString("x2", CultureInfo.InvariantCulture));
            }
        }

        return versions.Count == 0 ? "no versions" : "versions " + string.Join(", ", versions);
    }

    /// <summary>
    /// HELLO elements: | type (2) | length (2) | payload, padded to 8 |. The bitmap payload is a run of
    /// 32-bit words, bit n of word 0 meaning version n; only word 0 matters for versions below 32.
    /// </summary>
    private static bool TryReadBitmap(ReadOnlySpan<byte> body, out uint bitmap)
    {
        bitmap = 0;
        while (body.Length >= 4)
        {
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(body);
            ushort length = BinaryPrimitives.ReadUInt16BigEndian(body[2..]);
            if (length < 4 || length > body.Length)
            {
                return false;
            }

            if (type == VersionBitmapElement && length >= 8)
            {
                bitmap = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
                return true;
            }

            int padded = (length + 7) & ~7;
            body = body[Math.Min(padded, body.Length)..];
        }

        return false;
    }
}
