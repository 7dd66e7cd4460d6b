using System.CommandLine;
using System.Globalization;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Messages.Flow;
using Dvr.OpenFlow.Text;

namespace Dvr.Cli.Commands;

/// <summary>
/// The codec on the command line, as ovs-ofctl's own tools: <c>ofp-print HEX</c> decodes any OpenFlow 1.3
/// message and prints it exactly as <c>ovs-ofctl ofp-print</c> does; <c>parse-flow</c>/<c>parse-flows</c>
/// encode ovs-ofctl flow strings into OF1.3 FLOW_MOD bytes (printed as hex, one message per line).
/// </summary>
public static class CodecCommands
{
    public static Command OfpPrint()
    {
        var hexArgument = new Argument<string[]>("HEX") { Description = "The message as hex (spaces allowed), or '-' to read hex from standard input.", Arity = ArgumentArity.OneOrMore };
        var command = new Command(
            "ofp-print",
            """
            Decode one OpenFlow 1.3 message and print it exactly as 'ovs-ofctl ofp-print HEX' (Open vSwitch 3.1)
            does. A message that does not decode prints OVS's '***decode error: ...***' form and a hex dump.

            Example:
              dvrctl ofp-print 0402000800000001
            """)
        {
            hexArgument,
        };
        command.SetAction(parseResult =>
        {
            var configuration = parseResult.InvocationConfiguration;
            var parts = parseResult.GetRequiredValue(hexArgument);
            string hex = parts is ["-"] ? Console.In.ReadToEnd() : string.Join(string.Empty, parts);
            if (!TryParseHex(hex, out var bytes, out string? problem))
            {
                configuration.Error.WriteLine($"dvrctl ofp-print: {problem}");
                return 2;
            }

            configuration.Output.WriteLine(Dvr.OpenFlow.Text.OfpPrint.Format(bytes).TrimEnd('\n'));
            return 0;
        });
        return command;
    }

    public static Command ParseFlow()
    {
        var flowArgument = new Argument<string>("FLOW") { Description = "A flow in ovs-ofctl syntax, e.g. 'table=1,priority=2,dl_vlan=5 actions=strip_vlan,output:2'." };
        var portOption = PortOption();
        var commandOption = CommandOption();
        var command = new Command(
            "parse-flow",
            """
            Encode one ovs-ofctl flow string (any spelling ovs-ofctl accepts for OpenFlow 1.3: mod_dl_src,
            strip_vlan, set_tunnel, masks, named ports with --port NAME=NUMBER, actions= or instructions) into an
            OpenFlow 1.3 FLOW_MOD and print its bytes as hex. 'ovs-ofctl ofp-print' of that hex prints the same
            flow as 'ovs-ofctl -O OpenFlow13 parse-flow' of the same string.

            Example:
              dvrctl parse-flow 'table=1,priority=2,dl_vlan=5,dl_src=fa:16:3e:00:00:01 actions=mod_dl_src:fa:16:3f:00:00:01,goto_table:2'
            """)
        {
            flowArgument, portOption, commandOption,
        };
        command.SetAction(parseResult =>
        {
            var configuration = parseResult.InvocationConfiguration;
            return Encode(
                [(1, parseResult.GetRequiredValue(flowArgument))],
                "parse-flow",
                parseResult.GetValue(portOption) ?? [],
                parseResult.GetValue(commandOption),
                configuration.Output,
                configuration.Error);
        });
        return command;
    }

    public static Command ParseFlows()
    {
        var fileArgument = new Argument<string>("FILE") { Description = "A file of flows, one per line ('#' comments and blank lines skipped), or '-' for standard input." };
        var portOption = PortOption();
        var commandOption = CommandOption();
        var command = new Command(
            "parse-flows",
            """
            Encode every flow of FILE (the format of 'ovs-ofctl add-flows') into OpenFlow 1.3 FLOW_MOD messages,
            printed as hex one per line, xids counting up from 1 as ovs-ofctl's do. Nothing is printed if any
            line fails: the error names the file and line.

            Example:
              dvrctl compile samples/worked-example.yaml --host cn1 --bridge br-tun > /tmp/tun.flows
              dvrctl parse-flows /tmp/tun.flows --port patch-int=1
            """)
        {
            fileArgument, portOption, commandOption,
        };
        command.SetAction(parseResult =>
        {
            var configuration = parseResult.InvocationConfiguration;
            string path = parseResult.GetRequiredValue(fileArgument);
            string[] lines;
            try
            {
                lines = path == "-" ? Console.In.ReadToEnd().Split('\n') : File.ReadAllLines(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                configuration.Error.WriteLine($"dvrctl parse-flows: cannot read '{path}': {(e is FileNotFoundException ? "no such file" : e.Message)}");
                return 2;
            }

            var flows = lines
                .Select((line, index) => (Line: index + 1, Text: line.Trim()))
                .Where(l => l.Text.Length > 0 && !l.Text.StartsWith('#'))
                .ToList();
            return Encode(flows, path, parseResult.GetValue(portOption) ?? [], parseResult.GetValue(commandOption), configuration.Output, configuration.Error);
        });
        return command;
    }

    private static Option<string[]> PortOption() => new("--port")
    {
        Description = "Name a port for flows that use port names: NAME=NUMBER (repeatable), e.g. --port patch-int=1.",
        AllowMultipleArgumentsPerToken = true,
    };

    private static Option<FlowModCommand> CommandOption() => new("--command")
    {
        Description = "The FLOW_MOD command: Add (default), Modify, ModifyStrict, Delete, DeleteStrict.",
        DefaultValueFactory = _ => FlowModCommand.Add,
    };

    private static int Encode(IReadOnlyList<(int Line, string Text)> flows, string source, string[] ports, FlowModCommand command, TextWriter output, TextWriter error)
    {
        var map = new Dictionary<uint, string>();
        foreach (string port in ports)
        {
            int eq = port.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !uint.TryParse(port.AsSpan(eq + 1), NumberStyles.None, CultureInfo.InvariantCulture, out uint number))
            {
                error.WriteLine($"dvrctl: --port '{port}': expected NAME=NUMBER");
                return 2;
            }

            map[number] = port[..eq];
        }

        var names = new PortNames(map);
        var encoded = new List<string>(flows.Count);
        uint xid = 1;
        foreach (var (line, text) in flows)
        {
            try
            {
                var mod = FlowModText.ParseFlow(text, names, command) with { Xid = xid++ };
                encoded.Add(Convert.ToHexStringLower(mod.ToBytes()));
            }
            catch (Exception e) when (e is TextParseException or OpenFlowException)
            {
                error.WriteLine(flows.Count == 1 && source == "parse-flow" ? $"dvrctl parse-flow: {e.Message}" : $"{source}:{line}: {e.Message}");
                return 1;
            }
        }

        foreach (string hex in encoded)
        {
            output.WriteLine(hex);
        }

        return 0;
    }

    internal static bool TryParseHex(string text, out byte[] bytes, out string? problem)
    {
        var digits = new string(text.Where(c => !char.IsWhiteSpace(c)).ToArray());
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            digits = digits[2..];
        }

        bytes = [];
        problem = null;
        if (digits.Length == 0 || digits.Length % 2 != 0 || !digits.All(char.IsAsciiHexDigit))
        {
            problem = "expected an even number of hex digits";
            return false;
        }

        bytes = Convert.FromHexString(digits);
        return true;
    }
}
