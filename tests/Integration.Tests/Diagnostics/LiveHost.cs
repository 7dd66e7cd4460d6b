using Dvr.DvrFlows.Compiler;
using Dvr.DvrFlows.Controller;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Topology;

namespace Dvr.Integration.Tests.Diagnostics;

/// <summary>One host of a topology made real on an <see cref="Controller.OvsTestbed"/> for the diagnostics tests.</summary>
internal static class LiveHost
{
    public static string WorkedExample { get; } = Path.Combine(RepoRoot(), "samples", "worked-example.yaml");

    /// <summary>
    /// Creates <paramref name="host"/>'s bridges and every interface its plan implies (patch pairs, tunnels
    /// with their remote IPs, the rest internal ports) at the synthetic port number plus
    /// <paramref name="portOffset"/>, so the live numbers deliberately differ from the synthetic map, then loads
    /// the flows compiled for those live numbers with ovs-ofctl add-flows. Returns the live port map.
    /// </summary>
    public static HostPortMap Load(Controller.OvsTestbed ovs, Topology topology, string host, uint portOffset, ulong firstDatapathId)
    {
        var plan = HostPlan.Create(topology, host);
        var synthetic = SyntheticPortMap.For(plan);
        var live = HostPortMap.Empty;
        var args = new List<string>();
        ulong dpid = firstDatapathId;
        foreach (string bridge in synthetic.Interfaces.Select(i => i.BridgeName).Distinct())
        {
            ovs.AddBridge(bridge, dpid++);
            live = live.With(bridge, synthetic.PortsOf(bridge).ToDictionary(p => p.Key, p => p.Value + portOffset, StringComparer.Ordinal));
        }

        foreach (var implied in synthetic.Interfaces)
        {
            live.TryGetOfPort(implied.BridgeName, implied.Name, out uint number);
            args.AddRange(["--", "add-port", implied.BridgeName, implied.Name, "--", "set", "interface", implied.Name]);
            args.AddRange(implied.Kind switch
            {
                InterfaceKind.Patch => ["type=patch", $"options:peer={implied.Peer}"],
                InterfaceKind.Tunnel => [$"type={implied.TunnelType}", $"options:remote_ip={implied.RemoteIp}", "options:key=flow"],
                _ => ["type=internal"],
            });
            args.Add($"ofport_request={number}");
        }

        ovs.Vsctl([.. args.Skip(1)]);
        var compiled = DvrFlowCompiler.Compile(plan, live);
        foreach (var set in compiled.InPipelineOrder())
        {
            var names = new Dvr.OpenFlow.Text.PortNames(live.PortsOf(set.BridgeName).ToDictionary(p => p.Value, p => p.Key));
            string file = Path.Combine(ovs.Directory, set.BridgeName + ".flows");
            File.WriteAllLines(file, set.Flows.Select(f => DesiredFlowText.Format(f, names)));
            ovs.Ofctl("add-flows", set.BridgeName, file);
        }

        return live;
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Dvr.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Dvr.sln not found above the test directory");
    }
}
