using System.Text;

namespace Dvr.DvrFlows.Topology;

/// <summary>
/// FNV-1a (64-bit) over the UTF-8 bytes of a name. Allocation must give the same answer on every run and every
/// machine, which string.GetHashCode (randomised per process) does not; FNV-1a is tiny, well known and spreads
/// short names well enough for picking a preferred slot.
/// </summary>
internal static class StableHash
{
    // FNV-1a parameters for 64 bits (offset basis and prime from the FNV reference, draft-eastlake-fnv).
    private const ulong OffsetBasis = 0xcbf2_9ce4_8422_2325UL;
    private const ulong Prime = 0x0000_0100_0000_01b3UL;

    public static ulong Fnv1a64(string text)
    {
        ulong hash = OffsetBasis;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= Prime;
        }

        return hash;
    }
}
