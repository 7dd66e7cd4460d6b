using System.CommandLine;
using Dvr.DvrFlows.Compiler;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Topology;

namespace Dvr.Cli.Commands;

/// <summary>
/// <c>dvrctl compile TOPOLOGY --host H [--bridge B] [--owners]</c>: print the flows Dvr wants on a host's bridges,
/// one per line exactly as <c>ovs-ofctl -O OpenFlow13 dump-flows --no-stats --names</c> prints them, with port
/// numbers from the deterministic <see cref="SyntheticPortMap"/> shown as names.
/// </summary>
public static class CompileCommand
{
    public const int ExitOk = 0;

    /// <summary>The topology has errors.</summary>
    public const int ExitInvalid = TopologyFile.ExitInvalid;

    /// <summary>Unreadable file, unknown host or unknown bridge.</summary>
    public const int ExitUsage = 2;

    public static Command Create()
    {
        var topologyArgument = new Argument<string>("TOPOLOGY") { Description = "Path of the topology YAML file." };
        var hostOption = new Option<string>("--host") { Description = "Host whose flows to print.", Required = true };
        var bridgeOption = new Option<string?>("--bridge") { Description = "Print only this bridge (br-int, br-tun, br-ex...)." };
        var ownersOption = new Option<bool>("--owners") { Description = "Append '  # <owner-kind>:<id> <role>' to each flow." };
        var command = new Command(
            "compile",
            """
            Compile the flows of one host and print them, one flow per line in the form of
            'ovs-ofctl -O OpenFlow13 dump-flows --no-stats --names', sorted by table then descending priority.
            Without --bridge every bridge is printed after a '### <bridge>' line (a comment to ovs-ofctl add-flows).
            Port numbers come from a synthetic map (every interface the topology implies, numbered 1.. by name per
            bridge) and print as names. --owners appends the owning entity and the flow's role as a '#' comment.

            Example:
              dvrctl compile samples/worked-example.yaml --host cn1 --bridge br-tun --owners
            """)
        {
            topologyArgument, hostOption, bridgeOption, ownersOption,
        };
        command.SetAction(parseResult =>
        {
            var configuration = parseResult.InvocationConfiguration;
            return Run(
                parseResult.GetRequiredValue(topologyArgument),
                parseResult.GetRequiredValue(hostOption),
                parseResult.GetValue(bridgeOption),
                parseResult.GetValue(ownersOption),
                configuration.Output,
                configuration.Error);
        });
        return command;
    }

    public static int Run(string path, string host, string? bridge, bool owners, TextWriter output, TextWriter error)
    {
        if (TopologyFile.TryLoad("compile", path, error, out int loadExit) is not { } topology)
        {
            return loadExit;
        }

        HostPlan plan;
        try
        {
            plan = HostPlan.Create(topology, host);
        }
        catch (UnknownHostException e)
        {
            error.WriteLine($"dvrctl compile: {e.Message}");
            return ExitUsage;
        }

        var ports = SyntheticPortMap.For(plan);
        var compiled = DvrFlowCompiler.Compile(plan, ports);
        if (bridge is not null && !compiled.Bridges.ContainsKey(bridge))
        {
            error.WriteLine($"dvrctl compile: host '{host}' has no bridge '{bridge}'; it has: {string.Join(", ", compiled.InPipelineOrder().Select(b => b.BridgeName))}");
            return ExitUsage;
        }

        foreach (var set in compiled.InPipelineOrder())
        {
            if (bridge is not null && set.BridgeName != bridge)
            {
                continue;
            }

            if (bridge is null)
            {
                output.WriteLine($"### {set.BridgeName}");
            }

            var names = ports.NamesOf(set.BridgeName);
            foreach (var flow in set.Flows)
            {
                output.WriteLine(owners ? DesiredFlowText.FormatWithOwner(flow, names) : DesiredFlowText.Format(flow, names));
            }
        }

        foreach (var conflict in compiled.Conflicts)
        {
            error.WriteLine($"dvrctl compile: warning: {conflict.Dropped.Owner} '{conflict.Dropped.Role}' conflicts with {conflict.Kept.Owner} '{conflict.Kept.Role}' (same table, priority and match); the latter is kept");
        }

        foreach (var waiting in compiled.Waiting)
        {
            error.WriteLine($"dvrctl compile: waiting for {waiting.BridgeName}/{waiting.MissingInterface}: {waiting.Owner} {waiting.Role}");
        }

        return ExitOk;
    }
}
