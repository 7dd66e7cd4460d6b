using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Dvr.OpenFlow.Wire;

/// <summary>
/// Stores into an array of a base type (<c>OfpAction[]</c>, <c>OfpInstruction[]</c>) that the caller created
/// itself with <c>new T[n]</c>. A plain <c>array[i] = value</c> of a derived value makes the runtime check the
/// array's covariance on every store (CastHelpers.StelemRef_Helper: a few percent of decoding a FLOW_MOD); an
/// array created as <c>T[]</c> cannot be of a more derived type, so the check can never fail and is skipped.
/// The index is still bounds-checked.
/// </summary>
internal static class ArraySlots
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Set<T>(T[] array, int index, T value)
        where T : class
    {
        Debug.Assert(array.GetType() == typeof(T[]), "only for arrays created as new T[n]");
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)array.Length);
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(array), index) = value;
    }
}
