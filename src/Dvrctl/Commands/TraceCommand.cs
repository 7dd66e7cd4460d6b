using System.CommandLine;
using Dvr.DvrFlows.Trace;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Text;

namespace Dvr.Cli.Commands;

/// <summary>
/// <c>dvrctl trace TOPOLOGY --host H --bridge B 'FLOW' [--to-host H2]</c>: runs a packet through the compiled
/// tables of a host offline and prints each table hop like <c>ovs-appctl ofproto/trace</c>, with the owner and
/// role of every flow that matched.
/// </summary>
public static class TraceCommand
{
    public static Command Create()
    {
        var topologyArgument = new Argument<string>("TOPOLOGY") { Description = "Path of the topology YAML file." };
        var flowArgument = new Argument<string>("FLOW") { Description = "The packet, in ofproto/trace syntax (in_port is required)." };
        var hostOption = new Option<string>("--host") { Description = "Host where the packet enters.", Required = true };
        var bridgeOption = new Option<string>("--bridge") { Description = "Bridge where the packet enters (br-int, br-tun, br-ex...).", Required = true };
        var toHostOption = new Option<string?>("--to-host") { Description = "Follow tunnel output into this host's br-tun (and on into its br-int)." };
        var command = new Command(
            "trace",
            """
            Trace a packet through the flows Dvr compiles for a host, offline, printing each table hop as
            'ovs-appctl ofproto/trace' does plus the owner and role of the flow that matched. Patch ports are
            followed into the peer bridge; with --to-host, tunnel output continues on that host. NORMAL and
            learn are reported, not simulated. Ports are named as the topology implies them.

            Examples:
              dvrctl trace samples/worked-example.yaml --host cn1 --bridge br-tun \
                'in_port=patch-int,icmp,dl_vlan=2,dl_src=fa:16:3e:00:02:01,dl_dst=fa:16:3e:00:02:20,nw_src=10.0.1.10,nw_dst=10.0.2.20' \
                --to-host cn2
            """)
        {
            topologyArgument, flowArgument, hostOption, bridgeOption, toHostOption,
        };
        command.SetAction(parseResult =>
        {
            var configuration = parseResult.InvocationConfiguration;
            return Run(
                parseResult.GetRequiredValue(topologyArgument),
                parseResult.GetRequiredValue(hostOption),
                parseResult.GetRequiredValue(bridgeOption),
                parseResult.GetRequiredValue(flowArgument),
                parseResult.GetValue(toHostOption),
                configuration.Output,
                configuration.Error);
        });
        return command;
    }

    public static int Run(string path, string host, string bridge, string flow, string? toHost, TextWriter output, TextWriter error)
    {
        if (TopologyFile.TryLoad("trace", path, error, out int loadExit) is not { } topology)
        {
            return loadExit;
        }

        try
        {
            var result = TraceNetwork.Build(topology).Trace(host, bridge, flow, toHost);
            output.Write(result.Text);
            output.WriteLine();
            output.WriteLine(result.Outputs.Count == 0 ? "Result: dropped" : "Result:");
            foreach (var exit in result.Outputs)
            {
                output.WriteLine($"  {exit.Outcome.ToString().ToLowerInvariant()} on {exit.Host} {exit.Bridge} {exit.Detail}: {exit.Packet.Describe(PortNames.None)}");
            }

            return 0;
        }
        catch (Exception e) when (e is ArgumentException or TextParseException or OpenFlowException)
        {
            error.WriteLine($"dvrctl trace: {e.Message}");
            return 2;
        }
    }
}
