namespace Dvr.OpenFlow.Actions;

/// <summary>enum ofp_action_type (OpenFlow 1.3.5 §7.2.5).</summary>
public enum OfpActionType : ushort
{
    Output = 0,
    CopyTtlOut = 11,
    CopyTtlIn = 12,
    SetMplsTtl = 15,
    DecMplsTtl = 16,
    PushVlan = 17,
    PopVlan = 18,
    PushMpls = 19,
    PopMpls = 20,
    SetQueue = 21,
    Group = 22,
    SetNwTtl = 23,
    DecNwTtl = 24,
    SetField = 25,
    PushPbb = 26,
    PopPbb = 27,
    Experimenter = 0xffff,
}
