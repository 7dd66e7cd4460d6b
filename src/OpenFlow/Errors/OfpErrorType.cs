namespace Dvr.OpenFlow.Errors;

/// <summary>OFPT_ERROR types (OpenFlow 1.3.5 §A.4.4, enum ofp_error_type).</summary>
public enum OfpErrorType : ushort
{
    HelloFailed = 0,
    BadRequest = 1,
    BadAction = 2,
    BadInstruction = 3,
    BadMatch = 4,
    FlowModFailed = 5,
    GroupModFailed = 6,
    PortModFailed = 7,
    TableModFailed = 8,
    QueueOpFailed = 9,
    SwitchConfigFailed = 10,
    RoleRequestFailed = 11,
    MeterModFailed = 12,
    TableFeaturesFailed = 13,
    Experimenter = 0xffff,
}
