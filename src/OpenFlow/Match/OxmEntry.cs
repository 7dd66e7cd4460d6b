namespace Dvr.OpenFlow.Match;

/// <summary>
/// One field of a match: its value and, for a masked match, its mask. Values up to 16 bytes are held as a
/// right-aligned big-endian number (a MAC is the low 48 bits), which keeps an entry allocation-free.
/// A mask of all ones is normalised away (OVS does the same: an exact match has no mask on the wire).
/// </summary>
public readonly record struct OxmEntry(OxmField Field, UInt128 Value, UInt128 Mask, bool HasMask)
{
    public static OxmEntry Exact(OxmField field, UInt128 value) => new(field, value, field.OnesMask, false);

    public static OxmEntry Masked(OxmField field, UInt128 value, UInt128 mask)
    {
        var ones = field.OnesMask;
        return mask == ones ? new(field, value & ones, ones, false) : new(field, value & mask, mask, true);
    }

    /// <summary>All-ones mask for a field of <paramref name="length"/> bytes.</summary>
    public static UInt128 AllOnes(int length) => (uint)length < (uint)OnesByLength.Length ? OnesByLength[length] : UInt128.MaxValue;

    /// <summary>AllOnes by byte length, so no 128-bit shift runs per call.</summary>
    private static readonly UInt128[] OnesByLength = BuildOnes();

    private static UInt128[] BuildOnes()
    {
        var ones = new UInt128[17];
        for (int length = 0; length < 16; length++)
        {
            ones[length] = (UInt128.One << (length * 8)) - 1;
        }

        ones[16] = UInt128.MaxValue;
        return ones;
    }
}
