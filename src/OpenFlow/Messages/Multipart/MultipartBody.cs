using System.Text;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Multipart;

/// <summary>
/// Base of the multipart bodies of this file family (flow, aggregate, port description): a body that also
/// knows its multipart type. Other families implement <see cref="IMultipartBody"/> directly and the multipart
/// message carries their type itself.
/// </summary>
public abstract record MultipartBody : IMultipartBody
{
    public abstract MultipartType MultipartType { get; }

    public abstract int BodyLength { get; }

    public abstract void WriteBody(ref SpanWriter writer);

    /// <summary>Appends what ovs-ofctl prints after the multipart header and flags.</summary>
    public virtual void Format(StringBuilder output, PortNames names)
    {
    }
}

/// <summary>Body of an OFPT_MULTIPART_REQUEST.</summary>
public abstract record MultipartRequestBody : MultipartBody;

/// <summary>Body of an OFPT_MULTIPART_REPLY.</summary>
public abstract record MultipartReplyBody : MultipartBody;
