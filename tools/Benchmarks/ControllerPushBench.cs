using System.Buffers;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Dvr.DvrFlows.Apply;
using Dvr.DvrFlows.Reconcile;
using Dvr.DvrFlows.Tests.Ovs;
using Dvr.OpenFlow;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Connection;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Match;
using Dvr.OpenFlow.Messages.Bundle;
using Dvr.OpenFlow.Messages.Flow;
using Dvr.OpenFlow.Messages.Switch;
using Dvr.OpenFlow.Wire;

namespace Dvr.Benchmarks;

/// <summary>
/// <c>controller-push [FLOWS] [ROUNDS] [--shape dvr|simple]</c>: pushes FLOWS flows (default 100,000) into one OVS bridge (its own
/// ovsdb-server + ovs-vswitchd, netdev, in a private netns) and times, to the barrier reply: Dvr's
/// <see cref="OpenFlowSwitch.ApplyAsync"/> (what <c>dvrctl serve</c> sends: one ONF bundle: OPEN, ADD×N,
/// validation barrier, COMMIT, barrier); (a) the same FLOW_MOD bytes, pre-encoded, written straight to the
/// socket, then one barrier; (a') and (a'') the bundle pre-encoded, without and with dvr's validation round trip
/// (<see cref="RawMode"/>); (b) <c>ovs-ofctl --bundle add-flows</c> of the same flows. The bridge is emptied
/// before each run and checked after it (all variants must install the same flows); the order of the variants
/// rotates every round. Besides wall time
/// it records the client's CPU time in the timed part (this process, or ovs-ofctl's) and ovs-vswitchd's, so a
/// run on a loaded machine still shows where the time goes. Prints medians over ROUNDS (default 5).
/// <para>
/// The flows (<see cref="FlowShape"/>): <c>dvr</c> (default) is the reference's test flow
/// (performance-anchors.md), a DVR_TO_SRC_MAC-style rewrite: <c>table=1,priority=100,in_port=1,dl_vlan=V,
/// dl_src=fa:16:3e:XX:XX:XX,dl_dst=fa:16:3e:00:00:02 actions=set_field:fa:16:3f:00:00:01->eth_src,output:2,
/// goto_table:2</c> with V and dl_src varying, the kind of flow the controller pushes; <c>simple</c> is
/// <c>table=0,priority=100,dl_dst=02:00:00:XX:XX:XX,actions=output:2</c>, the cheapest flow to parse.
/// </para>
/// </summary>
public static class ControllerPushBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        int shapeAt = Array.IndexOf(args, "--shape");
        var shape = shapeAt < 0 ? FlowShape.Dvr : ParseShape(shapeAt + 1 < args.Length ? args[shapeAt + 1] : "");
        string[] positional = [.. args.Where((_, i) => shapeAt < 0 || (i != shapeAt && i != shapeAt + 1))];
        int flows = positional.Length > 0 ? int.Parse(positional[0], CultureInfo.InvariantCulture) : 100_000;
        int rounds = positional.Length > 1 ? int.Parse(positional[1], CultureInfo.InvariantCulture) : 5;
        using var sandbox = OvsSandbox.Start();
        sandbox.AddBridge("br0");
        string dir = sandbox.Directory;
        string mgmt = Path.Combine(dir, "br0.mgmt");

        var entries = Flows(shape, flows);
        string flowFile = $"{dir}/flows.txt";
        File.WriteAllLines(flowFile, Enumerable.Range(0, flows).Select(i => FlowText(shape, i)));
        var options = OpenFlowChannelOptions.Default with { RequestTimeout = TimeSpan.FromMinutes(10), WriteTimeout = TimeSpan.FromMinutes(5) };

        int vswitchd = int.Parse(File.ReadAllText(Path.Combine(dir, "ovs-vswitchd.pid")).Trim(), CultureInfo.InvariantCulture);
        string loadBefore = LoadAverage();
        var samples = new Dictionary<string, List<Sample>> { ["dvr"] = [], ["raw"] = [], ["rawbundle"] = [], ["rawvalidated"] = [], ["ofctl"] = [] };
        var installed = new Dictionary<string, string>();
        for (int round = 0; round < rounds; round++)
        {
            // Rotate the order every round so no variant always runs first (cold caches, JIT) or last.
            string[] variants = ["dvr", "raw", "rawbundle", "rawvalidated", "ofctl"];
            string[] order = [.. variants.Skip(round % variants.Length), .. variants.Take(round % variants.Length)];
            foreach (string variant in order)
            {
                Clear(mgmt);
                var switchCpu = ProcessCpu(vswitchd);
                var (seconds, clientCpu) = variant switch
                {
                    "dvr" => await TimeDvrAsync(mgmt, entries, options),
                    "raw" => await TimeRawAsync(mgmt, entries, options, RawMode.FlowMods),
                    "rawbundle" => await TimeRawAsync(mgmt, entries, options, RawMode.Bundle),
                    "rawvalidated" => await TimeRawAsync(mgmt, entries, options, RawMode.ValidatedBundle),
                    _ => TimeOfctl(mgmt, flowFile),
                };
                samples[variant].Add(new Sample(seconds, clientCpu, (ProcessCpu(vswitchd) - switchCpu).TotalSeconds));
                Check(mgmt, flows);
                if (round == 0)
                {
                    installed[variant] = Dump(mgmt);
                }
            }
        }

        // Every variant must have installed the very same flows (OVS's own text of the bridge after the first round).
        foreach (string variant in new[] { "raw", "rawbundle", "rawvalidated", "ofctl" })
        {
            if (installed[variant] != installed["dvr"])
            {
                throw new InvalidOperationException($"{variant} installed other flows than dvr");
            }
        }

        var dvr = Summary(samples["dvr"]);
        var raw = Summary(samples["raw"]);
        var rawBundle = Summary(samples["rawbundle"]);
        var rawValidated = Summary(samples["rawvalidated"]);
        var ofctl = Summary(samples["ofctl"]);
        Console.WriteLine($"flows={flows} rounds={rounds} shape={shape.ToString().ToLowerInvariant()} ({FlowText(shape, 0)}) load average before: {loadBefore}, after: {LoadAverage()}");
        Console.WriteLine("medians, to the barrier (commit) reply    seconds  flows/s   client CPU s  ovs-vswitchd CPU s");
        Console.WriteLine($"dvr bundle apply (OpenFlowSwitch)        {dvr.Seconds,7:0.000}  {flows / dvr.Seconds,7:0}   {dvr.ClientCpu,12:0.000}  {dvr.SwitchCpu,18:0.000}");
        Console.WriteLine($"(a) raw pre-encoded FLOW_MODs + barrier  {raw.Seconds,7:0.000}  {flows / raw.Seconds,7:0}   {raw.ClientCpu,12:0.000}  {raw.SwitchCpu,18:0.000}");
        Console.WriteLine($"(a') raw pre-encoded bundle + barrier    {rawBundle.Seconds,7:0.000}  {flows / rawBundle.Seconds,7:0}   {rawBundle.ClientCpu,12:0.000}  {rawBundle.SwitchCpu,18:0.000}");
        Console.WriteLine($"(a'') raw bundle, validation round trip  {rawValidated.Seconds,7:0.000}  {flows / rawValidated.Seconds,7:0}   {rawValidated.ClientCpu,12:0.000}  {rawValidated.SwitchCpu,18:0.000}");
        Console.WriteLine($"(b) ovs-ofctl --bundle add-flows         {ofctl.Seconds,7:0.000}  {flows / ofctl.Seconds,7:0}   {ofctl.ClientCpu,12:0.000}  {ofctl.SwitchCpu,18:0.000}");
        Console.WriteLine($"rate ratios: dvr/raw = {raw.Seconds / dvr.Seconds:0.00} (target >= 0.9), dvr/ovs-ofctl = {ofctl.Seconds / dvr.Seconds:0.00} (target >= 2)");
        Console.WriteLine($"dvr against its own floors: dvr/raw bundle = {rawBundle.Seconds / dvr.Seconds:0.00}, dvr/raw validated bundle = {rawValidated.Seconds / dvr.Seconds:0.00}");
        Console.WriteLine($"per round (s): dvr {Join(samples["dvr"])}; raw {Join(samples["raw"])}; raw bundle {Join(samples["rawbundle"])}; raw validated {Join(samples["rawvalidated"])}; ofctl {Join(samples["ofctl"])}");
        return 0;
    }

    private const ulong Cookie = 0x4456520000000000UL;

    internal enum FlowShape
    {
        Dvr,
        Simple,
    }

    private static FlowShape ParseShape(string text) => text switch
    {
        "dvr" => FlowShape.Dvr,
        "simple" => FlowShape.Simple,
        _ => throw new ArgumentException($"--shape must be dvr or simple, not '{text}'"),
    };

    // Flow i of a shape: dl_vlan 1..4094 and the source MAC vary together, so every flow has its own match.
    private static ushort Vlan(int i) => (ushort)(1 + (i % 4094));

    private static MacAddress Source(int i) => new(0xfa163e000000UL + (ulong)i);

    private static MacAddress SimpleDestination(int i) => new(0x020000000000UL + (ulong)i);

    /// <summary>Flow i as ovs-ofctl add-flows reads it (the same flow <see cref="Flows"/> builds).</summary>
    private static string FlowText(FlowShape shape, int i) => shape switch
    {
        FlowShape.Dvr => $"table=1,priority=100,cookie=0x{Cookie:x},in_port=1,dl_vlan={Vlan(i)},dl_src={Source(i)},dl_dst=fa:16:3e:00:00:02,"
            + "actions=set_field:fa:16:3f:00:00:01->eth_src,output:2,goto_table:2",
        _ => $"table=0,priority=100,cookie=0x{Cookie:x},dl_dst={SimpleDestination(i)},actions=output:2",
    };

    internal static List<FlowEntry> Flows(FlowShape shape, int count)
    {
        var simple = new InstructionList(new ApplyActionsInstruction(new ActionList(new OutputAction(2))));
        var rewrite = new InstructionList(
            new ApplyActionsInstruction(new ActionList(new SetFieldAction(OxmFields.EthSrc, new MacAddress(0xfa163f000001UL).Value), new OutputAction(2))),
            new GotoTableInstruction(2));
        var gatewayMac = new MacAddress(0xfa163e000002UL);
        var list = new List<FlowEntry>(count);
        for (int i = 0; i < count; i++)
        {
            list.Add(shape == FlowShape.Dvr
                ? new FlowEntry(1, 100, new MatchBuilder().InPort(1).VlanVid(Vlan(i)).EthSrc(Source(i)).EthDst(gatewayMac).Build(), Cookie, rewrite)
                : new FlowEntry(0, 100, new MatchBuilder().EthDst(SimpleDestination(i)).Build(), Cookie, simple));
        }

        return list;
    }

    /// <summary>Wall seconds and this process's CPU seconds (all threads: encoding, socket writes, GC) of the timed part.</summary>
    private static async Task<(double Seconds, double ClientCpu)> TimeDvrAsync(string mgmt, List<FlowEntry> entries, OpenFlowChannelOptions options)
    {
        await using var channel = await ConnectAsync(mgmt, options);
        var sw = await OpenFlowSwitch.HandshakeAsync(channel);
        var diff = new FlowDiff([], [], [.. entries]);
        var cpu = OwnCpu();
        var clock = Stopwatch.StartNew();
        await sw.ApplyAsync(diff, CancellationToken.None);
        return (clock.Elapsed.TotalSeconds, (OwnCpu() - cpu).TotalSeconds);
    }

    /// <summary>What the pre-encoded variants write.</summary>
    private enum RawMode
    {
        /// <summary>(a) plain FLOW_MODs, then a barrier: no bundle, the floor OVS itself sets.</summary>
        FlowMods,

        /// <summary>(a') OPEN, ADD×N, COMMIT, barrier in one go: a bundle without dvr's validation round trip.</summary>
        Bundle,

        /// <summary>
        /// (a'') exactly the bytes dvr sends, in the same two steps: OPEN, ADD×N, barrier; wait for its reply; COMMIT,
        /// barrier. The floor for an atomic apply that checks every ADD before it commits.
        /// </summary>
        ValidatedBundle,
    }

    /// <summary>The same flows pre-encoded outside the timing and written straight to the socket, as <paramref name="mode"/> says.</summary>
    private static async Task<(double Seconds, double ClientCpu)> TimeRawAsync(string mgmt, List<FlowEntry> entries, OpenFlowChannelOptions options, RawMode mode)
    {
        await using var channel = await ConnectAsync(mgmt, options);
        await OpenFlowSwitch.HandshakeAsync(channel);
        var adds = new ArrayBufferWriter<byte>();
        var commit = new ArrayBufferWriter<byte>();
        uint xid = channel.NextXid((uint)entries.Count + 4);
        const BundleFlags flags = BundleFlags.Atomic | BundleFlags.Ordered;
        bool bundle = mode != RawMode.FlowMods;
        if (bundle)
        {
            new BundleControl { Xid = xid++, BundleId = 1, ControlType = BundleControlType.OpenRequest, Flags = flags }.Encode(adds);
        }

        foreach (var flow in entries)
        {
            var mod = flow.ToFlowMod(FlowModCommand.Add, xid++);
            if (bundle)
            {
                new BundleAddMessage { Xid = mod.Xid, BundleId = 1, Flags = flags, Message = mod }.Encode(adds);
            }
            else
            {
                mod.Encode(adds);
            }
        }

        uint validationXid = xid++;
        if (mode == RawMode.ValidatedBundle)
        {
            new BarrierRequest { Xid = validationXid }.Encode(adds);
        }

        var tail = mode == RawMode.ValidatedBundle ? commit : adds;
        if (bundle)
        {
            new BundleControl { Xid = xid++, BundleId = 1, ControlType = BundleControlType.CommitRequest, Flags = flags }.Encode(tail);
        }

        new BarrierRequest { Xid = xid }.Encode(tail);
        var cpu = OwnCpu();
        var clock = Stopwatch.StartNew();
        var reply = channel.ExpectReply(xid, OfpType.BarrierRequest);
        if (mode == RawMode.ValidatedBundle)
        {
            var validated = channel.ExpectReply(validationXid, OfpType.BarrierRequest);
            await channel.SendEncodedAsync(adds.WrittenMemory);
            await validated.WaitAsync(options.RequestTimeout);
            await channel.SendEncodedAsync(commit.WrittenMemory);
        }
        else
        {
            await channel.SendEncodedAsync(adds.WrittenMemory);
        }

        await reply.WaitAsync(options.RequestTimeout);
        return (clock.Elapsed.TotalSeconds, (OwnCpu() - cpu).TotalSeconds);
    }

    private static async Task<OpenFlowChannel> ConnectAsync(string mgmt, OpenFlowChannelOptions options)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(mgmt));
        var channel = SocketTransport.CreateChannel(socket, $"unix:{mgmt}", options, null);
        channel.Start();
        return channel;
    }

    /// <summary>Wall seconds and ovs-ofctl's CPU seconds (process start, parsing the file, encoding, sending).</summary>
    private static (double Seconds, double ClientCpu) TimeOfctl(string mgmt, string flowFile)
    {
        var cpu = ChildrenCpu();
        var clock = Stopwatch.StartNew();
        Run("ovs-ofctl", "-O", "OpenFlow13", "--bundle", "add-flows", $"unix:{mgmt}", flowFile);
        return (clock.Elapsed.TotalSeconds, (ChildrenCpu() - cpu).TotalSeconds);
    }

    private static TimeSpan OwnCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private sealed record Sample(double Seconds, double ClientCpu, double SwitchCpu);

    private static Sample Summary(List<Sample> samples) =>
        new(Median([.. samples.Select(s => s.Seconds)]), Median([.. samples.Select(s => s.ClientCpu)]), Median([.. samples.Select(s => s.SwitchCpu)]));

    private static string Join(List<Sample> samples) => string.Join(' ', samples.Select(s => s.Seconds.ToString("0.000", CultureInfo.InvariantCulture)));

    /// <summary>utime + stime of every thread of a process (proc(5) /proc/PID/stat fields 14 and 15, in clock ticks of 10 ms).</summary>
    private static TimeSpan ProcessCpu(int pid) => StatTicks($"/proc/{pid}/stat", 14, 15);

    /// <summary>cutime + cstime of this process: CPU of children it has waited for (fields 16 and 17), i.e. ovs-ofctl runs.</summary>
    private static TimeSpan ChildrenCpu() => StatTicks("/proc/self/stat", 16, 17);

    private static TimeSpan StatTicks(string path, int first, int second)
    {
        string stat = File.ReadAllText(path);
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

        // Fields after "(comm) " start at field 3, so field N is index N - 3.
        long ticks = long.Parse(fields[first - 3], CultureInfo.InvariantCulture) + long.Parse(fields[second - 3], CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(ticks * 10);
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static void Clear(string mgmt) => Run("ovs-ofctl", "-O", "OpenFlow13", "del-flows", $"unix:{mgmt}");

    private static void Check(string mgmt, int expected)
    {
        string text = Run("ovs-ofctl", "-O", "OpenFlow13", "dump-aggregate", $"unix:{mgmt}");
        if (!text.Contains($"flow_count={expected}", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"expected {expected} flows on the bridge, got: {text.Trim()}");
        }
    }

    private static string Dump(string mgmt) =>
        string.Join('\n', Run("ovs-ofctl", "-O", "OpenFlow13", "dump-flows", "--no-stats", $"unix:{mgmt}").Split('\n').Order(StringComparer.Ordinal));

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToImmutableArray();
        return sorted[sorted.Length / 2];
    }

    private static string Run(params string[] args) => OvsSandbox.Run(args[0], string.Join(' ', args.Skip(1)));
}
