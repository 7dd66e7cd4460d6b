using System.Collections.Immutable;
using Dvr.DvrFlows.Desired;

namespace Dvr.DvrFlows.Compiler;

/// <summary>Collects the builders' flows: resolves ports (recording waiting flows), drops exact duplicates, records conflicts.</summary>
internal sealed class FlowSink
{
    private readonly IPortMap _ports;
    private readonly Dictionary<FlowKey, DesiredFlow> _flows = [];
    private readonly List<WaitingFlow> _waiting = [];
    private readonly List<FlowConflict> _conflicts = [];

    public FlowSink(IPortMap ports) => _ports = ports;

    public IEnumerable<DesiredFlow> Flows => _flows.Values;

    public ImmutableArray<WaitingFlow> Waiting => [.. _waiting.Distinct()
        .OrderBy(w => w.BridgeName, StringComparer.Ordinal)
        .ThenBy(w => w.Owner)
        .ThenBy(w => w.MissingInterface, StringComparer.Ordinal)
        .ThenBy(w => w.Role, StringComparer.Ordinal)];

    public ImmutableArray<FlowConflict> Conflicts => [.. _conflicts];

    /// <summary>The ofport of <paramref name="interfaceName"/> on the factory's bridge, or false (and a waiting entry).</summary>
    public bool TryPort(FlowFactory bridge, string interfaceName, FlowOwner owner, string role, out uint ofPort)
    {
        if (_ports.TryGetOfPort(bridge.BridgeName, interfaceName, out ofPort))
        {
            return true;
        }

        _waiting.Add(new WaitingFlow(bridge.BridgeName, interfaceName, owner, role));
        return false;
    }

    public void Add(DesiredFlow flow)
    {
        if (_flows.TryGetValue(flow.Key, out var existing))
        {
            if (!existing.SameOnSwitch(flow))
            {
                _conflicts.Add(new FlowConflict(existing, flow));
            }

            return;
        }

        _flows.Add(flow.Key, flow);
    }
}
