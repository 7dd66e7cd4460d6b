namespace Dvr.OpenFlow.Errors;

/// <summary>
/// One OpenFlow error as the (type, code) pair that goes on the wire in OFPT_ERROR
/// (OpenFlow 1.3.5 §A.4.4). Experimenter errors (type 0xffff) carry the experimenter id too.
/// The well-known errors are named here once, so decoders and the connection speak one vocabulary.
/// </summary>
public readonly record struct OfpError(OfpErrorType Type, ushort Code, uint Experimenter = 0)
{
    // OFPET_HELLO_FAILED
    public static readonly OfpError HelloIncompatible = new(OfpErrorType.HelloFailed, 0);
    public static readonly OfpError HelloPermissionError = new(OfpErrorType.HelloFailed, 1);

    // OFPET_BAD_REQUEST
    public static readonly OfpError BadVersion = new(OfpErrorType.BadRequest, 0);
    public static readonly OfpError BadType = new(OfpErrorType.BadRequest, 1);
    public static readonly OfpError BadMultipart = new(OfpErrorType.BadRequest, 2);
    public static readonly OfpError BadExperimenter = new(OfpErrorType.BadRequest, 3);
    public static readonly OfpError BadExperimenterType = new(OfpErrorType.BadRequest, 4);
    public static readonly OfpError BadRequestPermission = new(OfpErrorType.BadRequest, 5);
    public static readonly OfpError BadLen = new(OfpErrorType.BadRequest, 6);
    public static readonly OfpError BufferEmpty = new(OfpErrorType.BadRequest, 7);
    public static readonly OfpError BufferUnknown = new(OfpErrorType.BadRequest, 8);
    public static readonly OfpError BadTableId = new(OfpErrorType.BadRequest, 9);
    public static readonly OfpError IsSlave = new(OfpErrorType.BadRequest, 10);
    public static readonly OfpError BadPort = new(OfpErrorType.BadRequest, 11);
    public static readonly OfpError BadPacket = new(OfpErrorType.BadRequest, 12);
    public static readonly OfpError MultipartBufferOverflow = new(OfpErrorType.BadRequest, 13);

    // OFPET_BAD_ACTION
    public static readonly OfpError BadActionType = new(OfpErrorType.BadAction, 0);
    public static readonly OfpError BadActionLen = new(OfpErrorType.BadAction, 1);
    public static readonly OfpError BadActionExperimenter = new(OfpErrorType.BadAction, 2);
    public static readonly OfpError BadActionExperimenterType = new(OfpErrorType.BadAction, 3);
    public static readonly OfpError BadOutPort = new(OfpErrorType.BadAction, 4);
    public static readonly OfpError BadActionArgument = new(OfpErrorType.BadAction, 5);
    public static readonly OfpError BadActionPermission = new(OfpErrorType.BadAction, 6);
    public static readonly OfpError TooManyActions = new(OfpErrorType.BadAction, 7);
    public static readonly OfpError BadQueue = new(OfpErrorType.BadAction, 8);
    public static readonly OfpError BadOutGroup = new(OfpErrorType.BadAction, 9);
    public static readonly OfpError MatchInconsistent = new(OfpErrorType.BadAction, 10);
    public static readonly OfpError UnsupportedOrder = new(OfpErrorType.BadAction, 11);
    public static readonly OfpError BadTag = new(OfpErrorType.BadAction, 12);
    public static readonly OfpError BadSetType = new(OfpErrorType.BadAction, 13);
    public static readonly OfpError BadSetLen = new(OfpErrorType.BadAction, 14);
    public static readonly OfpError BadSetArgument = new(OfpErrorType.BadAction, 15);

    // OFPET_BAD_INSTRUCTION
    public static readonly OfpError UnknownInstruction = new(OfpErrorType.BadInstruction, 0);
    public static readonly OfpError UnsupportedInstruction = new(OfpErrorType.BadInstruction, 1);
    public static readonly OfpError BadInstructionTableId = new(OfpErrorType.BadInstruction, 2);
    public static readonly OfpError UnsupportedMetadata = new(OfpErrorType.BadInstruction, 3);
    public static readonly OfpError UnsupportedMetadataMask = new(OfpErrorType.BadInstruction, 4);
    public static readonly OfpError BadInstructionExperimenter = new(OfpErrorType.BadInstruction, 5);
    public static readonly OfpError BadInstructionExperimenterType = new(OfpErrorType.BadInstruction, 6);
    public static readonly OfpError BadInstructionLen = new(OfpErrorType.BadInstruction, 7);
    public static readonly OfpError BadInstructionPermission = new(OfpErrorType.BadInstruction, 8);

    // OFPET_BAD_MATCH
    public static readonly OfpError BadMatchType = new(OfpErrorType.BadMatch, 0);
    public static readonly OfpError BadMatchLen = new(OfpErrorType.BadMatch, 1);
    public static readonly OfpError BadMatchTag = new(OfpErrorType.BadMatch, 2);
    public static readonly OfpError BadDlAddrMask = new(OfpErrorType.BadMatch, 3);
    public static readonly OfpError BadNwAddrMask = new(OfpErrorType.BadMatch, 4);
    public static readonly OfpError BadWildcards = new(OfpErrorType.BadMatch, 5);
    public static readonly OfpError BadField = new(OfpErrorType.BadMatch, 6);
    public static readonly OfpError BadValue = new(OfpErrorType.BadMatch, 7);
    public static readonly OfpError BadMask = new(OfpErrorType.BadMatch, 8);
    public static readonly OfpError BadPrereq = new(OfpErrorType.BadMatch, 9);
    public static readonly OfpError DupField = new(OfpErrorType.BadMatch, 10);
    public static readonly OfpError BadMatchPermission = new(OfpErrorType.BadMatch, 11);

    // OFPET_FLOW_MOD_FAILED
    public static readonly OfpError FlowModUnknown = new(OfpErrorType.FlowModFailed, 0);
    public static readonly OfpError TableFull = new(OfpErrorType.FlowModFailed, 1);
    public static readonly OfpError FlowModBadTableId = new(OfpErrorType.FlowModFailed, 2);
    public static readonly OfpError Overlap = new(OfpErrorType.FlowModFailed, 3);
    public static readonly OfpError FlowModPermission = new(OfpErrorType.FlowModFailed, 4);
    public static readonly OfpError BadTimeout = new(OfpErrorType.FlowModFailed, 5);
    public static readonly OfpError BadCommand = new(OfpErrorType.FlowModFailed, 6);
    public static readonly OfpError BadFlags = new(OfpErrorType.FlowModFailed, 7);

    // OFPET_GROUP_MOD_FAILED
    public static readonly OfpError GroupExists = new(OfpErrorType.GroupModFailed, 0);
    public static readonly OfpError InvalidGroup = new(OfpErrorType.GroupModFailed, 1);
    public static readonly OfpError WeightUnsupported = new(OfpErrorType.GroupModFailed, 2);
    public static readonly OfpError OutOfGroups = new(OfpErrorType.GroupModFailed, 3);
    public static readonly OfpError OutOfBuckets = new(OfpErrorType.GroupModFailed, 4);
    public static readonly OfpError ChainingUnsupported = new(OfpErrorType.GroupModFailed, 5);
    public static readonly OfpError WatchUnsupported = new(OfpErrorType.GroupModFailed, 6);
    public static readonly OfpError GroupLoop = new(OfpErrorType.GroupModFailed, 7);
    public static readonly OfpError UnknownGroup = new(OfpErrorType.GroupModFailed, 8);
    public static readonly OfpError ChainedGroup = new(OfpErrorType.GroupModFailed, 9);
    public static readonly OfpError BadGroupType = new(OfpErrorType.GroupModFailed, 10);
    public static readonly OfpError BadGroupCommand = new(OfpErrorType.GroupModFailed, 11);
    public static readonly OfpError BadBucket = new(OfpErrorType.GroupModFailed, 12);
    public static readonly OfpError BadWatch = new(OfpErrorType.GroupModFailed, 13);
    public static readonly OfpError GroupModPermission = new(OfpErrorType.GroupModFailed, 14);

    // OFPET_PORT_MOD_FAILED
    public static readonly OfpError PortModBadPort = new(OfpErrorType.PortModFailed, 0);
    public static readonly OfpError PortModBadHwAddr = new(OfpErrorType.PortModFailed, 1);
    public static readonly OfpError PortModBadConfig = new(OfpErrorType.PortModFailed, 2);
    public static readonly OfpError PortModBadAdvertise = new(OfpErrorType.PortModFailed, 3);
    public static readonly OfpError PortModPermission = new(OfpErrorType.PortModFailed, 4);

    // OFPET_TABLE_MOD_FAILED
    public static readonly OfpError TableModBadTable = new(OfpErrorType.TableModFailed, 0);
    public static readonly OfpError TableModBadConfig = new(OfpErrorType.TableModFailed, 1);
    public static readonly OfpError TableModPermission = new(OfpErrorType.TableModFailed, 2);

    // OFPET_QUEUE_OP_FAILED
    public static readonly OfpError QueueOpBadPort = new(OfpErrorType.QueueOpFailed, 0);
    public static readonly OfpError QueueOpBadQueue = new(OfpErrorType.QueueOpFailed, 1);
    public static readonly OfpError QueueOpPermission = new(OfpErrorType.QueueOpFailed, 2);

    // OFPET_METER_MOD_FAILED
    public static readonly OfpError MeterModUnknown = new(OfpErrorType.MeterModFailed, 0);
    public static readonly OfpError MeterExists = new(OfpErrorType.MeterModFailed, 1);
    public static readonly OfpError InvalidMeter = new(OfpErrorType.MeterModFailed, 2);
    public static readonly OfpError UnknownMeter = new(OfpErrorType.MeterModFailed, 3);
    public static readonly OfpError BadMeterCommand = new(OfpErrorType.MeterModFailed, 4);
    public static readonly OfpError BadMeterFlags = new(OfpErrorType.MeterModFailed, 5);
    public static readonly OfpError BadMeterRate = new(OfpErrorType.MeterModFailed, 6);
    public static readonly OfpError BadMeterBurst = new(OfpErrorType.MeterModFailed, 7);
    public static readonly OfpError BadBand = new(OfpErrorType.MeterModFailed, 8);
    public static readonly OfpError BadBandValue = new(OfpErrorType.MeterModFailed, 9);
    public static readonly OfpError OutOfMeters = new(OfpErrorType.MeterModFailed, 10);
    public static readonly OfpError OutOfBands = new(OfpErrorType.MeterModFailed, 11);

    // OFPET_TABLE_FEATURES_FAILED. In OpenFlow 1.3 OVS reports its generic property errors
    // (OFPBPC_BAD_TYPE/LEN/VALUE) with codes 2-4 of this type (ovs-ofctl print-error OFPBPC_BAD_LEN).
    public static readonly OfpError TableFeaturesBadTable = new(OfpErrorType.TableFeaturesFailed, 0);
    public static readonly OfpError TableFeaturesBadMetadata = new(OfpErrorType.TableFeaturesFailed, 1);
    public static readonly OfpError BadPropertyType = new(OfpErrorType.TableFeaturesFailed, 2);
    public static readonly OfpError BadPropertyLen = new(OfpErrorType.TableFeaturesFailed, 3);
    public static readonly OfpError BadPropertyValue = new(OfpErrorType.TableFeaturesFailed, 4);
    public static readonly OfpError TableFeaturesPermission = new(OfpErrorType.TableFeaturesFailed, 5);

    // OVS's generic property errors that OpenFlow 1.3 carries as ONF experimenter errors (EXT-230).
    public static readonly OfpError BadPropertyTooMany = new(OfpErrorType.Experimenter, 4443, OnfExperimenter);
    public static readonly OfpError BadPropertyExperimenter = new(OfpErrorType.Experimenter, 4445, OnfExperimenter);
    public static readonly OfpError BadPropertyExperimenterType = new(OfpErrorType.Experimenter, 4446, OnfExperimenter);

    /// <summary>ONF experimenter id, used by the bundle extension's errors (EXT-230).</summary>
    public const uint OnfExperimenter = 0x4F4E4600;

    /// <summary>Nicira experimenter id (NX_VENDOR_ID), used by OVS's own extension errors.</summary>
    public const uint NiciraExperimenter = 0x00002320;

    // ONF EXT-230 bundle errors (OVS names OFPBFC_*): experimenter errors with exp_type 2300..2315.
    public static readonly OfpError BundleUnknown = new(OfpErrorType.Experimenter, 2300, OnfExperimenter);
    public static readonly OfpError BundlePermission = new(OfpErrorType.Experimenter, 2301, OnfExperimenter);
    public static readonly OfpError BundleBadId = new(OfpErrorType.Experimenter, 2302, OnfExperimenter);
    public static readonly OfpError BundleExists = new(OfpErrorType.Experimenter, 2303, OnfExperimenter);
    public static readonly OfpError BundleClosed = new(OfpErrorType.Experimenter, 2304, OnfExperimenter);
    public static readonly OfpError BundleOutOfBundles = new(OfpErrorType.Experimenter, 2305, OnfExperimenter);
    public static readonly OfpError BundleBadType = new(OfpErrorType.Experimenter, 2306, OnfExperimenter);
    public static readonly OfpError BundleBadFlags = new(OfpErrorType.Experimenter, 2307, OnfExperimenter);
    public static readonly OfpError BundleMessageBadLen = new(OfpErrorType.Experimenter, 2308, OnfExperimenter);
    public static readonly OfpError BundleMessageBadXid = new(OfpErrorType.Experimenter, 2309, OnfExperimenter);
    public static readonly OfpError BundleMessageUnsupported = new(OfpErrorType.Experimenter, 2310, OnfExperimenter);
    public static readonly OfpError BundleMessageConflict = new(OfpErrorType.Experimenter, 2311, OnfExperimenter);
    public static readonly OfpError BundleMessageTooMany = new(OfpErrorType.Experimenter, 2312, OnfExperimenter);
    public static readonly OfpError BundleMessageFailed = new(OfpErrorType.Experimenter, 2313, OnfExperimenter);
    public static readonly OfpError BundleTimeout = new(OfpErrorType.Experimenter, 2314, OnfExperimenter);
    public static readonly OfpError BundleInProgress = new(OfpErrorType.Experimenter, 2315, OnfExperimenter);

    // OFPET_SWITCH_CONFIG_FAILED and OFPET_ROLE_REQUEST_FAILED, which the controller's handshake can meet.
    public static readonly OfpError SwitchConfigBadFlags = new(OfpErrorType.SwitchConfigFailed, 0);
    public static readonly OfpError SwitchConfigBadLen = new(OfpErrorType.SwitchConfigFailed, 1);
    public static readonly OfpError RoleStale = new(OfpErrorType.RoleRequestFailed, 0);
    public static readonly OfpError RoleUnsupported = new(OfpErrorType.RoleRequestFailed, 1);
    public static readonly OfpError BadRole = new(OfpErrorType.RoleRequestFailed, 2);

    public override string ToString() => ErrorNames.Format(this);
}
