using System.Globalization;
using Dvr.OpenFlow.Connection;

namespace Dvr.SwitchSim;

/// <summary>The <c>switch-sim</c> command line: connects N simulated switches to a controller and reports on them.</summary>
public static class Program
{
    private const string Usage = """
        switch-sim: simulated OpenFlow 1.3 switches (OVS bridges) for testing and benchmarking a controller.

        Each switch connects to the controller (as `ovs-vsctl set-controller BRIDGE tcp:...` would make a
        bridge do), answers HELLO, ECHO, FEATURES, PORT_DESC, flow stats (REPLY_MORE parts of up to 64 KiB),
        BARRIER and ROLE, and applies FLOW_MODs and ONF bundles to an in-memory flow table, with the
        semantics and errors of Open vSwitch 3.1.

        usage: switch-sim --controller ENDPOINT [options]

          --controller ENDPOINT   where the controller listens: tcp:IP:PORT or unix:PATH   (required)
          --switches N            how many switches to connect, all at once               (default 1)
          --dpid DPID             datapath id of the first switch; the others count up     (default 0x1)
                                  (the controller maps datapath ids to host/bridge in its topology)
          --bridge NAME           bridge name, reported as the LOCAL port's name            (default br-int)
          --port NAME=NUMBER      a port every switch reports in PORT_DESC (repeatable), so flows
                                  that name ports resolve, e.g. --port patch-tun=1 --port tap1=5
          --slow DPID=MS          that switch waits MS milliseconds before every barrier reply and
                                  bundle commit reply (repeatable): a slow switch
          --spec FILE             one switch per line instead of --switches/--dpid/--bridge/--port:
                                  DPID BRIDGE [NAME=NUMBER ...]   ('#' starts a comment); --slow applies
          --probe SECONDS         send ECHO after SECONDS of silence and drop the controller after as many
                                  more (OVS's inactivity_probe)                             (default 5)
          --report SECONDS        print a status line every SECONDS                         (default 5)

        Runs until Ctrl-C / SIGTERM or until every connection has closed; prints a final status line.

        example: 200 switches with datapath ids 0x100..0x1c7, one of them slow, against `dvrctl serve`:
          switch-sim --controller tcp:127.0.0.1:6653 --switches 200 --dpid 0x100 --slow 0x100=2000
        """;

