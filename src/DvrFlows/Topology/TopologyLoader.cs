using System.Collections.Immutable;

namespace Dvr.DvrFlows.Topology;

/// <summary>
/// Loads a topology file (schema: docs/topology.md) into a validated <see cref="Topology"/>: every collection
/// sorted by name, every host with a DVR MAC (allocated by <see cref="DvrMacAllocator"/> when the file gives none).
/// An invalid file throws <see cref="TopologyValidationException"/> listing every error with its position.
/// </summary>
public static class TopologyLoader
{
    /// <summary>Reads and validates the topology in <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="TopologyValidationException">The topology is invalid.</exception>
    public static Topology Load(string path)
    {
        string yaml = File.ReadAllText(path);
        return LoadFromString(yaml, path);
    }

    /// <summary>Validates the topology in <paramref name="yaml"/>; <paramref name="fileName"/> only labels errors.</summary>
    /// <exception cref="TopologyValidationException">The topology is invalid.</exception>
    public static Topology LoadFromString(string yaml, string? fileName = null)
    {
        var context = new TopologyLoadContext(fileName);
        var parsed = TopologyYamlReader.Read(yaml, context);
        var topology = TopologyValidator.Validate(parsed, context);
        if (context.Errors.Count > 0)
        {
            throw new TopologyValidationException(Ordered(context.Errors));
        }

        return AllocateDvrMacs(topology);
    }

    private static Topology AllocateDvrMacs(Topology topology)
    {
        var needing = topology.Hosts.Where(h => h.DvrMacAllocated).Select(h => h.Name).ToList();
        if (needing.Count == 0)
        {
            return topology;
        }

        var taken = topology.Hosts.Where(h => !h.DvrMacAllocated).Select(h => h.DvrMac)
            .Concat(topology.Ports.Select(p => p.Mac))
            .Concat(topology.Ports.SelectMany(p => p.AllowedAddressPairs).Where(a => a.Mac is not null).Select(a => a.Mac!.Value))
            .Concat(topology.Routers.Where(r => r.ExternalGateway is not null).Select(r => r.ExternalGateway!.Mac));
        ImmutableSortedDictionary<string, OpenFlow.MacAddress> allocated;
        try
        {
            allocated = DvrMacAllocator.Allocate(topology.Global.DvrBaseMac, needing, taken);
        }
        catch (InvalidOperationException e)
        {
            throw new TopologyValidationException([new TopologyError(new SourceLocation(topology.SourcePath, 0, 0, "global.dvr_base_mac"), e.Message)]);
        }

        return topology with
        {
            Hosts = [.. topology.Hosts.Select(h => h.DvrMacAllocated ? h with { DvrMac = allocated[h.Name] } : h)],
        };
    }

    // Errors read best in file order; those without a position (line 0) come last. The sort is stable, so errors
    // at one position keep the order the checks found them in.
    private static ImmutableArray<TopologyError> Ordered(IEnumerable<TopologyError> errors) =>
        [.. errors.OrderBy(e => e.Location.Line == 0 ? int.MaxValue : e.Location.Line).ThenBy(e => e.Location.Column)];
}
