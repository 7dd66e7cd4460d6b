using System.Buffers;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using Dvr.DvrFlows.Apply;
using Dvr.DvrFlows.Reconcile;
using Dvr.OpenFlow;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Connection;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Match;
using Dvr.OpenFlow.Messages.Flow;
using Dvr.OpenFlow.Messages.Switch;
using Dvr.OpenFlow.Wire;

namespace Dvr.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tools/Benchmarks -- controller-push [FLOWS] [ROUNDS]</c>: pushes FLOWS
/// flows into one OVS bridge (its own ovsdb-server + ovs-vswitchd, netdev, in a private netns) and times, to
/// the barrier reply: (1) Dvr's FlowApplier path (one ONF bundle: OPEN, ADD×N, validation barrier, COMMIT,
/// barrier); (a) the same FLOW_MOD bytes, pre-encoded, written straight to the socket, then one barrier; (b)
/// <c>ovs-ofctl --bundle add-flows</c> of the same flows. The bridge is emptied before each run. Prints the
/// median of each and the ratios, all measured in the same run.
/// </summary>
public static class ControllerPushBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        int flows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        string dir = $"/tmp/dvrb-{id}";
        string ns = $"dvrb{id}";
        Directory.CreateDirectory(dir);
        try
        {
            Run("ip", "netns", "add", ns);
            Run("ovsdb-tool", "create", $"{dir}/conf.db", "/usr/share/openvswitch/vswitch.ovsschema");
            Run("ip", "netns", "exec", ns, "ovsdb-server", $"{dir}/conf.db", $"--remote=punix:{dir}/db.sock", $"--pidfile={dir}/ovsdb-server.pid",
                $"--unixctl={dir}/ovsdb-server.ctl", "-vconsole:off", $"--log-file={dir}/ovsdb-server.log", "--detach", "--no-chdir");
            Run("ovs-vsctl", $"--db=unix:{dir}/db.sock", "--no-wait", "init");
            Run("env", $"OVS_RUNDIR={dir}", "ip", "netns", "exec", ns, "ovs-vswitchd", $"unix:{dir}/db.sock", $"--pidfile={dir}/ovs-vswitchd.pid",
                $"--unixctl={dir}/ovs-vswitchd.ctl", "-vconsole:off", $"--log-file={dir}/ovs-vswitchd.log", "--detach", "--no-chdir");
            Run("ovs-vsctl", $"--db=unix:{dir}/db.sock", "add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev", "fail_mode=secure", "protocols=OpenFlow13");
            string mgmt = $"{dir}/br0.mgmt";

            var entries = Flows(flows);
            string flowFile = $"{dir}/flows.txt";
            File.WriteAllLines(flowFile, Enumerable.Range(0, flows).Select(i => $"table=0,priority=100,cookie=0x4456520000000000,dl_dst={new MacAddress(0x020000000000UL + (ulong)i)},actions=output:2"));
            var options = OpenFlowChannelOptions.Default with { RequestTimeout = TimeSpan.FromMinutes(10), WriteTimeout = TimeSpan.FromMinutes(5) };

            var dvr = new List<double>();
            var raw = new List<double>();
            var ofctl = new List<double>();
            for (int round = 0; round < rounds; round++)
            {
                Clear(mgmt);
                dvr.Add(await TimeDvrAsync(mgmt, entries, options));
                Check(mgmt, flows);
                Clear(mgmt);
                raw.Add(await TimeRawAsync(mgmt, entries, options));
                Check(mgmt, flows);
                Clear(mgmt);
                var clock = Stopwatch.StartNew();
                Run("ovs-ofctl", "-O", "OpenFlow13", "--bundle", "add-flows", $"unix:{mgmt}", flowFile);
                ofctl.Add(clock.Elapsed.TotalSeconds);
                Check(mgmt, flows);
            }

            double d = Median(dvr), r = Median(raw), o = Median(ofctl);
            Console.WriteLine($"flows={flows} rounds={rounds} (median seconds, to the barrier reply)");
            Console.WriteLine($"dvr bundle apply       {d:0.000} s  ({flows / d:0} flows/s)");
            Console.WriteLine($"(a) raw pre-encoded    {r:0.000} s  ({flows / r:0} flows/s)");
            Console.WriteLine($"(b) ovs-ofctl --bundle {o:0.000} s  ({flows / o:0} flows/s)");
            Console.WriteLine($"ratio dvr/raw = {d / r:0.00}, dvr/ovs-ofctl = {d / o:0.00}");
            return 0;
        }
        finally
        {
            foreach (var daemon in new[] { "ovs-vswitchd", "ovsdb-server" })
            {
                string pidFile = $"{dir}/{daemon}.pid";
                if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture, out int pid)
                    && File.ReadAllText($"/proc/{pid}/cmdline").Contains(pidFile, StringComparison.Ordinal))
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill();
                    process.WaitForExit(5000);
                }
            }

            Run("ip", "netns", "del", ns);
            Directory.Delete(dir, recursive: true);
        }
    }

    private static List<FlowEntry> Flows(int count)
    {
        var output = new InstructionList(new ApplyActionsInstruction(new ActionList(new OutputAction(2))));
        var list = new List<FlowEntry>(count);
        for (int i = 0; i < count; i++)
        {
            list.Add(new FlowEntry(0, 100, new MatchBuilder().EthDst(new MacAddress(0x020000000000UL + (ulong)i)).Build(), 0x4456520000000000UL, output));
        }

        return list;
    }

    private static async Task<double> TimeDvrAsync(string mgmt, List<FlowEntry> entries, OpenFlowChannelOptions options)
    {
        await using var channel = await ConnectAsync(mgmt, options);
        var sw = await OpenFlowSwitch.HandshakeAsync(channel);
        var diff = new FlowDiff([], [], [.. entries]);
        var clock = Stopwatch.StartNew();
        await sw.ApplyAsync(diff, CancellationToken.None);
        return clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> TimeRawAsync(string mgmt, List<FlowEntry> entries, OpenFlowChannelOptions options)
    {
        await using var channel = await ConnectAsync(mgmt, options);
        await OpenFlowSwitch.HandshakeAsync(channel);
        var bytes = new ArrayBufferWriter<byte>();
        uint xid = channel.NextXid((uint)entries.Count + 1);
        foreach (var flow in entries)
        {
            (flow.ToFlowMod(FlowModCommand.Add) with { Xid = xid++ }).Encode(bytes);
        }

        new BarrierRequest { Xid = xid }.Encode(bytes);
        var encoded = bytes.WrittenMemory;
        var clock = Stopwatch.StartNew();
        var reply = channel.ExpectReply(xid, OfpType.BarrierRequest);
        await channel.SendEncodedAsync(encoded);
        await reply.WaitAsync(options.RequestTimeout);
        return clock.Elapsed.TotalSeconds;
    }

    private static async Task<OpenFlowChannel> ConnectAsync(string mgmt, OpenFlowChannelOptions options)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(mgmt));
        var channel = SocketTransport.CreateChannel(socket, $"unix:{mgmt}", options, null);
        channel.Start();
        return channel;
    }

    private static void Clear(string mgmt) => Run("ovs-ofctl", "-O", "OpenFlow13", "del-flows", $"unix:{mgmt}");

    private static void Check(string mgmt, int expected)
    {
        string text = Run("ovs-ofctl", "-O", "OpenFlow13", "dump-aggregate", $"unix:{mgmt}");
        if (!text.Contains($"flow_count={expected}", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"expected {expected} flows on the bridge, got: {text.Trim()}");
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToImmutableArray();
        return sorted[sorted.Length / 2];
    }

    private static string Run(params string[] args)
    {
        var start = new ProcessStartInfo(args[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', args)} exited {process.ExitCode}: {stderr}");
        }

        return stdout.Result;
    }
}
