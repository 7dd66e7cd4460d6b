namespace Dvr.OpenFlow.Messages;

/// <summary>
/// How to treat unknown properties, fields and flag bits (OVS ofp-prop.h, OFPPROP_UNKNOWN):
/// <see cref="Loose"/> when reading a switch's state or capabilities (ignore what we do not know),
/// <see cref="Strict"/> when a message would change state (reject it with the spec's error).
/// </summary>
public enum DecodeMode
{
    Strict,
    Loose,
}
