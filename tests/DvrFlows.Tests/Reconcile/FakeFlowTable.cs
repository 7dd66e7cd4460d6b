using Dvr.DvrFlows.Reconcile;
using Dvr.OpenFlow.Messages.Flow;

namespace Dvr.DvrFlows.Tests.Reconcile;

/// <summary>
/// A switch flow table that applies FLOW_MODs with OpenFlow 1.3 semantics for the commands the reconciler
/// emits (OpenFlow 1.3.5 §6.4): ADD replaces a flow of the same identity (cookie included); MODIFY_STRICT and
/// DELETE_STRICT select exactly one identity, and only when its cookie matches under cookie_mask. Like
/// Faucet's FakeOFTable, it lets tests check the table a diff produces rather than the messages.
/// </summary>
internal sealed class FakeFlowTable
{
    private readonly Dictionary<FlowIdentity, FlowEntry> _flows = [];

    public FakeFlowTable(IEnumerable<FlowEntry> initial)
    {
        foreach (var flow in initial)
        {
            _flows.Add(flow.Identity, flow);
        }
    }

    public IReadOnlyCollection<FlowEntry> Flows => _flows.Values;

    /// <summary>Flows whose cookie matches <paramref name="cookie"/> under an all-ones mask (a filtered flow-stats dump).</summary>
    public IReadOnlyList<FlowEntry> DumpByCookie(ulong cookie) => [.. _flows.Values.Where(f => f.Cookie == cookie)];

    public void Apply(FlowMod mod)
    {
        var identity = new FlowIdentity(mod.TableId, mod.Priority, mod.Match);
        bool cookieMatches = _flows.TryGetValue(identity, out var current) && (current.Cookie & mod.CookieMask) == (mod.Cookie & mod.CookieMask);
        switch (mod.Command)
        {
            case FlowModCommand.Add:
                _flows[identity] = new FlowEntry(mod.TableId, mod.Priority, mod.Match, mod.Cookie, mod.Instructions);
                break;
            case FlowModCommand.ModifyStrict when cookieMatches:
                _flows[identity] = current! with { Instructions = mod.Instructions };
                break;
            case FlowModCommand.DeleteStrict when cookieMatches:
                _flows.Remove(identity);
                break;
            case FlowModCommand.ModifyStrict:
            case FlowModCommand.DeleteStrict:
                break;
            default:
                throw new InvalidOperationException($"the reconciler never sends {mod.Command}");
        }
    }

    public void Apply(FlowDiff diff)
    {
        foreach (var (_, mod) in diff.ToFlowMods())
        {
            Apply(mod);
        }
    }

    /// <summary>Order-independent snapshot for equality assertions.</summary>
    public HashSet<FlowEntry> Snapshot() => [.. _flows.Values];
}
