using System.Collections.Immutable;
using Dvr.DvrFlows.Compiler;

namespace Dvr.DvrFlows.Controller;

/// <summary>
/// The live OpenFlow port numbers of every connected bridge of one host (bridge → interface → ofport), as
/// the switches reported them in PORT_DESC and PORT_STATUS. Immutable: a port change makes a new map, so a
/// compile sees one consistent snapshot.
/// </summary>
public sealed class HostPortMap : IPortMap
{
    public static readonly HostPortMap Empty = new(ImmutableDictionary<string, IReadOnlyDictionary<string, uint>>.Empty);

    private readonly ImmutableDictionary<string, IReadOnlyDictionary<string, uint>> _bridges;

    private HostPortMap(ImmutableDictionary<string, IReadOnlyDictionary<string, uint>> bridges) => _bridges = bridges;

    public IEnumerable<string> Bridges => _bridges.Keys;

    public bool TryGetOfPort(string bridgeName, string interfaceName, out uint ofPort)
    {
        ofPort = 0;
        return _bridges.TryGetValue(bridgeName, out var ports) && ports.TryGetValue(interfaceName, out ofPort);
    }

    public IReadOnlyDictionary<string, uint> PortsOf(string bridgeName) =>
        _bridges.TryGetValue(bridgeName, out var ports) ? ports : ImmutableDictionary<string, uint>.Empty;

    public HostPortMap With(string bridgeName, IReadOnlyDictionary<string, uint> ports) => new(_bridges.SetItem(bridgeName, ports));

    public HostPortMap Without(string bridgeName) => new(_bridges.Remove(bridgeName));
}
