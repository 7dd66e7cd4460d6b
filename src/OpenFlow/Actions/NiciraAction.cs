using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Actions;

/// <summary>Nicira extension action subtypes (include/openflow/nicira-ext.h, enum nx_action_subtype).</summary>
public enum NiciraSubtype : ushort
{
    Resubmit = 1,
    SetTunnel = 2,
    PopQueue = 5,
    RegMove = 6,
    RegLoad = 7,
    Note = 8,
    SetTunnel64 = 9,
    ResubmitTable = 14,
    OutputReg = 15,
    Learn = 16,

    /// <summary>NXAST_EXIT.</summary>
    Exit = 17,
    /// <summary>NXAST_DEC_TTL: OVS 3.1 reports it as OFPBAC_BAD_VENDOR_TYPE in OpenFlow 1.3 (it writes OFPAT_DEC_NW_TTL).</summary>
    DecTtl = 18,

    /// <summary>NXAST_FIN_TIMEOUT.</summary>
    FinTimeout = 19,
    Controller = 20,
    DecTtlCountIds = 21,

    /// <summary>NXAST_STACK_PUSH.</summary>
    StackPush = 27,

    /// <summary>NXAST_STACK_POP.</summary>
    StackPop = 28,
    Conjunction = 34,
    Conntrack = 35,
    Nat = 36,
    ResubmitTableCt = 44,
}

/// <summary>
/// Base of the Nicira (experimenter 0x00002320) actions. Every one starts with the 10-byte header
/// (include/openflow/nicira-ext.h, struct nx_action_header):
/// <code>type(2)=0xffff | len(2) | vendor(4)=0x00002320 | subtype(2)</code>
/// </summary>
public abstract record NiciraAction : OfpAction
{
    public const uint NiciraExperimenter = 0x00002320;

    /// <summary>The header size: type, len, vendor, subtype.</summary>
    public const int HeaderLength = 10;

    public abstract NiciraSubtype Subtype { get; }

    protected void WriteHeader(ref SpanWriter writer) => WriteHeader(ref writer, Subtype, EncodedLength);

    internal static void WriteHeader(ref SpanWriter writer, NiciraSubtype subtype, int length)
    {
        writer.WriteUInt16((ushort)OfpActionType.Experimenter);
        writer.WriteUInt16((ushort)length);
        writer.WriteUInt32(NiciraExperimenter);
        writer.WriteUInt16((ushort)subtype);
    }

    /// <summary>Fixed-size Nicira actions must have exactly their length (OVS: OFPBAC_BAD_LEN).</summary>
    internal static void ExpectLength(int actual, int expected, NiciraSubtype subtype)
    {
        if (actual != expected)
        {
            throw new OpenFlowException(OfpError.BadActionLen, $"Nicira action {subtype} must be {expected} bytes, got {actual}");
        }
    }

    internal static void ExpectMinLength(int actual, int minimum, NiciraSubtype subtype)
    {
        if (actual < minimum)
        {
            throw new OpenFlowException(OfpError.BadActionLen, $"Nicira action {subtype} needs at least {minimum} bytes, got {actual}");
        }
    }

    /// <summary>ofs_nbits packs a subfield as <c>ofs &lt;&lt; 6 | (n_bits - 1)</c> (nicira-ext.h nxm_encode_ofs_nbits).</summary>
    internal static ushort EncodeOffsetBits(int offset, int bits) => (ushort)((offset << 6) | (bits - 1));
}
