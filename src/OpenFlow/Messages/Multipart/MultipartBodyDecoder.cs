using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Multipart;

/// <summary>
/// One switch per direction over the multipart type (one case per line, so each multipart family adds
/// exactly one line). Types not listed go to the statistics family's <see cref="MultipartBodies"/>; a type
/// nobody decodes is OFPBRC_BAD_STAT, as OVS reports it.
/// </summary>
public static class MultipartBodyDecoder
{
    public static IMultipartBody DecodeRequest(MultipartType type, ref SpanReader body, DecodeMode mode) => type switch
    {
        MultipartType.Flow => FlowStatsRequest.Decode(ref body, mode),
        MultipartType.Aggregate => AggregateStatsRequest.Decode(ref body, mode),
        MultipartType.PortDesc => PortDescRequest.Decode(ref body, mode),
        _ => MultipartBodies.Decode(false, (ushort)type, ref body, mode) ?? throw Unsupported("request", type),
    };

    public static IMultipartBody DecodeReply(MultipartType type, ref SpanReader body, DecodeMode mode) => type switch
    {
        MultipartType.Flow => FlowStatsReply.Decode(ref body, mode),
        MultipartType.Aggregate => AggregateStatsReply.Decode(ref body, mode),
        MultipartType.PortDesc => PortDescReply.Decode(ref body, mode),
        _ => MultipartBodies.Decode(true, (ushort)type, ref body, mode) ?? throw Unsupported("reply", type),
    };

    private static OpenFlowException Unsupported(string direction, MultipartType type) =>
        new(OfpError.BadMultipart, $"multipart {direction} type {(ushort)type} is not supported");
}
