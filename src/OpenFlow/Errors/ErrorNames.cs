using System.Collections.Frozen;

namespace Dvr.OpenFlow.Errors;

/// <summary>
/// OVS's names for OpenFlow errors (lib/ofp-errors.h), so text output reads like ovs-ofctl's.
/// </summary>
public static class ErrorNames
{
    private static readonly FrozenDictionary<OfpError, string> Names = new Dictionary<OfpError, string>
    {
        [OfpError.HelloIncompatible] = "OFPHFC_INCOMPATIBLE",
        [OfpError.HelloPermissionError] = "OFPHFC_EPERM",
        [OfpError.BadVersion] = "OFPBRC_BAD_VERSION",
        [OfpError.BadType] = "OFPBRC_BAD_TYPE",
        [OfpError.BadMultipart] = "OFPBRC_BAD_STAT",
        [OfpError.BadExperimenter] = "OFPBRC_BAD_VENDOR",
        [OfpError.BadExperimenterType] = "OFPBRC_BAD_SUBTYPE",
        [OfpError.BadRequestPermission] = "OFPBRC_EPERM",
        [OfpError.BadLen] = "OFPBRC_BAD_LEN",
        [OfpError.BufferEmpty] = "OFPBRC_BUFFER_EMPTY",
        [OfpError.BufferUnknown] = "OFPBRC_BUFFER_UNKNOWN",
        [OfpError.BadTableId] = "OFPBRC_BAD_TABLE_ID",
        [OfpError.IsSlave] = "OFPBRC_IS_SLAVE",
        [OfpError.BadPort] = "OFPBRC_BAD_PORT",
        [OfpError.BadPacket] = "OFPBRC_BAD_PACKET",
        [OfpError.MultipartBufferOverflow] = "OFPBRC_MULTIPART_BUFFER_OVERFLOW",
        [OfpError.BadActionType] = "OFPBAC_BAD_TYPE",
        [OfpError.BadActionLen] = "OFPBAC_BAD_LEN",
        [OfpError.BadActionExperimenter] = "OFPBAC_BAD_VENDOR",
        [OfpError.BadActionExperimenterType] = "OFPBAC_BAD_VENDOR_TYPE",
        [OfpError.BadOutPort] = "OFPBAC_BAD_OUT_PORT",
        [OfpError.BadActionArgument] = "OFPBAC_BAD_ARGUMENT",
        [OfpError.BadActionPermission] = "OFPBAC_EPERM",
        [OfpError.TooManyActions] = "OFPBAC_TOO_MANY",
        [OfpError.BadQueue] = "OFPBAC_BAD_QUEUE",
        [OfpError.BadOutGroup] = "OFPBAC_BAD_OUT_GROUP",
        [OfpError.MatchInconsistent] = "OFPBAC_MATCH_INCONSISTENT",
        [OfpError.UnsupportedOrder] = "OFPBAC_UNSUPPORTED_ORDER",
        [OfpError.BadTag] = "OFPBAC_BAD_TAG",
        [OfpError.BadSetType] = "OFPBAC_BAD_SET_TYPE",
        [OfpError.BadSetLen] = "OFPBAC_BAD_SET_LEN",
        [OfpError.BadSetArgument] = "OFPBAC_BAD_SET_ARGUMENT",
        [OfpError.UnknownInstruction] = "OFPBIC_UNKNOWN_INST",
        [OfpError.UnsupportedInstruction] = "OFPBIC_UNSUP_INST",
        [OfpError.BadInstructionTableId] = "OFPBIC_BAD_TABLE_ID",
        [OfpError.UnsupportedMetadata] = "OFPBIC_UNSUP_METADATA",
        [OfpError.UnsupportedMetadataMask] = "OFPBIC_UNSUP_METADATA_MASK",
        [OfpError.BadInstructionExperimenter] = "OFPBIC_BAD_EXPERIMENTER",
        [OfpError.BadInstructionExperimenterType] = "OFPBIC_BAD_EXP_TYPE",
        [OfpError.BadInstructionLen] = "OFPBIC_BAD_LEN",
        [OfpError.BadInstructionPermission] = "OFPBIC_EPERM",
        [OfpError.BadMatchType] = "OFPBMC_BAD_TYPE",
        [OfpError.BadMatchLen] = "OFPBMC_BAD_LEN",
        [OfpError.BadMatchTag] = "OFPBMC_BAD_TAG",
        [OfpError.BadDlAddrMask] = "OFPBMC_BAD_DL_ADDR_MASK",
        [OfpError.BadNwAddrMask] = "OFPBMC_BAD_NW_ADDR_MASK",
        [OfpError.BadWildcards] = "OFPBMC_BAD_WILDCARDS",
        [OfpError.BadField] = "OFPBMC_BAD_FIELD",
        [OfpError.BadValue] = "OFPBMC_BAD_VALUE",
        [OfpError.BadMask] = "OFPBMC_BAD_MASK",
        [OfpError.BadPrereq] = "OFPBMC_BAD_PREREQ",
        [OfpError.DupField] = "OFPBMC_DUP_FIELD",
        [OfpError.BadMatchPermission] = "OFPBMC_EPERM",
        [OfpError.FlowModUnknown] = "OFPFMFC_UNKNOWN",
        [OfpError.TableFull] = "OFPFMFC_TABLE_FULL",
        [OfpError.FlowModBadTableId] = "OFPFMFC_BAD_TABLE_ID",
        [OfpError.Overlap] = "OFPFMFC_OVERLAP",
        [OfpError.FlowModPermission] = "OFPFMFC_EPERM",
        [OfpError.BadTimeout] = "OFPFMFC_BAD_TIMEOUT",
        [OfpError.BadCommand] = "OFPFMFC_BAD_COMMAND",
        [OfpError.BadFlags] = "OFPFMFC_BAD_FLAGS",
    }.ToFrozenDictionary();

    /// <summary>OVS's name for the error, or a neutral "type/code" form for one it has no name for.</summary>
    public static string Format(OfpError error) =>
        Names.TryGetValue(error, out var name) ? name : $"OFPET_{(ushort)error.Type}_{error.Code}";
}
