using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Multipart;

/// <summary>
/// One switch per direction over the multipart type (one case per line, so each multipart family adds
/// exactly one line). A type nobody decodes is OFPBRC_BAD_STAT, as OVS reports it.
/// </summary>
public static class MultipartBodyDecoder
{
    public static IMultipartBody DecodeRequest(MultipartType type, ref SpanReader body, DecodeMode mode) => type switch
    {
        MultipartType.Flow => FlowStatsRequest.Decode(ref body, mode),
        MultipartType.Aggregate => AggregateStatsRequest.Decode(ref body, mode),
        MultipartType.PortDesc => PortDescRequest.Decode(ref body, mode),
        MultipartType.Desc => DescRequest.Decode(ref body, mode),
        MultipartType.Table => TableStatsRequest.Decode(ref body, mode),
        MultipartType.PortStats => PortStatsRequest.Decode(ref body, mode),
        MultipartType.Queue => QueueStatsRequest.Decode(ref body, mode),
        MultipartType.Group => GroupStatsRequest.Decode(ref body, mode),
        MultipartType.GroupDesc => GroupDescRequest.Decode(ref body, mode),
        MultipartType.GroupFeatures => GroupFeaturesRequest.Decode(ref body, mode),
        MultipartType.Meter => MeterRequest.Decode(ref body, mode, forConfig: false),
        MultipartType.MeterConfig => MeterRequest.Decode(ref body, mode, forConfig: true),
        MultipartType.MeterFeatures => MeterFeaturesRequest.Decode(ref body, mode),
        MultipartType.TableFeatures => TableFeaturesRequest.Decode(ref body, mode),
        MultipartType.Experimenter => ExperimenterMultipartRequest.Decode(ref body, mode),
        _ => throw Unsupported("request", type),
    };

    public static IMultipartBody DecodeReply(MultipartType type, ref SpanReader body, DecodeMode mode) => type switch
    {
        MultipartType.Flow => FlowStatsReply.Decode(ref body, mode),
        MultipartType.Aggregate => AggregateStatsReply.Decode(ref body, mode),
        MultipartType.PortDesc => PortDescReply.Decode(ref body, mode),
        MultipartType.Desc => DescReply.Decode(ref body, mode),
        MultipartType.Table => TableStatsReply.Decode(ref body, mode),
        MultipartType.PortStats => PortStatsReply.Decode(ref body, mode),
        MultipartType.Queue => QueueStatsReply.Decode(ref body, mode),
        MultipartType.Group => GroupStatsReply.Decode(ref body, mode),
        MultipartType.GroupDesc => GroupDescReply.Decode(ref body, mode),
        MultipartType.GroupFeatures => GroupFeaturesReply.Decode(ref body, mode),
        MultipartType.Meter => MeterStatsReply.Decode(ref body, mode),
        MultipartType.MeterConfig => MeterConfigReply.Decode(ref body, mode),
        MultipartType.MeterFeatures => MeterFeaturesReply.Decode(ref body, mode),
        MultipartType.TableFeatures => TableFeaturesReply.Decode(ref body, mode),
        MultipartType.Experimenter => ExperimenterMultipartReply.Decode(ref body, mode),
        _ => throw Unsupported("reply", type),
    };

    private static OpenFlowException Unsupported(string direction, MultipartType type) =>
        new(OfpError.BadMultipart, $"multipart {direction} type {(ushort)type} is not supported");
}
