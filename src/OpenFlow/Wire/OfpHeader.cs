using System.Buffers.Binary;

namespace Dvr.OpenFlow.Wire;

/// <summary>
/// The fixed header that starts every OpenFlow message (OpenFlow 1.3.5 §A.1).
/// <code>
///  0        1        2                 4                                 8
///  +--------+--------+-----------------+---------------------------------+
///  |version |  type  |     length      |               xid               |
///  +--------+--------+-----------------+---------------------------------+
/// </code>
/// <c>length</c> counts the header itself, so it is never below 8.
/// </summary>
public readonly record struct OfpHeader(byte Version, OfpType Type, ushort Length, uint Xid)
{
    /// <summary>sizeof(struct ofp_header).</summary>
    public const int Size = 8;

    /// <summary>OpenFlow 1.3 wire version (OpenFlow 1.3.5 §A.1: OFP_VERSION = 0x04).</summary>
    public const byte Version13 = 0x04;

    /// <summary>The 16-bit length field caps every message at 65,535 bytes.</summary>
    public const int MaxLength = ushort.MaxValue;

    public int BodyLength => Length - Size;

    public static OfpHeader Read(ReadOnlySpan<byte> source) => new(
        source[0],
        (OfpType)source[1],
        BinaryPrimitives.ReadUInt16BigEndian(source[2..]),
        BinaryPrimitives.ReadUInt32BigEndian(source[4..]));

    public void Write(Span<byte> destination)
    {
        destination[0] = Version;
        destination[1] = (byte)Type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], Length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], Xid);
    }
}
