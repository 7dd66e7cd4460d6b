using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Messages.Symmetric;

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

    /// <summary>Decodes an OFPT_ERROR frame (OpenFlow 1.3.5 §A.4.4) into the exception a request fails with.</summary>
    public static OpenFlowErrorReplyException FromFrame(OpenFlowFrame frame)
    {
        try
        {
            var message = (ErrorMessage)MessageDecoder.Decode(frame.Bytes.Span, DecodeMode.Loose);
            return new OpenFlowErrorReplyException(message.Error, frame.Xid, message.Data.Memory);
        }
        catch (OpenFlowException ex)
        {
            return new OpenFlowErrorReplyException(ex.Error, frame.Xid, frame.Bytes);
        }
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
