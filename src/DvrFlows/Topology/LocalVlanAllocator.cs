using System.Collections.Immutable;

namespace Dvr.DvrFlows.Topology;

/// <summary>
/// Host-local VLANs (neutron-dvr-flows.md §4): on each host every network present there
/// (<see cref="TopologyQueries.NetworksOnHost"/>) gets a VLAN 1..4094 that tags its traffic inside br-int.
///
/// Neutron hands out the lowest free VLAN in binding order, which depends on history. Dvr has no history, so it
/// uses a rule that depends only on the topology and changes as little as possible when the topology changes:
/// <list type="number">
///   <item>Pins from the host's <c>local_vlans</c> are used as written (and their VLANs are reserved even while
///   the pinned network is absent, so nothing else takes them).</item>
///   <item>Every other network, in ordinal name order, takes its preferred VLAN
///   <c>1 + FNV-1a-64(name) mod 4094</c>; if that is taken it probes upward (4094 wraps to 1) to the next free one.</item>
/// </list>
/// The preferred VLAN depends on the network name only, so a network usually has the same local VLAN on every
/// host. Adding a network N moves no existing network unless the VLAN N ends up with (its preferred one, or the
/// next free one after a collision) is the VLAN of a network that sorts after N; that happens with probability
/// about (networks on the host) / 4094 and only then does the later network move (to the next free VLAN, possibly
/// moving others in its probe chain). Removing a network is the same event in reverse. Pin with local_vlans to
/// rule it out; no rule without stored history can do better, since two networks that want the same VLAN
/// cannot both keep it.
/// </summary>
public static class LocalVlanAllocator
{
    public const int MinVlan = 1;

    /// <summary>4095 is Neutron's dead VLAN (br-int 0/65535 drops it), so 4094 is the last usable local VLAN.</summary>
    public const int MaxVlan = 4094;

    /// <summary>The VLAN a network asks for before collisions are resolved.</summary>
    public static int PreferredVlan(string network) => MinVlan + (int)(StableHash.Fnv1a64(network) % MaxVlan);

    /// <summary>Local VLANs on <paramref name="host"/>: network name → VLAN, for every network present there.</summary>
    /// <exception cref="KeyNotFoundException">The topology has no such host.</exception>
    /// <exception cref="InvalidOperationException">More networks are present on the host than there are VLANs.</exception>
    public static ImmutableSortedDictionary<string, int> LocalVlans(Topology topology, string host)
    {
        var hostRecord = topology.GetHost(host);
        return Allocate(topology.NetworksOnHost(host), hostRecord.LocalVlanPins);
    }

    /// <summary>Local VLANs for every host: host name → (network name → VLAN).</summary>
    public static ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, int>> LocalVlansByHost(Topology topology)
    {
        var present = topology.NetworksByHost();
        return topology.Hosts.ToImmutableSortedDictionary(h => h.Name, h => Allocate(present[h.Name], h.LocalVlanPins), StringComparer.Ordinal);
    }

    /// <summary>The allocation rule itself, on a set of present networks and a host's pins.</summary>
    public static ImmutableSortedDictionary<string, int> Allocate(IEnumerable<string> presentNetworks, IReadOnlyDictionary<string, int> pins)
    {
        var present = presentNetworks.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var used = new HashSet<int>(pins.Values);
        var result = ImmutableSortedDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
        foreach (var network in present)
        {
            if (pins.TryGetValue(network, out int pinned))
            {
                result[network] = pinned;
            }
        }

        foreach (var network in present)
        {
            if (result.ContainsKey(network))
            {
                continue;
            }

            if (used.Count >= MaxVlan)
            {
                throw new InvalidOperationException($"no local VLAN left for network '{network}': all {MaxVlan} are in use on this host");
            }

            int vlan = PreferredVlan(network);
            while (used.Contains(vlan))
            {
                vlan = vlan == MaxVlan ? MinVlan : vlan + 1;
            }

            used.Add(vlan);
            result[network] = vlan;
        }

        return result.ToImmutable();
    }
}
