using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Multipart;

/// <summary>
/// One switch per direction over the multipart type (one case per line, so each multipart family adds
/// exactly one line). An unsupported type is OFPBRC_BAD_STAT, as OVS reports it.
/// </summary>
public static class MultipartBodyDecoder
{
    public static MultipartRequestBody DecodeRequest(MultipartType type, ref SpanReader body, DecodeMode mode) => type switch
    {
        MultipartType.Flow => FlowStatsRequest.Decode(ref body, mode),
        MultipartType.Aggregate => AggregateStatsRequest.Decode(ref body, mode),
        MultipartType.PortDesc => PortDescRequest.Decode(ref body, mode),
        _ => throw new OpenFlowException(OfpError.BadMultipart, $"multipart request type {(ushort)type} is not supported"),
    };

    public static MultipartReplyBody DecodeReply(MultipartType type, ref SpanReader body, DecodeMode mode) => type switch
    {
        MultipartType.Flow => FlowStatsReply.Decode(ref body, mode),
        MultipartType.Aggregate => AggregateStatsReply.Decode(ref body, mode),
        MultipartType.PortDesc => PortDescReply.Decode(ref body, mode),
        _ => throw new OpenFlowException(OfpError.BadMultipart, $"multipart reply type {(ushort)type} is not supported"),
    };
}
