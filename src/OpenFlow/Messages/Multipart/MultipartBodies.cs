using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Multipart;

/// <summary>
/// The multipart bodies of this file family (statistics, descriptions, features and experimenter), decoded by
/// OFPMP type; the multipart framework's body switch hands these types here. Request bodies describe a query
/// and replies a switch's state, so replies are usually read with <see cref="DecodeMode.Loose"/>.
/// </summary>
public static class MultipartBodies
{
    /// <summary>
    /// Decodes the body of a request (<paramref name="isReply"/> false) or reply of OFPMP type
    /// <paramref name="multipartType"/>; null when the type is not one of this family.
    /// </summary>
    public static IMultipartBody? Decode(bool isReply, ushort multipartType, ref SpanReader body, DecodeMode mode) => (isReply, multipartType) switch
    {
        (false, DescRequest.MultipartType) => DescRequest.Decode(ref body, mode),
        (true, DescReply.MultipartType) => DescReply.Decode(ref body, mode),
        (false, TableStatsRequest.MultipartType) => TableStatsRequest.Decode(ref body, mode),
        (true, TableStatsReply.MultipartType) => TableStatsReply.Decode(ref body, mode),
        (false, PortStatsRequest.MultipartType) => PortStatsRequest.Decode(ref body, mode),
        (true, PortStatsReply.MultipartType) => PortStatsReply.Decode(ref body, mode),
        (false, QueueStatsRequest.MultipartType) => QueueStatsRequest.Decode(ref body, mode),
        (true, QueueStatsReply.MultipartType) => QueueStatsReply.Decode(ref body, mode),
        (false, GroupStatsRequest.MultipartType) => GroupStatsRequest.Decode(ref body, mode),
        (true, GroupStatsReply.MultipartType) => GroupStatsReply.Decode(ref body, mode),
        (false, GroupDescRequest.MultipartType) => GroupDescRequest.Decode(ref body, mode),
        (true, GroupDescReply.MultipartType) => GroupDescReply.Decode(ref body, mode),
        (false, GroupFeaturesRequest.MultipartType) => GroupFeaturesRequest.Decode(ref body, mode),
        (true, GroupFeaturesReply.MultipartType) => GroupFeaturesReply.Decode(ref body, mode),
        (false, MeterStatsReply.MultipartType or MeterConfigReply.MultipartType) => MeterRequest.Decode(ref body, mode),
        (true, MeterStatsReply.MultipartType) => MeterStatsReply.Decode(ref body, mode),
        (true, MeterConfigReply.MultipartType) => MeterConfigReply.Decode(ref body, mode),
        (false, MeterFeaturesRequest.MultipartType) => MeterFeaturesRequest.Decode(ref body, mode),
        (true, MeterFeaturesReply.MultipartType) => MeterFeaturesReply.Decode(ref body, mode),
        (_, ExperimenterMultipart.MultipartType) => ExperimenterMultipart.Decode(ref body, mode),
        _ => null,
    };

    /// <summary>OVS's name for a multipart type (lib/ofp-msgs.c), e.g. "OFPST_GROUP_DESC".</summary>
    public static string? OvsName(ushort multipartType) => multipartType switch
    {
        0 => "OFPST_DESC",
        1 => "OFPST_FLOW",
        2 => "OFPST_AGGREGATE",
        3 => "OFPST_TABLE",
        4 => "OFPST_PORT",
        5 => "OFPST_QUEUE",
        6 => "OFPST_GROUP",
        7 => "OFPST_GROUP_DESC",
        8 => "OFPST_GROUP_FEATURES",
        9 => "OFPST_METER",
        10 => "OFPST_METER_CONFIG",
        11 => "OFPST_METER_FEATURES",
        12 => "OFPST_TABLE_FEATURES",
        13 => "OFPST_PORT_DESC",
        _ => null,
    };

    /// <summary>
    /// The first line's prefix of a multipart message: <c>OFPST_GROUP reply (OF1.3) (xid=0x2): flags=[more]</c>
    /// (lib/ofp-print.c ofp_print_stats).
    /// </summary>
    public static StringBuilder Header(StringBuilder output, bool isReply, ushort multipartType, ushort flags, uint xid)
    {
        string name = OvsName(multipartType) ?? throw new OpenFlowException(OfpError.BadMultipart, $"multipart type {multipartType} has no OVS name");
        ModText.Header(output, $"{name} {(isReply ? "reply" : "request")}", xid);
        if ((flags & 1) != 0)
        {
            output.Append(" flags=[more]");
            flags &= 0xfffe;
        }

        if (flags != 0)
        {
            output.Append(" ***unknown flags 0x").Append(flags.ToString("x4", System.Globalization.CultureInfo.InvariantCulture)).Append("***");
        }

        return output;
    }
}
