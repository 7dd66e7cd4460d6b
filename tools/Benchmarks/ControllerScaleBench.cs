using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Dvr.DvrFlows.Apply;
using Dvr.DvrFlows.Compiler;
using Dvr.DvrFlows.Controller;
using Dvr.DvrFlows.Topology;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Connection;
using Dvr.SwitchSim;

namespace Dvr.Benchmarks;

/// <summary>
/// The controller at cloud scale against simulated switches (tools/switch-sim): the <see cref="LargeTopology"/>
/// (100 hosts, each with br-int and br-tun: 200 bridges, about 1.09M flows compiled by the real compiler), the
/// real <see cref="ControllerHost"/> / <see cref="DvrController"/> / <see cref="BridgeSession"/> /
/// <see cref="OpenFlowSwitch"/> path that <c>dvrctl serve</c> runs, listening on tcp loopback. Every simulated
/// bridge reports the interfaces the topology implies at their synthetic port numbers, so the controller
/// resolves port names from PORT_DESC as it does with OVS.
/// <list type="bullet">
/// <item><c>controller-memory</c>: the switches run in a child process (the switch-sim CLI), so this process
/// holds only the controller; after every bridge has converged, a full compacting GC, then managed heap and
/// working set against the baseline taken before any switch connected, divided by the installed flows.</item>
/// <item><c>controller-converge [SLOW_MS]</c>: the switches run in this process, all connected at once; the
/// time from the first connect to the last bridge's final barrier reply with its complete flow set. A second
/// run makes one switch slow (SLOW_MS before every barrier and commit reply, default 2000) and shows when the
/// other 199 converge.</item>
/// </list>
/// </summary>
public static class ControllerScaleBench
{
    public static async Task<int> RunMemoryAsync(string[] args)
    {
        _ = args;
        var cloud = CloudPlan.Create();
        string spec = Path.Combine(Path.GetTempPath(), $"dvr-switch-sim-{Environment.ProcessId}.spec");
        await File.WriteAllLinesAsync(spec, cloud.Switches.Select(s => $"0x{s.Options.DatapathId:x} {s.Options.BridgeName} {string.Join(' ', s.Options.Ports.Select(p => $"{p.Name}={p.Number}"))}"));
        try
        {
            var (heapBefore, workingSetBefore) = Measure();
            await using var controller = await RunningController.StartAsync(cloud);
            string simulator = Path.Combine(AppContext.BaseDirectory, "Dvr.SwitchSim.dll");
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string arg in new[] { simulator, "--controller", controller.Endpoint.Text, "--spec", spec, "--report", "3600", "--probe", "60" })
            {
                start.ArgumentList.Add(arg);
            }

            var clock = Stopwatch.StartNew();
            using var child = Process.Start(start) ?? throw new InvalidOperationException("cannot start the switch-sim process");
            var childOutput = child.StandardOutput.ReadToEndAsync();
            var childErrors = child.StandardError.ReadToEndAsync();
            try
            {
                await controller.Converged.WaitAsync(TimeSpan.FromMinutes(15));
                double seconds = clock.Elapsed.TotalSeconds;
                var (heapAfter, workingSetAfter) = Measure();
                long flows = cloud.TotalFlows;
                Console.WriteLine($"{cloud.Switches.Count} simulated bridges (switch-sim child process), {flows:N0} flows installed and converged in {seconds:0.0} s; load average {LoadAverage()}; " +
                    $"host compiles: {controller.Compiles.Calls} ({controller.Compiles.Elapsed.TotalSeconds:0} s summed over concurrent calls)");
                Console.WriteLine($"controller managed heap after full GC: {heapBefore / 1048576.0:0.0} MiB before any switch, {heapAfter / 1048576.0:0.0} MiB at {flows:N0} flows " +
                    $"=> {(heapAfter - heapBefore) / (double)flows:0} bytes per installed flow");
                Console.WriteLine($"controller working set: {workingSetBefore / 1048576.0:0.0} MiB before, {workingSetAfter / 1048576.0:0.0} MiB after " +
                    $"=> {(workingSetAfter - workingSetBefore) / (double)flows:0} bytes per installed flow ({workingSetAfter / (double)flows:0} counting the whole process)");
            }
            finally
            {
                if (!child.HasExited)
                {
                    child.Kill();
                }

                await child.WaitForExitAsync();
                string errors = await childErrors;
                _ = await childOutput;
                if (errors.Length > 0)
                {
                    Console.Error.WriteLine($"switch-sim stderr: {errors.Trim()}");
                }
            }
        }
        finally
        {
            File.Delete(spec);
        }

