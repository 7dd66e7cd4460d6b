using System.CommandLine;
using Dvr.DvrFlows.Compiler;
using Dvr.DvrFlows.Diagnostics;
using Dvr.DvrFlows.Topology;
using Dvr.DvrFlows.Trace;
using Dvr.OpenFlow.Text;

namespace Dvr.Cli.Commands;

/// <summary>
/// <c>dvrctl trace</c> in both forms. The first argument decides: <c>unix:…</c> or <c>tcp:…</c> is a live
/// switch (trace the flows dumped from it, following patch ports into <c>--peer BRIDGE=TARGET</c> bridges;
/// owners shown with <c>--topology T --host H</c>); anything else is a topology file and runs the offline
/// trace of <see cref="TraceCommand"/> (<c>--host</c> and <c>--bridge</c> required).
/// </summary>
public static class LiveTraceCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("TOPOLOGY-OR-TARGET") { Description = "A topology YAML file (offline), or a live switch: unix:PATH or tcp:IP:PORT." };
        var flow = new Argument<string>("FLOW") { Description = "The packet, in ofproto/trace syntax (in_port is required)." };
        var host = new Option<string?>("--host") { Description = "Host where the packet enters (offline: required; live: names owners with --topology)." };
        var bridge = new Option<string?>("--bridge") { Description = "Offline: bridge where the packet enters (br-int, br-tun, br-ex...)." };
        var toHost = new Option<string?>("--to-host") { Description = "Offline: follow tunnel output into this host's br-tun." };
        var topology = new Option<string?>("--topology") { Description = "Live: topology file, to show each matched flow's owner and role (with --host)." };
        var peers = new Option<string[]>("--peer") { Description = "Live: a peer bridge, BRIDGE=TARGET (repeatable); patch ports into it are followed.", AllowMultipleArgumentsPerToken = false };
        var format = DumpCommands.FormatOption();
        var command = new Command(
            "trace",
            """
            Trace a packet through Dvr's flows, printing each table hop as 'ovs-appctl ofproto/trace' does plus the
            owner and role of the flow that matched. NORMAL and learn are reported, not simulated.

            Offline (first argument is a topology file): the flows Dvr compiles for --host/--bridge.
              dvrctl trace samples/worked-example.yaml --host cn1 --bridge br-tun 'in_port=patch-int,...' [--to-host cn2]
            Live (first argument is unix:PATH or tcp:IP:PORT): the flows dumped from that switch.
              dvrctl trace unix:/run/openvswitch/br-int.mgmt 'in_port=qvovm1,icmp,...' \
                --peer br-tun=unix:/run/openvswitch/br-tun.mgmt --topology topo.yaml --host cn1
            """)
        {
            source, flow, host, bridge, toHost, topology, peers, format,
        };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            string first = parse.GetRequiredValue(source);
            if (!IsLiveTarget(first))
            {
                string? hostName = parse.GetValue(host);
                string? bridgeName = parse.GetValue(bridge);
                if (hostName is null || bridgeName is null)
                {
                    error.WriteLine($"dvrctl trace: '{first}' is not unix:PATH or tcp:IP:PORT, so it is read as a topology file; the offline trace needs --host and --bridge");
                    return 2;
                }

                return TraceCommand.Run(first, hostName, bridgeName, parse.GetRequiredValue(flow), parse.GetValue(toHost), output, error);
            }

            return DumpCommands.Run("trace", output, error, async token =>
            {
                var result = await RunLiveAsync(first, parse.GetValue(peers) ?? [], parse.GetRequiredValue(flow), parse.GetValue(topology), parse.GetValue(host), token).ConfigureAwait(false);
                return (DumpCommands.ParseFormat(parse.GetRequiredValue(format)) == DumpFormat.Json ? Json(result) : Text(result), 0);
            });
        });
        return command;
    }

    /// <summary>A live switch target (the trace form is decided by this).</summary>
    public static bool IsLiveTarget(string text) =>
        text.StartsWith("unix:", StringComparison.Ordinal) || text.StartsWith("tcp:", StringComparison.Ordinal);

    /// <summary>Connects to the target and its peers, reads them and traces.</summary>
    public static async Task<TraceResult> RunLiveAsync(string target, IReadOnlyList<string> peers, string flow, string? topologyPath, string? host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peers);
        HostPlan? plan = null;
        if (topologyPath is not null || host is not null)
        {
            if (topologyPath is null || host is null)
            {
                throw new DiagnosticsException("--topology and --host go together (they name the owners of live flows)");
            }

            plan = LoadPlan(topologyPath, host);
        }

        var snapshots = new List<LiveBridgeSnapshot>();
        foreach (string peerTarget in (IEnumerable<string>)[target, .. peers.Select(PeerTarget)])
        {
            await using var live = await LiveSwitch.ConnectAsync(peerTarget, cancellationToken).ConfigureAwait(false);
            snapshots.Add(await LiveTrace.ReadAsync(live, cancellationToken).ConfigureAwait(false));
        }

        foreach (string peer in peers)
        {
            string expected = peer[..peer.IndexOf('=', StringComparison.Ordinal)];
            if (!snapshots.Any(s => s.BridgeName == expected))
            {
                throw new DiagnosticsException($"--peer {peer}: that switch is bridge '{snapshots.First(s => s.Target == PeerTarget(peer)).BridgeName}', not '{expected}'");
            }
        }

        return LiveTrace.Trace(snapshots, flow, plan);
    }

    private static string PeerTarget(string peer)
    {
        int eq = peer.IndexOf('=', StringComparison.Ordinal);
        return eq > 0 && IsLiveTarget(peer[(eq + 1)..])
            ? peer[(eq + 1)..]
            : throw new DiagnosticsException($"--peer '{peer}': expected BRIDGE=unix:PATH or BRIDGE=tcp:IP:PORT");
    }

    private static HostPlan LoadPlan(string path, string host)
    {
        try
        {
            var topology = TopologyLoader.Load(path);
            return topology.Hosts.Any(h => h.Name == host)
                ? HostPlan.Create(topology, host)
                : throw new DiagnosticsException($"topology {path} has no host '{host}'");
        }
        catch (TopologyValidationException ex)
        {
            throw new DiagnosticsException($"topology {path} is invalid: {string.Join("; ", ex.Errors)}", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DiagnosticsException($"cannot read topology '{path}': {ex.Message}", ex);
        }
    }

    private static string Text(TraceResult result)
    {
        var text = new System.Text.StringBuilder(result.Text);
        text.Append('\n').Append(result.Outputs.Count == 0 ? "Result: dropped" : "Result:").Append('\n');
        foreach (var exit in result.Outputs)
        {
            text.Append("  ").Append(exit.Outcome.ToString().ToLowerInvariant()).Append(" on ").Append(exit.Bridge).Append(' ').Append(exit.Detail)
                .Append(": ").Append(exit.Packet.Describe(PortNames.None)).Append('\n');
        }

        return text.ToString();
    }

    private static string Json(TraceResult result) => SwitchDumps.Json(w =>
    {
        w.WriteStartObject();
        w.WritePropertyName("hops");
        w.WriteStartArray();
        foreach (var hop in result.Hops)
        {
            w.WriteStartObject();
            w.WriteString("bridge", hop.Bridge);
            w.WriteNumber("table", hop.TableId);
            if (hop.Flow is { } matched)
            {
                w.WriteNumber("priority", matched.Priority);
                w.WriteString("cookie", $"0x{matched.Cookie:x}");
                w.WriteString("owner", matched.Owner);
                w.WriteString("role", matched.Role);
            }
            else
            {
                w.WriteNull("priority");
            }

            w.WritePropertyName("actions");
            w.WriteStartArray();
            foreach (string action in hop.Actions)
            {
                w.WriteStringValue(action);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WritePropertyName("outputs");
        w.WriteStartArray();
        foreach (var exit in result.Outputs)
        {
            w.WriteStartObject();
            w.WriteString("outcome", exit.Outcome.ToString().ToLowerInvariant());
            w.WriteString("bridge", exit.Bridge);
            w.WriteNumber("port", exit.Port);
            w.WriteString("port_name", exit.PortName);
            w.WriteString("detail", exit.Detail);
            w.WriteString("packet", exit.Packet.Describe(PortNames.None));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });
}
