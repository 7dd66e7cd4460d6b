using System.Text;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Multipart;

/// <summary>
/// The typed body of a multipart request or reply (what follows the 16-byte multipart header). Each
/// multipart type has a request body record and a reply body record; <see cref="MultipartBodyDecoder"/>
/// picks one by type.
/// </summary>
public abstract record MultipartBody
{
    public abstract MultipartType MultipartType { get; }

    public abstract int EncodedLength { get; }

    public abstract void Encode(ref SpanWriter writer);

    /// <summary>Appends what ovs-ofctl prints after the multipart header and flags.</summary>
    public virtual void Format(StringBuilder output, PortNames names, int verbosity)
    {
    }
}

/// <summary>Body of an OFPT_MULTIPART_REQUEST.</summary>
public abstract record MultipartRequestBody : MultipartBody;

/// <summary>Body of an OFPT_MULTIPART_REPLY.</summary>
public abstract record MultipartReplyBody : MultipartBody;
