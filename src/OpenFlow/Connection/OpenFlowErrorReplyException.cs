using System.Buffers.Binary;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Connection;

/// <summary>The peer answered a request with OFPT_ERROR (OpenFlow 1.3.5 §A.4.4).</summary>
public sealed class OpenFlowErrorReplyException : Exception
{
    public OpenFlowErrorReplyException(OfpError error, uint xid, ReadOnlyMemory<byte> data)
        : base($"switch replied {ErrorNames.Format(error)} to xid {xid}")
    {
        Error = error;
        Xid = xid;
        Data = data;
    }

    public OpenFlowErrorReplyException()
        : this(OfpError.BadLen, 0, ReadOnlyMemory<byte>.Empty)
    {
    }

    public OpenFlowErrorReplyException(string message)
        : base(message)
    {
        Data = ReadOnlyMemory<byte>.Empty;
    }

    public OpenFlowErrorReplyException(string message, Exception innerException)
        : base(message, innerException)
    {
        Data = ReadOnlyMemory<byte>.Empty;
    }

    public OfpError Error { get; }

    public uint Xid { get; }

    /// <summary>The error's data: the start of the failed request for most errors.</summary>
    public new ReadOnlyMemory<byte> Data { get; }

    /// <summary>
    /// Reads the (type, code) of an OFPT_ERROR frame. Layout (OpenFlow 1.3.5 §A.4.4):
    /// <code>
    ///  ofp_error_msg:              | type (2) | code (2) | data ... |
    ///  ofp_error_experimenter_msg: | 0xffff   | exp_type (2) | experimenter (4) | data ... |
    /// </code>
    /// </summary>
    public static OpenFlowErrorReplyException FromFrame(OpenFlowFrame frame)
    {
        var body = frame.Body;
        if (body.Length < 4)
        {
            return new OpenFlowErrorReplyException(OfpError.BadLen, frame.Xid, ReadOnlyMemory<byte>.Empty);
        }

        var type = (OfpErrorType)BinaryPrimitives.ReadUInt16BigEndian(body);
        ushort code = BinaryPrimitives.ReadUInt16BigEndian(body[2..]);
        if (type == OfpErrorType.Experimenter && body.Length >= 8)
        {
            uint experimenter = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
            return new OpenFlowErrorReplyException(new OfpError(type, code, experimenter), frame.Xid, frame.Bytes[(OfpHeader.Size + 8)..]);
        }

        return new OpenFlowErrorReplyException(new OfpError(type, code), frame.Xid, frame.Bytes[(OfpHeader.Size + 4)..]);
    }
}

/// <summary>The connection closed (or was dropped) before a request was answered.</summary>
public sealed class OpenFlowChannelClosedException : Exception
{
    public OpenFlowChannelClosedException()
        : base("OpenFlow connection closed")
    {
    }

    public OpenFlowChannelClosedException(string message)
        : base(message)
    {
    }

    public OpenFlowChannelClosedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
