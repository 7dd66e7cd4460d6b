using System.Diagnostics.CodeAnalysis;

namespace Dvr.OpenFlow.Errors;

/// <summary>
/// A typed OpenFlow decode or validation failure. It carries the (type, code) that an OFPT_ERROR reply
/// names and the offending bytes, so a connection can echo them back as the spec asks
/// (OpenFlow 1.3.5 §A.4.4: "at least 64 bytes of the failed request").
/// </summary>
public sealed class OpenFlowException : Exception
{
    public OpenFlowException(OfpError error, string message, ReadOnlySpan<byte> offending = default)
        : base($"{ErrorNames.Format(error)}: {message}")
    {
        Error = error;
        Offending = offending.ToArray();
    }

    public OpenFlowException()
        : this(OfpError.BadLen, "unspecified OpenFlow error")
    {
    }

    public OpenFlowException(string message)
        : this(OfpError.BadLen, message)
    {
    }

    public OpenFlowException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = OfpError.BadLen;
        Offending = [];
    }

    public OfpError Error { get; }

    /// <summary>The bytes that failed to decode (the whole message when known).</summary>
    public byte[] Offending { get; private set; }

    /// <summary>Attaches the whole message once the framing layer knows it, keeping the error.</summary>
    public OpenFlowException WithOffending(ReadOnlySpan<byte> message)
    {
        Offending = message.ToArray();
        return this;
    }

    [DoesNotReturn]
    public static void Throw(OfpError error, string message) => throw new OpenFlowException(error, message);

    [DoesNotReturn]
    public static T Throw<T>(OfpError error, string message) => throw new OpenFlowException(error, message);
}