    public static async Task<int> Main(string[] args)
    {
        Settings settings;
        try
        {
            if (args.Length == 0 || args.Contains("--help") || args.Contains("-h"))
            {
                Console.WriteLine(Usage);
                return args.Length == 0 ? 2 : 0;
            }

            settings = Settings.Parse(args);
        }
        catch (FormatException ex)
        {
            Console.Error.WriteLine($"switch-sim: {ex.Message}");
            Console.Error.WriteLine("switch-sim: run `switch-sim --help` for usage");
            return 2;
        }

        using var stopping = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stopping.Cancel();
        };
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stopping.Cancel();
        });

        SwitchFleet fleet;
        try
        {
            fleet = await SwitchFleet.ConnectAsync(settings.Controller, settings.Switches(), cancellationToken: stopping.Token).ConfigureAwait(false);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            Console.Error.WriteLine($"switch-sim: cannot connect to {settings.Controller}: {ex.Message}");
            return 1;
        }

        await using (fleet.ConfigureAwait(false))
        {
            Console.WriteLine($"switch-sim: {fleet.Switches.Count} switch(es) connected to {settings.Controller}");
            var allClosed = Task.WhenAll(fleet.Switches.Select(s => s.Completion));
            using var timer = new PeriodicTimer(settings.Report);
            try
            {
                while (!allClosed.IsCompleted)
                {
                    var tick = timer.WaitForNextTickAsync(stopping.Token).AsTask();
                    await Task.WhenAny(tick, allClosed).ConfigureAwait(false);
                    if (tick.IsCompleted)
                    {
                        await tick.ConfigureAwait(false);
                        Console.WriteLine(Status(fleet));
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C or SIGTERM.
            }

            Console.WriteLine(Status(fleet));
        }

        return 0;
    }

    private static string Status(SwitchFleet fleet) => string.Create(
        CultureInfo.InvariantCulture,
        $"switch-sim: {fleet.Connected}/{fleet.Switches.Count} connected, {fleet.TotalFlows} flows, {fleet.Switches.Sum(s => s.FlowModsApplied)} flow mods applied, " +
        $"{fleet.Switches.Sum(s => s.BundlesCommitted)} bundles committed, {fleet.Switches.Sum(s => s.BarriersAnswered)} barriers, {fleet.Switches.Sum(s => s.ErrorsSent)} errors sent");

    private sealed class Settings
    {
        public OpenFlowEndpoint Controller { get; private set; } = null!;

        public int Count { get; private set; } = 1;

        public ulong FirstDatapathId { get; private set; } = 1;

        public string Bridge { get; private set; } = "br-int";

        public List<SimulatedPort> Ports { get; } = [];

        public Dictionary<ulong, TimeSpan> Slow { get; } = [];

        public TimeSpan Report { get; private set; } = TimeSpan.FromSeconds(5);

        public List<SimulatedSwitchOptions>? Spec { get; private set; }

        public TimeSpan Probe { get; private set; } = TimeSpan.FromSeconds(5);

        public IEnumerable<SimulatedSwitchOptions> Switches() =>
            (Spec ?? SwitchFleet.Numbered(Count, FirstDatapathId, new SimulatedSwitchOptions { DatapathId = 0, BridgeName = Bridge, Ports = [.. Ports] }))
                .Select(o => Slow.TryGetValue(o.DatapathId, out var delay) ? o with { ReplyDelay = delay } : o)
                .Select(o => o with { Channel = o.Channel with { EchoInterval = Probe, EchoTimeout = Probe } });

        /// <summary>Reads a --spec file: "DPID BRIDGE [NAME=NUMBER ...]" per line.</summary>
        private static List<SimulatedSwitchOptions> ReadSpec(string path)
        {
            var switches = new List<SimulatedSwitchOptions>();
            string[] lines;
            try
            {
                lines = File.ReadAllLines(path);
            }
            catch (IOException ex)
            {
                throw new FormatException($"--spec {path}: {ex.Message}");
            }

            for (int n = 0; n < lines.Length; n++)
            {
                string line = lines[n];
                int hash = line.IndexOf('#', StringComparison.Ordinal);
                string[] words = (hash < 0 ? line : line[..hash]).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (words.Length == 0)
                {
                    continue;
                }

                string where = $"--spec {path} line {n + 1}";
                if (words.Length < 2)
                {
                    throw new FormatException($"{where}: expected DPID BRIDGE [NAME=NUMBER ...]");
                }

                var ports = words.Skip(2).Select(w => Pair(where, w)).Select(p => new SimulatedPort(p.Name, checked((uint)PositiveInt(where, p.Value))));
                switches.Add(new SimulatedSwitchOptions { DatapathId = DatapathId(where, words[0]), BridgeName = words[1], Ports = [.. ports] });
            }

            return switches.Count > 0 ? switches : throw new FormatException($"--spec {path}: no switches");
        }

        public static Settings Parse(string[] args)
        {
            var settings = new Settings();
            for (int i = 0; i < args.Length; i++)
            {
                string option = args[i];
                string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{option} needs a value");
                switch (option)
                {
                    case "--controller":
                        settings.Controller = OpenFlowEndpoint.Parse(Value());
                        break;
                    case "--switches":
                        settings.Count = PositiveInt(option, Value());
                        break;
                    case "--dpid":
                        settings.FirstDatapathId = DatapathId(option, Value());
                        break;
                    case "--bridge":
                        settings.Bridge = Value();
                        break;
                    case "--port":
                        var (name, number) = Pair(option, Value());
                        settings.Ports.Add(new SimulatedPort(name, checked((uint)PositiveInt(option, number))));
                        break;
                    case "--slow":
                        var (dpid, ms) = Pair(option, Value());
                        settings.Slow[DatapathId(option, dpid)] = TimeSpan.FromMilliseconds(PositiveInt(option, ms));
                        break;
                    case "--spec":
                        settings.Spec = ReadSpec(Value());
                        break;
                    case "--probe":
                        settings.Probe = TimeSpan.FromSeconds(PositiveInt(option, Value()));
                        break;
                    case "--report":
                        settings.Report = TimeSpan.FromSeconds(PositiveInt(option, Value()));
                        break;
                    default:
                        throw new FormatException($"unknown option '{option}'");
                }
            }

            if (settings.Controller is null)
            {
                throw new FormatException("--controller ENDPOINT is required (tcp:IP:PORT or unix:PATH)");
            }

            return settings;
        }

        private static (string Name, string Value) Pair(string option, string text)
        {
            int eq = text.IndexOf('=', StringComparison.Ordinal);
            return eq > 0 && eq < text.Length - 1 ? (text[..eq], text[(eq + 1)..]) : throw new FormatException($"{option} '{text}': expected NAME=VALUE");
        }

        private static int PositiveInt(string option, string text) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0
                ? value
                : throw new FormatException($"{option} '{text}': expected a positive whole number");

        private static ulong DatapathId(string option, string text)
        {
            bool hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
            return ulong.TryParse(hex ? text[2..] : text, hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None, CultureInfo.InvariantCulture, out ulong value)
                ? value
                : throw new FormatException($"{option} '{text}': expected a datapath id (decimal or 0x-prefixed hex)");
        }
    }
}