        return 0;
    }

    public static async Task<int> RunConvergeAsync(string[] args)
    {
        int slowMs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        var cloud = CloudPlan.Create();
        Console.WriteLine($"{cloud.Switches.Count} simulated bridges in this process, {cloud.TotalFlows:N0} flows ({cloud.TotalFlows / cloud.Switches.Count:N0} per bridge on average); load average {LoadAverage()}");
        foreach (var slow in new ulong?[] { null, cloud.Switches[0].Options.DatapathId })
        {
            await using var controller = await RunningController.StartAsync(cloud);
            var options = cloud.Switches.Select(s => s.Options.DatapathId == slow ? s.Options with { ReplyDelay = TimeSpan.FromMilliseconds(slowMs) } : s.Options);
            var clock = Stopwatch.StartNew();
            await using var fleet = await SwitchFleet.ConnectAsync(controller.Endpoint, options);
            double connected = clock.Elapsed.TotalSeconds;
            await controller.Converged.WaitAsync(TimeSpan.FromMinutes(15));
            var times = controller.ConvergedAt.ToDictionary(e => e.Key, e => (e.Value - controller.StartedTicks) / (double)Stopwatch.Frequency);
            var others = times.Where(t => t.Key != slow).Select(t => t.Value).Order().ToList();
            string what = slow is null ? "all switches normal" : $"switch 0x{slow:x} slow ({slowMs} ms before each barrier/commit reply)";
            Console.WriteLine($"{what}: all {fleet.Switches.Count} connected in {connected:0.000} s; " +
                $"flows on the switches: {fleet.TotalFlows:N0}; load average {LoadAverage()}; host compiles: {controller.Compiles.Calls} ({controller.Compiles.Elapsed.TotalSeconds:0} s summed over concurrent calls)");
            Console.WriteLine($"  bridges converged (to the last barrier reply) after: median {others[others.Count / 2]:0.00} s, " +
                $"99th percentile {others[(int)(others.Count * 0.99)]:0.00} s, last of the {others.Count} {(slow is null ? string.Empty : "normal ")}bridges {others[^1]:0.00} s" +
                (slow is { } s2 ? $"; the slow bridge {times[s2]:0.00} s" : string.Empty));
        }

        return 0;
    }

    private static (long Heap, long WorkingSet) Measure()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64);
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    /// <summary>The bridges to simulate and the flow count each must end with.</summary>
    private sealed class CloudPlan
    {
        private CloudPlan(Topology topology, List<(SimulatedSwitchOptions Options, string Host, int ExpectedFlows)> switches)
        {
            Topology = topology;
            Switches = switches;
        }

        public Topology Topology { get; }

        public List<(SimulatedSwitchOptions Options, string Host, int ExpectedFlows)> Switches { get; }

        public long TotalFlows => Switches.Sum(s => (long)s.ExpectedFlows);

        public static CloudPlan Create()
        {
            var clock = Stopwatch.StartNew();
            var topology = LargeTopology.Load();
            var switches = new List<(SimulatedSwitchOptions, string, int)>();

            // Its own compiler, dropped after planning: the controller's source must start empty, or its compiled
            // state would be counted in the baseline and its compile time hidden from the convergence clock.
            var planner = new CompilerFlowSource();
            foreach (var host in topology.Hosts)
            {
                var implied = SyntheticPortMap.For(topology, host.Name);
                var bridges = new[] { host.Integration, host.Tunnel }.Concat(host.PhysicalBridges.Values).ToList();

                // The port map the controller will build from the simulated PORT_DESCs (LOCAL carries the bridge name).
                var ports = HostPortMap.Empty;
                foreach (var bridge in bridges)
                {
                    var map = implied.PortsOf(bridge.Name).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
                    map[bridge.Name] = OfpPort.Local;
                    ports = ports.With(bridge.Name, map);
                }

                var expected = planner.Compute(topology, host, ports);
                foreach (var bridge in bridges)
                {
                    var options = new SimulatedSwitchOptions
                    {
                        DatapathId = bridge.DatapathId,
                        BridgeName = bridge.Name,
                        Ports = [.. implied.PortsOf(bridge.Name).Select(p => new SimulatedPort(p.Key, p.Value))],
                        Channel = ChannelOptions,
                    };
                    switches.Add((options, host.Name, expected.TryGetValue(bridge.Name, out var flows) ? flows.Count : 0));
                }
            }

            Console.WriteLine($"plan: {topology.Hosts.Length} hosts, {switches.Count} bridges, {switches.Sum(s => (long)s.Item3):N0} flows expected (compiled once to know the counts: {clock.Elapsed.TotalSeconds:0.0} s)");
            return new CloudPlan(topology, switches);
        }
    }

    /// <summary>Generous timers: 200 bridges on two shared cores must not trip echo or request timeouts.</summary>
    private static readonly OpenFlowChannelOptions ChannelOptions = OpenFlowChannelOptions.Default with
    {
        EchoInterval = TimeSpan.FromSeconds(30),
        EchoTimeout = TimeSpan.FromSeconds(60),
        RequestTimeout = TimeSpan.FromMinutes(10),
        WriteTimeout = TimeSpan.FromMinutes(5),
        HelloTimeout = TimeSpan.FromMinutes(1),
    };

    /// <summary><see cref="CompilerFlowSource"/> with a count of calls and the time spent in them.</summary>
    private sealed class CountingFlowSource : IDesiredFlowSource
    {
        private readonly CompilerFlowSource _source = new();
        private long _calls;
        private long _ticks;

        public long Calls => Interlocked.Read(ref _calls);

        public TimeSpan Elapsed => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks));

        public IReadOnlyDictionary<string, IReadOnlyList<Dvr.DvrFlows.Reconcile.FlowEntry>> Compute(Topology topology, Host host, HostPortMap ports)
        {
            long started = Stopwatch.GetTimestamp();
            try
            {
                return _source.Compute(topology, host, ports);
            }
            finally
            {
                Interlocked.Increment(ref _calls);
                Interlocked.Add(ref _ticks, Stopwatch.GetTimestamp() - started);
            }
        }
    }

    /// <summary>A controller host listening on tcp loopback, with metrics that notice when every bridge holds its full flow set.</summary>
    private sealed class RunningController : IAsyncDisposable, IControllerMetrics
    {
        private readonly Dictionary<(string Host, string Bridge), int> _expected;
        private readonly TaskCompletionSource _converged = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentDictionary<ulong, long> _convergedAt = new();
        private readonly Dictionary<(string Host, string Bridge), ulong> _datapaths;
        private ControllerHost _host = null!;

        private RunningController(CloudPlan plan)
        {
            _expected = plan.Switches.ToDictionary(s => (s.Host, s.Options.BridgeName), s => s.ExpectedFlows);
            _datapaths = plan.Switches.ToDictionary(s => (s.Host, s.Options.BridgeName), s => s.Options.DatapathId);
        }

        public OpenFlowEndpoint Endpoint { get; private set; } = null!;

        /// <summary>The production flow source, counted: how often and how long the controller compiled.</summary>
        public CountingFlowSource Compiles { get; } = new();

        public Task Converged => _converged.Task;

        public long StartedTicks { get; private set; }

        /// <summary>Datapath id → Stopwatch timestamp of the barrier reply that completed its full flow set.</summary>
        public IReadOnlyDictionary<ulong, long> ConvergedAt => _convergedAt;

        public static Task<RunningController> StartAsync(CloudPlan plan)
        {
            var running = new RunningController(plan);
            var controller = new DvrController(plan.Topology, running.Compiles, BridgeSessionOptions.Default with { AuditInterval = TimeSpan.FromHours(1) }, running);
            running._host = new ControllerHost(controller, ChannelOptions);
            var listener = running._host.Listen(OpenFlowEndpoint.Parse("tcp:127.0.0.1:0"));
            int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
            running.Endpoint = OpenFlowEndpoint.Parse($"tcp:127.0.0.1:{port}");
            running.StartedTicks = Stopwatch.GetTimestamp();
            return Task.FromResult(running);
        }

        public ValueTask DisposeAsync() => _host.DisposeAsync();

        public void SetFlowCounts(string host, string bridge, int desired, int installed)
        {
            // Called by the session after each successful pass (the bundle's final barrier reply has arrived).
            if (installed == desired && _expected.TryGetValue((host, bridge), out int expected) && installed == expected
                && _convergedAt.TryAdd(_datapaths[(host, bridge)], Stopwatch.GetTimestamp()) && _convergedAt.Count == _expected.Count)
            {
                _converged.TrySetResult();
            }
        }

        public void SetState(string host, string bridge, BridgeState state)
        {
        }

        public void AddFlowModsSent(string host, string bridge, int count)
        {
        }

        public void BundleCommitted(string host, string bridge)
        {
        }

        public void BundleFailed(string host, string bridge)
        {
        }

        public void ObserveReconcile(string host, string bridge, TimeSpan duration)
        {
        }
    }
}
