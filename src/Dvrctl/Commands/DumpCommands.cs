using System.CommandLine;
using System.Text;
using Dvr.DvrFlows.Diagnostics;

namespace Dvr.Cli.Commands;

/// <summary>
/// The read-only ovs-ofctl commands against a live switch, with ovs-ofctl 3.1's exact output:
/// <c>dvrctl dump-flows TARGET [FLOW-FILTER] [--no-stats] [--names]</c>, <c>dump-ports-desc</c>,
/// <c>dump-tables</c>, <c>dump-aggregate [FLOW-FILTER]</c> and <c>show</c>. TARGET is a bridge's service
/// socket (<c>unix:/run/openvswitch/br-int.mgmt</c>), <c>tcp:IP:PORT</c>, or <c>ssl:IP:PORT</c> with <c>-p/-c/-C</c>
/// (<see cref="TlsFileOptions"/>). Errors: one line, exit 2.
/// </summary>
public static class DumpCommands
{
    private const int StdoutBufferSize = 64 * 1024;

    public static IEnumerable<Command> Create()
    {
        yield return DumpFlows();
        yield return Simple("dump-ports-desc", "Print the switch's ports (OFPMP_PORT_DESC) as 'ovs-ofctl -O OpenFlow13 dump-ports-desc' does.", SwitchDumps.DumpPortsDescAsync);
        yield return Simple("dump-tables", "Print table statistics (OFPMP_TABLE) as 'ovs-ofctl -O OpenFlow13 dump-tables' does.", SwitchDumps.DumpTablesAsync);
        yield return DumpAggregate();
        yield return Simple("show", "Print features, ports and configuration as 'ovs-ofctl -O OpenFlow13 show' does.", SwitchDumps.ShowAsync);
    }

    internal static Argument<string> TargetArgument() =>
        new("TARGET") { Description = "The switch: unix:PATH (e.g. unix:/run/openvswitch/br-int.mgmt), tcp:IP:PORT, or ssl:IP:PORT with -p/-c/-C (a bridge listening on OVS's pssl:)." };

    internal static Option<string> FormatOption() =>
        new Option<string>("--format") { Description = "Output format: text (ovs-ofctl's) or json.", DefaultValueFactory = _ => "text" }.AcceptOnlyFromAmong("text", "json");

    internal static DumpFormat ParseFormat(string text) => text == "json" ? DumpFormat.Json : DumpFormat.Text;

    /// <summary>Runs a diagnostics action: its text to stdout, or one error line ("dvrctl NAME: ...") and exit 2.</summary>
    internal static int Run(string name, TextWriter output, TextWriter error, Func<CancellationToken, Task<(string Text, int ExitCode)>> action)
    {
        try
        {
            var (text, exitCode) = action(CancellationToken.None).GetAwaiter().GetResult();
            output.Write(text);
            return exitCode;
        }
        catch (DiagnosticsException ex)
        {
            error.WriteLine($"dvrctl {name}: {ex.Message}");
            return 2;
        }
    }

    /// <summary>
    /// Runs a diagnostics action that writes its output as it goes (dump-flows streams reply parts). Standard
    /// output gets a 64 KiB buffered UTF-8 writer: Console.Out flushes on every write, which for a 100k-flow
    /// dump costs more than formatting it.
    /// </summary>
    internal static int RunStreaming(string name, TextWriter output, TextWriter error, Func<TextWriter, CancellationToken, Task<int>> action)
    {
        bool console = ReferenceEquals(output, Console.Out);
        var writer = console ? new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), StdoutBufferSize) : output;
        try
        {
            int exitCode = action(writer, CancellationToken.None).GetAwaiter().GetResult();
            writer.Flush();
            return exitCode;
        }
        catch (DiagnosticsException ex)
        {
            TryFlush(writer);
            error.WriteLine($"dvrctl {name}: {ex.Message}");
            return 2;
        }
        catch (IOException ex)
        {
            // Standard output went away (dvrctl dump-flows … | head): .NET reports EPIPE where ovs-ofctl dies of SIGPIPE.
            error.WriteLine($"dvrctl {name}: writing the output failed: {ex.Message}");
            return 2;
        }
        finally
        {
            if (console)
            {
                try
                {
                    writer.Dispose();
                }
                catch (IOException)
                {
                    // The reader is gone; the error (if any) was reported above.
                }
            }
        }

        static void TryFlush(TextWriter writer)
        {
            try
            {
                writer.Flush();
            }
            catch (IOException)
            {
                // Keep the diagnostics error, which says more.
            }
        }
    }

    private static Command DumpFlows()
    {
        var target = TargetArgument();
        var filter = new Argument<string?>("FLOW-FILTER") { Description = "Flows to show: table=N, cookie=V/M, out_port=P, match fields (in_port=1,dl_vlan=5).", Arity = ArgumentArity.ZeroOrOne };
        var noStats = new Option<bool>("--no-stats") { Description = "Leave out durations and counters (ovs-ofctl --no-stats)." };
        var names = new Option<bool>("--names") { Description = "Show port names instead of numbers (ovs-ofctl --names)." };
        var format = FormatOption();
        var tlsFiles = TlsFileOptions.Create("the switch");
        var command = new Command("dump-flows", "Print a live switch's flows exactly as 'ovs-ofctl -O OpenFlow13 dump-flows' does.") { target, filter, noStats, names, format };
        tlsFiles.AddTo(command);
        command.SetAction(parse => RunStreaming("dump-flows", parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, async (output, token) =>
        {
            await using var live = await tlsFiles.ConnectAsync(parse, parse.GetRequiredValue(target), token).ConfigureAwait(false);
            var options = new DumpFlowsOptions(parse.GetValue(filter), parse.GetValue(noStats), parse.GetValue(names), ParseFormat(parse.GetRequiredValue(format)));
            await SwitchDumps.DumpFlowsAsync(live, options, output, token).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command DumpAggregate()
    {
        var target = TargetArgument();
        var filter = new Argument<string?>("FLOW-FILTER") { Description = "Flows to count, as for dump-flows.", Arity = ArgumentArity.ZeroOrOne };
        var format = FormatOption();
        var tlsFiles = TlsFileOptions.Create("the switch");
        var command = new Command("dump-aggregate", "Print aggregate flow statistics as 'ovs-ofctl -O OpenFlow13 dump-aggregate' does.") { target, filter, format };
        tlsFiles.AddTo(command);
        command.SetAction(parse => Run("dump-aggregate", parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, async token =>
        {
            await using var live = await tlsFiles.ConnectAsync(parse, parse.GetRequiredValue(target), token).ConfigureAwait(false);
            return (await SwitchDumps.DumpAggregateAsync(live, parse.GetValue(filter), ParseFormat(parse.GetRequiredValue(format)), token).ConfigureAwait(false), 0);
        }));
        return command;
    }

    private static Command Simple(string name, string description, Func<LiveSwitch, DumpFormat, CancellationToken, Task<string>> dump)
    {
        var target = TargetArgument();
        var format = FormatOption();
        var tlsFiles = TlsFileOptions.Create("the switch");
        var command = new Command(name, description) { target, format };
        tlsFiles.AddTo(command);
        command.SetAction(parse => Run(name, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, async token =>
        {
            await using var live = await tlsFiles.ConnectAsync(parse, parse.GetRequiredValue(target), token).ConfigureAwait(false);
            return (await dump(live, ParseFormat(parse.GetRequiredValue(format)), token).ConfigureAwait(false), 0);
        }));
        return command;
    }
}
