using System.CommandLine;

namespace Dvr.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("dvrctl: OpenFlow 1.3 controller and diagnostics for OpenStack-style Distributed Virtual Routing on Open vSwitch.");
        root.Subcommands.Add(Commands.ValidateCommand.Create());
        root.Subcommands.Add(Commands.CompileCommand.Create());
        root.Subcommands.Add(Commands.LiveTraceCommand.Create());
        root.Subcommands.Add(Commands.CodecCommands.OfpPrint());
        root.Subcommands.Add(Commands.CodecCommands.ParseFlow());
        root.Subcommands.Add(Commands.CodecCommands.ParseFlows());
        root.Subcommands.Add(Commands.ServeCommand.Create());
        foreach (var dump in Commands.DumpCommands.Create()) { root.Subcommands.Add(dump); }
        root.Subcommands.Add(Commands.DiffCommand.Create());
        root.Subcommands.Add(Commands.ExplainCommand.Create());
        return root.Parse(args).Invoke();
    }
}
