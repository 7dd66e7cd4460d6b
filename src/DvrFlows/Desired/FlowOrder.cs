using System.Collections.Immutable;
using Dvr.OpenFlow.Match;
using OfMatch = Dvr.OpenFlow.Match.Match;

namespace Dvr.DvrFlows.Desired;

/// <summary>
/// The canonical order of a flow set: table ascending, priority descending, then the match compared field by
/// field in OVS encode order (field, value, mask; fewer fields first). Deterministic whatever order the
/// topology listed things in.
/// </summary>
public sealed class FlowOrder : IComparer<DesiredFlow>
{
    public static readonly FlowOrder Instance = new();

    public int Compare(DesiredFlow? x, DesiredFlow? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }

        int c = CompareIgnoringOwner(x, y);
        return c != 0 ? c : x.Owner.CompareTo(y.Owner);
    }

    /// <summary>The order without the final owner tie-break: 0 exactly when the two flows have equal keys.</summary>
    public static int CompareIgnoringOwner(DesiredFlow x, DesiredFlow y)
    {
        int c = ReferenceEquals(x.BridgeName, y.BridgeName) ? 0 : string.CompareOrdinal(x.BridgeName, y.BridgeName);
        if (c != 0)
        {
            return c;
        }

        c = x.TableId.CompareTo(y.TableId);
        if (c != 0)
        {
            return c;
        }

        c = y.Priority.CompareTo(x.Priority);
        if (c != 0)
        {
            return c;
        }

        return ReferenceEquals(x.Match, y.Match) ? 0 : CompareMatch(x.Match, y.Match);
    }

    public static int CompareMatch(OfMatch x, OfMatch y)
    {
        var a = InEncodeOrder(x.Entries);
        var b = InEncodeOrder(y.Entries);
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
        {
            int c = a[i].Field.EncodeOrder.CompareTo(b[i].Field.EncodeOrder);
            if (c == 0)
            {
                c = a[i].Value.CompareTo(b[i].Value);
            }

            if (c == 0)
            {
                c = a[i].HasMask.CompareTo(b[i].HasMask);
            }

            if (c == 0)
            {
                c = a[i].Mask.CompareTo(b[i].Mask);
            }

            if (c != 0)
            {
                return c;
            }
        }

        return a.Length.CompareTo(b.Length);
    }

    // Matches are usually built in encode order already: sorting (and allocating) on every comparison made
    // ordering a 10,000-flow set dominate the compile time.
    private static ImmutableArray<OxmEntry> InEncodeOrder(ImmutableArray<OxmEntry> entries)
    {
        for (int i = 1; i < entries.Length; i++)
        {
            if (entries[i - 1].Field.EncodeOrder > entries[i].Field.EncodeOrder)
            {
                return entries.Sort((p, q) => p.Field.EncodeOrder.CompareTo(q.Field.EncodeOrder));
            }
        }

        return entries;
    }
}
