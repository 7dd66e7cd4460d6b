using System.CommandLine;
using System.Globalization;
using System.Text;
using Dvr.DvrFlows.Topology;

namespace Dvr.Cli.Commands;

/// <summary>
/// <c>dvrctl validate TOPOLOGY</c>: load and check a topology file, print what it describes (including the DVR MACs
/// and local VLANs Dvr allocates), or print every error as <c>file:line:col: path: message</c>.
/// </summary>
public static class ValidateCommand
{
    /// <summary>The topology is valid.</summary>
    public const int ExitValid = 0;

    /// <summary>The topology has errors (each printed to stderr).</summary>
    public const int ExitInvalid = TopologyFile.ExitInvalid;

    /// <summary>The file could not be read.</summary>
    public const int ExitUnreadable = TopologyFile.ExitUnreadable;

    public static Command Create()
    {
        var topologyArgument = new Argument<string>("TOPOLOGY")
        {
            Description = "Path of the topology YAML file (schema: docs/topology.md).",
        };
        var command = new Command(
            "validate",
            """
            Check a topology file without compiling anything. On success, print a summary: hosts with their DVR MACs
            (allocated from dvr_base_mac when the file gives none) and local VLANs per host, networks, subnets,
            routers and ports; exit 0. On errors, print every error to stderr as 'file:line:col: path: message' and
            exit 1. Exit 2 if the file cannot be read.

            Example:
              dvrctl validate samples/demo-3host.yaml
            """)
        {
            topologyArgument,
        };
        command.SetAction(parseResult =>
        {
            string path = parseResult.GetRequiredValue(topologyArgument);
            var configuration = parseResult.InvocationConfiguration;
            return Run(path, configuration.Output, configuration.Error);
        });
        return command;
    }

    /// <summary>Validates <paramref name="path"/>, writing the summary to <paramref name="output"/> and errors to <paramref name="error"/>.</summary>
    public static int Run(string path, TextWriter output, TextWriter error)
    {
        if (TopologyFile.TryLoad("validate", path, error, out int loadExit, count => $"{path}: {TopologyFile.Errors(count)}, topology is invalid") is not { } topology)
        {
            return loadExit;
        }

        output.Write(Summarize(topology, path));
        return ExitValid;
    }

    /// <summary>The human-readable summary printed for a valid topology.</summary>
    public static string Summarize(Topology topology, string path)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"{path}: valid topology: {topology.Hosts.Length} hosts, {topology.Networks.Length} networks, "
            + $"{topology.Subnets.Length} subnets, {topology.Routers.Length} routers, {topology.Ports.Length} ports");
        var global = topology.Global;
        text.AppendLine(inv, $"global: routers distributed by default: {(global.RouterDistributed ? "yes" : "no")}, dvr_base_mac {global.DvrBaseMac}, "
            + $"tunnel {global.TunnelType}, cookie 0x{global.Cookie:x16}");

        text.AppendLine("hosts:");
        foreach (var host in topology.Hosts)
        {
            string mode = host.AgentMode switch
            {
                AgentMode.Dvr => "dvr",
                AgentMode.DvrSnat => "dvr_snat",
                _ => "legacy",
            };
            text.AppendLine(inv, $"  {host.Name}: {mode}, tunnel {host.TunnelIp}, DVR MAC {host.DvrMac}{(host.DvrMacAllocated ? " (allocated)" : string.Empty)}");
            var bridges = new List<string>
            {
                $"{host.Integration.Name} 0x{host.Integration.DatapathId:x}",
                $"{host.Tunnel.Name} 0x{host.Tunnel.DatapathId:x}",
            };
            bridges.AddRange(host.PhysicalBridges.Select(kv => $"{kv.Key}→{kv.Value.Name} 0x{kv.Value.DatapathId:x}"));
            text.AppendLine(inv, $"    bridges: {string.Join(", ", bridges)}");
            var vlans = LocalVlanAllocator.LocalVlans(topology, host.Name);
            string vlanText = vlans.Count == 0
                ? "none"
                : string.Join(", ", vlans.Select(kv => $"{kv.Key}={kv.Value}{(host.LocalVlanPins.ContainsKey(kv.Key) ? " (pinned)" : string.Empty)}"));
            text.AppendLine(inv, $"    local VLANs: {vlanText}");
            var routers = topology.RoutersOnHost(host.Name);
            if (!routers.IsEmpty)
            {
                text.AppendLine(inv, $"    routers: {string.Join(", ", routers.Select(r => r.Name))}");
            }
        }

        text.AppendLine("networks:");
        foreach (var network in topology.Networks)
        {
            string segment = network.Type switch
            {
                NetworkType.Vxlan => $"vxlan VNI {network.SegmentationId}",
                NetworkType.Vlan => $"vlan {network.SegmentationId} on {network.PhysicalNetwork}",
                _ => $"flat on {network.PhysicalNetwork}",
            };
            var subnets = topology.Subnets.Where(s => s.Network == network.Name)
                .Select(s => $"{s.Name} {s.Cidr}{(s.GatewayIp is null ? string.Empty : " gw " + s.GatewayIp)}");
            text.AppendLine(inv, $"  {network.Name}: {segment}; subnets: {string.Join(", ", subnets.DefaultIfEmpty("none"))}");
        }

        text.AppendLine("routers:");
        foreach (var router in topology.Routers)
        {
            var interfaces = topology.RouterInterfaces(router.Name).Select(p => $"{p.Network} {string.Join(",", p.FixedIps.Select(f => f.Ip))}");
            string gateway = router.ExternalGateway is { } gw ? $"; gateway {gw.Network} {gw.Ip} (SNAT on {gw.SnatHost})" : string.Empty;
            var hosts = topology.HostsOfRouter(router);
            text.AppendLine(inv, $"  {router.Name}: {(router.Distributed ? "distributed" : "legacy")}; interfaces: {string.Join(", ", interfaces.DefaultIfEmpty("none"))}{gateway}; on hosts: {string.Join(", ", hosts.DefaultIfEmpty("none"))}");
        }

        text.AppendLine("ports:");
        foreach (var port in topology.Ports)
        {
            string where = port.Host ?? (port.DeviceOwner == DeviceOwner.RouterInterfaceDistributed ? "every host of " + port.Router : "unbound");
            string ips = string.Join(",", port.FixedIps.Select(f => f.Ip));
            string flags = (port.AdminStateUp ? string.Empty : ", admin down") + (port.PortSecurity ? ", port security" : string.Empty);
            text.AppendLine(inv, $"  {port.Name}: {DeviceOwnerNames.Format(port.DeviceOwner)} on {port.Network}, {port.Interface} {port.Mac} {ips}, {where}{flags}");
        }

        return text.ToString();
    }
}
