using Dvr.OpenFlow.Errors;

namespace Dvr.OpenFlow.Actions;

/// <summary>
/// Extension errors Open vSwitch reports for actions in OpenFlow 1.3 (lib/ofp-errors.h; type/code from
/// <c>ovs-ofctl print-error NAME</c>): experimenter errors whose Code is the exp_type.
/// </summary>
public static class ActionErrors
{
    /// <summary>NXBRC_MUST_BE_ZERO: reserved bytes that must be zero are not.</summary>
    public static readonly OfpError MustBeZero = new(OfpErrorType.Experimenter, 4, NiciraAction.NiciraExperimenter);

    /// <summary>NXBAC_BAD_CONJUNCTION: a conjunction clause number outside 1..n or n outside 2..64.</summary>
    public static readonly OfpError BadConjunction = new(OfpErrorType.Experimenter, 15, NiciraAction.NiciraExperimenter);

    /// <summary>OFPBAC_BAD_SET_MASK (an OpenFlow 1.5 error carried as ONF experimenter 4250 in 1.3): set_field with a mask.</summary>
    public static readonly OfpError BadSetMask = new(OfpErrorType.Experimenter, 4250, OfpError.OnfExperimenter);

    /// <summary>OVS's name for an error, including these extension errors.</summary>
    public static string Name(OfpError error) =>
        error == MustBeZero ? "NXBRC_MUST_BE_ZERO"
        : error == BadConjunction ? "NXBAC_BAD_CONJUNCTION"
        : error == BadSetMask ? "OFPBAC_BAD_SET_MASK"
        : error == Instructions.InstructionCodec.DuplicateInstruction ? "OFPBIC_DUP_INST"
        : ErrorNames.Format(error);
}
