using System.CommandLine;
using Dvr.DvrFlows.Diagnostics;
using Dvr.OpenFlow.Messages.Multipart;

namespace Dvr.Cli.Commands;

/// <summary>
/// <c>dvrctl explain TARGET --topology T --host H --bridge B [--format json]</c>: every live flow of the
/// bridge (all cookies), annotated with the role and owner of the desired flow it is; flows of other
/// cookies are flagged FOREIGN, flows of our cookie that are not desired STALE. Exit 0, or 2 on error.
/// </summary>
public static class ExplainCommand
{
    public static Command Create()
    {
        var target = DumpCommands.TargetArgument();
        var (topology, host, bridge) = DiffCommand.TopologyOptions();
        var format = DumpCommands.FormatOption();
        var tlsFiles = TlsFileOptions.Create("the switch");
        var command = new Command(
            "explain",
            "Print every live flow of a bridge (as dump-flows --no-stats) followed by '# ROLE [owner OWNER]', flagging FOREIGN (other cookie), STALE (our cookie, not desired) and CHANGED flows.")
        {
            target, topology, host, bridge, format,
        };
        tlsFiles.AddTo(command);
        command.SetAction(parse => DumpCommands.Run("explain", parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, async token =>
        {
            await using var live = await tlsFiles.ConnectAsync(parse, parse.GetRequiredValue(target), token).ConfigureAwait(false);
            var (_, ports) = await live.PortDescAsync(token).ConfigureAwait(false);
            var desired = LiveComparison.Compile(parse.GetRequiredValue(topology), parse.GetRequiredValue(host), parse.GetRequiredValue(bridge), ports);
            var (_, flows) = await live.DumpFlowsAsync(new FlowStatsRequest(), token).ConfigureAwait(false);
            var explained = LiveComparison.Explain(flows, desired, desired.Plan.Cookie);
            string text = DumpCommands.ParseFormat(parse.GetRequiredValue(format)) == DumpFormat.Json
                ? LiveComparison.FormatJson(explained, desired.Names)
                : LiveComparison.FormatExplain(explained, desired.Names);
            return (text, 0);
        }));
        return command;
    }
}
