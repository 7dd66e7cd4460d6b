using System.Text;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Messages.Multipart;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Tests.Multipart;

/// <summary>One multipart message as the tests handle it: the frame around an <see cref="IMultipartBody"/>.</summary>
internal sealed record MultipartFrame(bool IsReply, ushort MultipartType, IMultipartBody Body, ushort Flags = 0, uint Xid = 2)
{
    /// <summary>
    /// OFPT_MULTIPART_REQUEST/REPLY (OpenFlow 1.3.5 §A.3.5): header, then <c>type(2) | flags(2) | pad(4)</c>, then the body.
    /// </summary>
    public byte[] ToBytes()
    {
        int length = OfpHeader.Size + 8 + Body.BodyLength;
        var bytes = new byte[length];
        new OfpHeader(OfpHeader.Version13, IsReply ? OfpType.MultipartReply : OfpType.MultipartRequest, (ushort)length, Xid).Write(bytes);
        var writer = new SpanWriter(bytes.AsSpan(OfpHeader.Size));
        writer.WriteUInt16(MultipartType);
        writer.WriteUInt16(Flags);
        writer.WriteZeros(4);
        Body.WriteBody(ref writer);
        return bytes;
    }

    public static MultipartFrame Decode(byte[] bytes, DecodeMode mode)
    {
        var header = OfpHeader.Read(bytes);
        var reader = new SpanReader(bytes.AsSpan(OfpHeader.Size, header.Length - OfpHeader.Size));
        ushort type = reader.ReadUInt16();
        ushort flags = reader.ReadUInt16();
        reader.SkipPadding(4);
        bool isReply = header.Type == OfpType.MultipartReply;
        var body = MultipartBodies.Decode(isReply, type, ref reader, mode) ?? throw new InvalidOperationException($"multipart type {type} is not in this family");
        if (!reader.IsEmpty)
        {
            throw new InvalidOperationException($"{reader.Remaining} trailing byte(s)");
        }

        return new MultipartFrame(isReply, type, body, flags, header.Xid);
    }

    public string Text()
    {
        var output = new StringBuilder();
        MultipartBodies.Header(output, IsReply, MultipartType, Flags, Xid);
        Body.Format(output, PortNames.None);
        return output.ToString().TrimEnd('\n') + "\n";
    }
}
