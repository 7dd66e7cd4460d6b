using System.Buffers;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Framing;

/// <summary>
/// Splits a byte stream into OpenFlow messages (OpenFlow 1.3.5 §A.1: the header's length field frames
/// each message). Stateless, like Kestrel's Http2FrameReader: it returns false until a whole message is
/// buffered, slices it without copying, and validates the header before waiting for the body, so a peer
/// cannot make us buffer an impossible message.
/// </summary>
public static class OpenFlowFrameReader
{
    /// <summary>
    /// Tries to take one whole message from the front of <paramref name="buffer"/>.
    /// On success <paramref name="frame"/> is a slice (header included) of the original buffer and
    /// <paramref name="buffer"/> is advanced past it.
    /// </summary>
    /// <exception cref="OpenFlowException">
    /// OFPBRC_BAD_LEN when the length field is below 8; OFPBRC_BAD_VERSION for a non-1.3 message other
    /// than HELLO (HELLO is version-independent so negotiation can answer it, OpenFlow 1.3.5 §6.3.1).
    /// </exception>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out OfpHeader header, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        header = default;
        if (buffer.Length < OfpHeader.Size)
        {
            return false;
        }

        Span<byte> headerBytes = stackalloc byte[OfpHeader.Size];
        var first = buffer.FirstSpan;
        if (first.Length >= OfpHeader.Size)
        {
            header = OfpHeader.Read(first);
        }
        else
        {
            buffer.Slice(0, OfpHeader.Size).CopyTo(headerBytes);
            header = OfpHeader.Read(headerBytes);
        }

        ValidateHeader(header, buffer);
        if (buffer.Length < header.Length)
        {
            return false;
        }

        frame = buffer.Slice(0, header.Length);
        buffer = buffer.Slice(header.Length);
        return true;
    }

    /// <summary>Span form for callers that already hold contiguous bytes (tests, files of messages).</summary>
    public static bool TryReadFrame(ref ReadOnlySpan<byte> buffer, out OfpHeader header, out ReadOnlySpan<byte> frame)
    {
        frame = default;
        header = default;
        if (buffer.Length < OfpHeader.Size)
        {
            return false;
        }

        header = OfpHeader.Read(buffer);
        ValidateHeader(header, buffer[..OfpHeader.Size]);
        if (buffer.Length < header.Length)
        {
            return false;
        }

        frame = buffer[..header.Length];
        buffer = buffer[header.Length..];
        return true;
    }

    private static void ValidateHeader(OfpHeader header, ReadOnlySequence<byte> buffer)
    {
        if (header.Length < OfpHeader.Size || (header.Version != OfpHeader.Version13 && header.Type != OfpType.Hello))
        {
            Span<byte> bytes = stackalloc byte[OfpHeader.Size];
            buffer.Slice(0, OfpHeader.Size).CopyTo(bytes);
            ValidateHeader(header, bytes);
        }
    }

    private static void ValidateHeader(OfpHeader header, ReadOnlySpan<byte> headerBytes)
    {
        if (header.Length < OfpHeader.Size)
        {
            throw new OpenFlowException(OfpError.BadLen, $"length field {header.Length} is below the 8-byte header", headerBytes[..OfpHeader.Size]);
        }

        if (header.Version != OfpHeader.Version13 && header.Type != OfpType.Hello)
        {
            throw new OpenFlowException(OfpError.BadVersion, $"version 0x{header.Version:x2} is not OpenFlow 1.3 (0x04)", headerBytes[..OfpHeader.Size]);
        }
    }
}
