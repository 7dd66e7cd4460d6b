using System.Collections.Immutable;
using Dvr.OpenFlow;

namespace Dvr.DvrFlows.Topology;

/// <summary>
/// DVR host MACs (neutron-dvr-flows.md §4). Neutron builds one from dvr_base_mac by keeping the first three octets,
/// keeping the fourth when it is not 00, and randomising the rest. Dvr keeps the same shape but replaces "random"
/// by a stable hash of the host name, so a host keeps its MAC across runs:
/// <list type="number">
///   <item>free bits = 24 (base fa:16:3f:00:…) or 16 (base with a non-zero 4th octet, e.g. fa:16:3f:ab:…);</item>
///   <item>preferred suffix = FNV-1a-64(host name) mod 2^bits;</item>
///   <item>a suffix of 0 (the base itself) or a MAC already taken (another host's explicit or allocated DVR MAC,
///   a port MAC, a gateway MAC) is skipped by probing suffix + 1, wrapping.</item>
/// </list>
/// Hosts are allocated in ordinal name order, so the result is deterministic.
/// </summary>
public static class DvrMacAllocator
{
    /// <summary>Neutron's base_mac: port MACs are fa:16:3e:xx:xx:xx, so no DVR MAC may fall in that /24 of MAC space.</summary>
    public static readonly MacAddress PortMacBase = MacAddress.Parse("fa:16:3e:00:00:00");

    /// <summary>The mask that goes with <see cref="PortMacBase"/> (ff:ff:ff:00:00:00).</summary>
    public const ulong PortMacMask = 0xffff_ff00_0000UL;

    public static bool IsInPortMacRange(MacAddress mac) => (mac.Value & PortMacMask) == (PortMacBase.Value & PortMacMask);

    /// <summary>How many low bits of the base Neutron randomises: 16 when the 4th octet is non-zero, else 24.</summary>
    public static int RandomBits(MacAddress baseMac) => ((baseMac.Value >> 16) & 0xff) != 0 ? 16 : 24;

    /// <summary>
    /// Allocates a MAC for each host in <paramref name="hostsNeedingMac"/>, never one in <paramref name="taken"/>
    /// nor one given to another host here.
    /// </summary>
    /// <exception cref="InvalidOperationException">The base leaves no free MAC.</exception>
    public static ImmutableSortedDictionary<string, MacAddress> Allocate(MacAddress baseMac, IEnumerable<string> hostsNeedingMac, IEnumerable<MacAddress> taken)
    {
        int bits = RandomBits(baseMac);
        ulong space = 1UL << bits;
        ulong prefix = baseMac.Value & ~(space - 1) & 0xffff_ffff_ffffUL;
        var used = new HashSet<MacAddress>(taken);
        var result = ImmutableSortedDictionary.CreateBuilder<string, MacAddress>(StringComparer.Ordinal);
        foreach (var host in hostsNeedingMac.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            ulong suffix = StableHash.Fnv1a64(host) & (space - 1);
            ulong probes = 0;
            while (suffix == 0 || used.Contains(new MacAddress(prefix | suffix)))
            {
                if (++probes > space)
                {
                    throw new InvalidOperationException($"dvr_base_mac {baseMac} has no free DVR MAC left for host '{host}'");
                }

                suffix = (suffix + 1) & (space - 1);
            }

            var mac = new MacAddress(prefix | suffix);
            used.Add(mac);
            result[host] = mac;
        }

        return result.ToImmutable();
    }
}
