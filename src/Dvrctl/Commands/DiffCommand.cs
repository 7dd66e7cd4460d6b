using System.CommandLine;
using Dvr.DvrFlows.Diagnostics;
using Dvr.OpenFlow.Messages.Multipart;

namespace Dvr.Cli.Commands;

/// <summary>
/// <c>dvrctl diff TARGET --topology T --host H --bridge B [--format json]</c>: missing, changed and stale
/// flows between the live bridge (Dvr's cookie only) and what the compiler wants, compiled with the live
/// port numbers. Exit 0 identical, 1 different, 2 error (as diff(1)).
/// </summary>
public static class DiffCommand
{
    public static Command Create()
    {
        var target = DumpCommands.TargetArgument();
        var (topology, host, bridge) = TopologyOptions();
        var format = DumpCommands.FormatOption();
        var tlsFiles = TlsFileOptions.Create("the switch");
        var command = new Command(
            "diff",
            "Compare a live bridge's Dvr flows (our cookie) with the compiled desired flows, using the bridge's real port numbers. " +
            "Lines: '[missing|changed|stale] OWNER: ROLE', then '- live flow' and/or '+ desired flow'. Exit 0 identical, 1 different, 2 error.")
        {
            target, topology, host, bridge, format,
        };
        tlsFiles.AddTo(command);
        command.SetAction(parse => DumpCommands.Run("diff", parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, async token =>
        {
            await using var live = await tlsFiles.ConnectAsync(parse, parse.GetRequiredValue(target), token).ConfigureAwait(false);
            var (_, ports) = await live.PortDescAsync(token).ConfigureAwait(false);
            var desired = LiveComparison.Compile(parse.GetRequiredValue(topology), parse.GetRequiredValue(host), parse.GetRequiredValue(bridge), ports);
            ulong cookie = desired.Plan.Cookie;
            var (_, ours) = await live.DumpFlowsAsync(new FlowStatsRequest { Cookie = cookie, CookieMask = ulong.MaxValue }, token).ConfigureAwait(false);
            var flows = LiveComparison.Diff(ours, desired);
            string text = DumpCommands.ParseFormat(parse.GetRequiredValue(format)) == DumpFormat.Json
                ? LiveComparison.FormatJson(flows, desired.Names)
                : LiveComparison.FormatDiff(flows, desired.Names);
            return (text, flows.Count == 0 ? 0 : 1);
        }));
        return command;
    }

    internal static (Option<string> Topology, Option<string> Host, Option<string> Bridge) TopologyOptions() =>
    (
        new Option<string>("--topology") { Description = "Path of the topology YAML file.", Required = true },
        new Option<string>("--host") { Description = "The host the switch belongs to.", Required = true },
        new Option<string>("--bridge") { Description = "The bridge TARGET is (br-int, br-tun, br-ex...).", Required = true }
    );
}
