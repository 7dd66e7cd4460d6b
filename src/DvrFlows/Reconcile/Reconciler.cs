using System.Collections.Immutable;

namespace Dvr.DvrFlows.Reconcile;

/// <summary>
/// Compares installed and desired flows of one bridge by identity (table + priority + match). Pure: the
/// same inputs always give the same diff, in a deterministic order (the desired flows' order for adds and
/// modifies, the installed flows' order for deletes).
/// </summary>
public static class Reconciler
{
    /// <summary>
    /// <list type="bullet">
    /// <item>installed, not desired → DELETE_STRICT (with the installed cookie, mask all ones);</item>
    /// <item>same identity and cookie, other instructions → MODIFY_STRICT;</item>
    /// <item>not installed, or installed under another cookie → ADD (ADD replaces the flow and sets the cookie).</item>
    /// </list>
    /// <paramref name="installed"/> should already be limited to the controller's cookie, so flows other
    /// software owns are never in it and never touched.
    /// </summary>
    /// <exception cref="ArgumentException">Two desired (or two installed) flows have the same identity.</exception>
    public static FlowDiff Compare(IEnumerable<FlowEntry> installed, IEnumerable<FlowEntry> desired)
    {
        ArgumentNullException.ThrowIfNull(installed);
        ArgumentNullException.ThrowIfNull(desired);
        var installedList = installed as IReadOnlyCollection<FlowEntry> ?? [.. installed];
        var installedById = Index(installedList, "installed");
        var desiredById = new HashSet<FlowIdentity>();
        var adds = ImmutableArray.CreateBuilder<FlowEntry>();
        var modifies = ImmutableArray.CreateBuilder<FlowEntry>();
        foreach (var flow in desired)
        {
            if (!desiredById.Add(flow.Identity))
            {
                throw new ArgumentException($"two desired flows have the same table, priority and match: {flow.Format()}", nameof(desired));
            }

            if (!installedById.TryGetValue(flow.Identity, out var current) || current.Cookie != flow.Cookie)
            {
                adds.Add(flow);
            }
            else if (!current.Instructions.Equals(flow.Instructions))
            {
                modifies.Add(flow);
            }
        }

        var deletes = ImmutableArray.CreateBuilder<FlowEntry>();
        foreach (var flow in installedList)
        {
            if (!desiredById.Contains(flow.Identity))
            {
                deletes.Add(flow);
            }
        }

        return new FlowDiff(deletes.ToImmutable(), modifies.ToImmutable(), adds.ToImmutable());
    }

    private static Dictionary<FlowIdentity, FlowEntry> Index(IEnumerable<FlowEntry> flows, string what)
    {
        var index = new Dictionary<FlowIdentity, FlowEntry>();
        foreach (var flow in flows)
        {
            if (!index.TryAdd(flow.Identity, flow))
            {
                throw new ArgumentException($"two {what} flows have the same table, priority and match: {flow.Format()}", nameof(flows));
            }
        }

        return index;
    }
}
