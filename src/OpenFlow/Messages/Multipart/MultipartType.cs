namespace Dvr.OpenFlow.Messages.Multipart;

/// <summary>enum ofp_multipart_type (OpenFlow 1.3.5 §A.3.5).</summary>
public enum MultipartType : ushort
{
    Desc = 0,
    Flow = 1,
    Aggregate = 2,
    Table = 3,
    PortStats = 4,
    Queue = 5,
    Group = 6,
    GroupDesc = 7,
    GroupFeatures = 8,
    Meter = 9,
    MeterConfig = 10,
    MeterFeatures = 11,
    TableFeatures = 12,
    PortDesc = 13,
    Experimenter = 0xffff,
}

/// <summary>enum ofp_multipart_request_flags / ofp_multipart_reply_flags (OpenFlow 1.3.5 §A.3.5).</summary>
[Flags]
public enum MultipartFlags : ushort
{
    None = 0,

    /// <summary>OFPMPF_REQ_MORE / OFPMPF_REPLY_MORE: more parts follow with the same xid.</summary>
    More = 1 << 0,
}

/// <summary>OVS's names for multipart types (the "OFPST_" prefix of ofp-msgs.h).</summary>
public static class MultipartTypeNames
{
    public static string Format(MultipartType type) => type switch
    {
        MultipartType.Desc => "OFPST_DESC",
        MultipartType.Flow => "OFPST_FLOW",
        MultipartType.Aggregate => "OFPST_AGGREGATE",
        MultipartType.Table => "OFPST_TABLE",
        MultipartType.PortStats => "OFPST_PORT",
        MultipartType.Queue => "OFPST_QUEUE",
        MultipartType.Group => "OFPST_GROUP",
        MultipartType.GroupDesc => "OFPST_GROUP_DESC",
        MultipartType.GroupFeatures => "OFPST_GROUP_FEATURES",
        MultipartType.Meter => "OFPST_METER",
        MultipartType.MeterConfig => "OFPST_METER_CONFIG",
        MultipartType.MeterFeatures => "OFPST_METER_FEATURES",
        MultipartType.TableFeatures => "OFPST_TABLE_FEATURES",
        MultipartType.PortDesc => "OFPST_PORT_DESC",
        _ => $"OFPST_{(ushort)type}",
    };
}
