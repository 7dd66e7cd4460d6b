using System.Text;

namespace Dvr.Integration.Tests.Controller;

/// <summary>
/// A one-host topology file for the <c>dvrctl serve</c> tests: host h1 (br-int 0xc1, br-tun 0xc2), network
/// red, and compute ports vmN on h1. Its expected flows come from <c>dvrctl compile</c>, the controller's
/// own definition of "desired", and are compared with <c>ovs-ofctl dump-flows --names</c>.
/// </summary>
public static class ServeTopology
{
    public const string Host = "h1";
    public const string BrInt = "br-int";
    public const string BrTun = "br-tun";
    public const ulong BrIntDpid = 0xc1;
    public const ulong BrTunDpid = 0xc2;

    /// <summary>The YAML text with compute ports for <paramref name="vms"/> (names vm1, vm2, ...).</summary>
    public static string Yaml(params string[] vms)
    {
        var text = new StringBuilder("""
            global:
              router_distributed: true
              dvr_base_mac: fa:16:3f:00:00:00
              tunnel_type: vxlan
              cookie: 0x4456520000000000
            hosts:
              - name: h1
                agent_mode: dvr
                tunnel_ip: 192.0.2.1
                dvr_mac: fa:16:3f:00:00:01
                bridges:
                  integration: { name: br-int, datapath_id: 0xc1 }
                  tunnel: { name: br-tun, datapath_id: 0xc2 }
            networks:
              - { name: red, type: vxlan, segmentation_id: 1001 }
            subnets:
              - { name: red-v4, network: red, cidr: 10.0.1.0/24, gateway_ip: 10.0.1.1 }
            ports:

            """);
        foreach (string vm in vms)
        {
            int n = int.Parse(vm.AsSpan(2), System.Globalization.CultureInfo.InvariantCulture);
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"""
                  - name: {vm}
                    network: red
                    interface: {vm}
                    mac: fa:16:3e:00:01:{n:x2}
                    fixed_ips: [{"{"} subnet: red-v4, ip: 10.0.1.{10 + n} {"}"}]
                    device_owner: compute:nova
                    host: h1

                """);
        }

        return text.ToString();
    }

    /// <summary><c>dvrctl compile TOPOLOGY --host h1 --bridge BRIDGE</c>, one normalised flow per line, sorted.</summary>
    public static IReadOnlyList<string> Compile(string topologyPath, string bridge)
    {
        var (exit, output) = ServeProcess.Run("compile", topologyPath, "--host", Host, "--bridge", bridge);
        return exit == 0 ? Normalise(output) : throw new InvalidOperationException($"dvrctl compile exited {exit}: {output}");
    }

    /// <summary>The bridge's flows as <c>ovs-ofctl dump-flows --names --no-stats</c> prints them, normalised and sorted.</summary>
    public static IReadOnlyList<string> Installed(OvsTestbed ovs, string bridge) =>
        Normalise(ovs.Ofctl("dump-flows", bridge, "--names", "--no-stats"));

    /// <summary>
    /// FLOW_MODs needed to go from <paramref name="before"/> to <paramref name="after"/>, with the flow
    /// identity (table + priority + match; the actions are what follows " actions="): adds, deletes and
    /// action changes.
    /// </summary>
    public static int MinimalChanges(IReadOnlyList<string> before, IReadOnlyList<string> after)
    {
        static Dictionary<string, string> ByIdentity(IEnumerable<string> flows) => flows.ToDictionary(
            f => f[..f.IndexOf(" actions=", StringComparison.Ordinal)],
            f => f[f.IndexOf(" actions=", StringComparison.Ordinal)..],
            StringComparer.Ordinal);
        var old = ByIdentity(before);
        var @new = ByIdentity(after);
        return @new.Count(f => !old.TryGetValue(f.Key, out var actions) || actions != f.Value) + old.Keys.Count(k => !@new.ContainsKey(k));
    }

    private static List<string> Normalise(string flows) =>
        [.. flows.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("cookie=", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];
}
