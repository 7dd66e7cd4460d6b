using System.Collections.Immutable;
using Dvr.OpenFlow.Text;

namespace Dvr.DvrFlows.Compiler;

/// <summary>
/// Deterministic port numbers for offline use (<c>dvrctl compile</c>, tests): on each bridge every interface
/// the topology implies, sorted by name (ordinal), gets 1, 2, 3... A test bed creates the interfaces with
/// these numbers as <c>ofport_request</c>, so flows print the same with and without a switch.
/// </summary>
public sealed class SyntheticPortMap : IPortMap
{
    private readonly ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, uint>> _ports;

    private SyntheticPortMap(ImmutableArray<ImpliedInterface> interfaces)
    {
        Interfaces = interfaces;
        _ports = interfaces
            .GroupBy(i => i.BridgeName, StringComparer.Ordinal)
            .ToImmutableSortedDictionary(
                g => g.Key,
                g => g.Select(i => i.Name).Order(StringComparer.Ordinal)
                    .Select((name, index) => (name, number: (uint)(index + 1)))
                    .ToImmutableSortedDictionary(p => p.name, p => p.number, StringComparer.Ordinal),
                StringComparer.Ordinal);
    }

    /// <summary>The interfaces numbered, as the topology implies them (with their kind, for test beds).</summary>
    public ImmutableArray<ImpliedInterface> Interfaces { get; }

    public static SyntheticPortMap For(HostPlan plan) => new(plan.Interfaces);

    public static SyntheticPortMap For(Topology.Topology topology, string hostName) => For(HostPlan.Create(topology, hostName));

    public bool TryGetOfPort(string bridgeName, string interfaceName, out uint ofPort)
    {
        ofPort = 0;
        return _ports.TryGetValue(bridgeName, out var bridge) && bridge.TryGetValue(interfaceName, out ofPort);
    }

    /// <summary>Interface name → port number on <paramref name="bridgeName"/> (empty for an unknown bridge).</summary>
    public ImmutableSortedDictionary<string, uint> PortsOf(string bridgeName) =>
        _ports.TryGetValue(bridgeName, out var ports) ? ports : ImmutableSortedDictionary<string, uint>.Empty;

    /// <summary>Number → name table for printing flows with <c>--names</c>.</summary>
    public PortNames NamesOf(string bridgeName) => new(PortsOf(bridgeName).ToDictionary(p => p.Value, p => p.Key));
}
