using System.Text;
using Dvr.OvsTestbed.Plan;

namespace Dvr.OvsTestbed;

/// <summary>
/// What a port, router or SNAT namespace was built from, kept as RUNDIR/ns/NAME.sig so that applying a topology to a
/// running testbed (also from another process) can tell a namespace that is still right from one that must be
/// rebuilt. Two things are left out because they change in place without disturbing traffic: the routers'
/// permanent neighbour entries (one per port of the subnet) and the local VLAN tags of the OVS ports.
/// </summary>
internal static class NamespaceSignature
{
    public static string Compute(NamespacePlan ns, IEnumerable<AttachmentPlan> attachments)
    {
        var text = new StringBuilder();
        text.Append("kind ").Append(ns.Kind).Append('\n')
            .Append("host ").Append(ns.Host).Append('\n')
            .Append("owner ").Append(ns.Owner).Append('\n')
            .Append("forward ").Append(ns.IpForward).Append('\n');
        foreach (string line in ns.IpBatch.Where(l => !IsNeighbourLine(l)))
        {
            text.Append("ip ").Append(line).Append('\n');
        }

        foreach (string rule in ns.Iptables)
        {
            text.Append("iptables ").Append(rule).Append('\n');
        }

        foreach (var a in attachments.OrderBy(a => a.Interface, StringComparer.Ordinal))
        {
            text.Append("attach ").Append(a.Interface).Append(' ').Append(a.InnerName).Append(' ').Append(a.Mac)
                .Append(' ').Append(a.Network).Append(' ').Append(a.PortName).Append(' ').Append(string.Join(',', a.Addresses));
            foreach (var (key, value) in a.ExternalIds)
            {
                text.Append(' ').Append(key).Append('=').Append(value);
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    /// <summary>A router's permanent neighbour entry ("neigh replace IP lladdr MAC dev IF nud permanent").</summary>
    public static bool IsNeighbourLine(string ipBatchLine) => ipBatchLine.StartsWith("neigh ", StringComparison.Ordinal);

    public static string PathOf(HostPlan host, string ns) => Path.Combine(host.RunDirectory, "ns", ns + ".sig");

    public static async Task WriteAsync(HostPlan host, NamespacePlan ns, IEnumerable<AttachmentPlan> attachments, CancellationToken ct)
    {
        string path = PathOf(host, ns.Name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, Compute(ns, attachments), ct).ConfigureAwait(false);
        await WriteNeighboursAsync(host, ns, ct).ConfigureAwait(false);
    }

    /// <summary>Records the namespace's permanent neighbour entries (its plan's "neigh replace" lines) as RUNDIR/ns/NAME.neigh.</summary>
    public static Task WriteNeighboursAsync(HostPlan host, NamespacePlan ns, CancellationToken ct) =>
        File.WriteAllLinesAsync(NeighbourPathOf(host, ns.Name), ns.IpBatch.Where(IsNeighbourLine), ct);

    /// <summary>The neighbour entries last recorded for a namespace (none when there is no record).</summary>
    public static IReadOnlyList<string> ReadNeighbours(HostPlan host, string ns)
    {
        string path = NeighbourPathOf(host, ns);
        return File.Exists(path) ? File.ReadAllLines(path) : [];
    }

    private static string NeighbourPathOf(HostPlan host, string ns) => Path.Combine(host.RunDirectory, "ns", ns + ".neigh");

    public static string? Read(HostPlan host, string ns)
    {
        string path = PathOf(host, ns);
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }

    public static void Delete(HostPlan host, string ns)
    {
        File.Delete(PathOf(host, ns));
        File.Delete(NeighbourPathOf(host, ns));
    }
}
