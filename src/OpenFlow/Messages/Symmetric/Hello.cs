using System.Collections.Immutable;
using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Symmetric;

/// <summary>
/// OFPT_HELLO (OpenFlow 1.3.5 §A.5.1). The body is a list of hello elements, each padded to 8 bytes:
/// <code>
///  0               2               4
///  +---------------+---------------+------------------------------+--------+
///  |     type      |    length     |  payload (length - 4)         | pad..8 |
///  +---------------+---------------+------------------------------+--------+
///  OFPHET_VERSIONBITMAP (type 1): payload = uint32 bitmaps[]; bit n of bitmaps[i] = version 32*i+n.
/// </code>
/// A HELLO of any version decodes (negotiation must read a newer peer's HELLO); unknown elements are
/// skipped, as the spec asks. Without a bitmap the peer supports every version up to its header version.
/// </summary>
public sealed record Hello : OpenFlowMessage
{
    /// <summary>OFPHET_VERSIONBITMAP.</summary>
    public const ushort VersionBitmapElement = 1;

    public override OfpType Type => OfpType.Hello;

    /// <summary>The header version this HELLO was sent with (0x04 for ours).</summary>
    public byte Version { get; init; } = OfpHeader.Version13;

    /// <summary>The version bitmap words, or empty when the HELLO carries no bitmap element.</summary>
    public ImmutableArray<uint> VersionBitmap { get; init; } = [];

    public override byte WireVersion => Version;

    /// <summary>A HELLO offering exactly OpenFlow 1.3, as a controller that only speaks 1.3 sends.</summary>
    public static Hello OpenFlow13Only(uint xid = 0) => new() { Xid = xid, VersionBitmap = [1u << OfpHeader.Version13] };

    /// <summary>The versions the peer offers: the bitmap's, or every version from 1 up to the header's.</summary>
    public IReadOnlyList<byte> OfferedVersions
    {
        get
        {
            var versions = new List<byte>();
            if (VersionBitmap.IsEmpty)
            {
                for (int v = 1; v <= Version; v++)
                {
                    versions.Add((byte)v);
                }

                return versions;
            }

            for (int word = 0; word < VersionBitmap.Length; word++)
            {
                for (int bit = 0; bit < 32; bit++)
                {
                    if ((VersionBitmap[word] & (1u << bit)) != 0 && (word * 32) + bit <= byte.MaxValue)
                    {
                        versions.Add((byte)((word * 32) + bit));
                    }
                }
            }

            return versions;
        }
    }

    /// <summary>True when both sides can speak OpenFlow 1.3 (the negotiation of OpenFlow 1.3.5 §6.3.1).</summary>
    public bool Offers(byte version) => OfferedVersions.Contains(version);

    public override int BodyLength => VersionBitmap.IsEmpty ? 0 : SpanWriter.Align(4 + (4 * VersionBitmap.Length), 8);

    public override void WriteBody(ref SpanWriter writer)
    {
        if (VersionBitmap.IsEmpty)
        {
            return;
        }

        int start = writer.Position;
        writer.WriteUInt16(VersionBitmapElement);
        writer.WriteUInt16((ushort)(4 + (4 * VersionBitmap.Length)));
        foreach (uint word in VersionBitmap)
        {
            writer.WriteUInt32(word);
        }

        writer.PadTo(start, 8);
    }

    public static Hello Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        var bitmap = ImmutableArray<uint>.Empty;
        while (body.Remaining >= 4)
        {
            ushort type = body.ReadUInt16();
            ushort length = body.ReadUInt16();
            if (length < 4 || length - 4 > body.Remaining)
            {
                throw new OpenFlowException(OfpError.BadLen, $"hello element {type} has length {length} ({body.Remaining + 4} byte(s) left)");
            }

            var payload = body.ReadSub(length - 4);
            body.SkipPadding(Math.Min(body.Remaining, SpanWriter.Align(length, 8) - length));
            if (type == VersionBitmapElement && bitmap.IsEmpty)
            {
                var words = ImmutableArray.CreateBuilder<uint>(payload.Remaining / 4);
                while (payload.Remaining >= 4)
                {
                    words.Add(payload.ReadUInt32());
                }

                bitmap = words.ToImmutable();
            }
        }

        // Trailing bytes shorter than an element header are tolerated, as OVS does (ofputil_decode_hello).
        body.Skip(body.Remaining);
        return new Hello { Xid = header.Xid, Version = header.Version, VersionBitmap = bitmap };
    }

    /// <summary>
    /// " version bitmap: 0x01, 0x04" (OVS ofputil_hello_format); OVS lists only versions it knows (1.0..1.6),
    /// and with no usable bitmap it falls back to the header version's range.
    /// </summary>
    public override void FormatBody(StringBuilder output, PortNames names, int verbosity)
    {
        output.Append("\n version bitmap: ");
        bool first = true;
        foreach (byte version in KnownOfferedVersions())
        {
            if (!first)
            {
                output.Append(", ");
            }

            output.Append("0x").Append(version.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            first = false;
        }

        output.Append('\n');
    }

    public bool Equals(Hello? other) =>
        other is not null && other.Xid == Xid && other.Version == Version && VersionBitmap.AsSpan().SequenceEqual(other.VersionBitmap.AsSpan());

    public override int GetHashCode() => HashCode.Combine(Xid, Version, VersionBitmap.Length);

    private IEnumerable<byte> KnownOfferedVersions() => OfferedVersions.Where(v => v is >= 1 and <= 6);
}
