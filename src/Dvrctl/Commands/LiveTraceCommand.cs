using System.CommandLine;
using Dvr.DvrFlows.Diagnostics;
using Dvr.DvrFlows.Topology;
using Dvr.DvrFlows.Trace;
using Dvr.OpenFlow.Connection;
using Dvr.OpenFlow.Text;

namespace Dvr.Cli.Commands;

/// <summary>
/// <c>dvrctl trace</c> in both forms. The first argument decides: <c>unix:…</c>, <c>tcp:…</c> or <c>ssl:…</c> is a live
/// switch (trace the flows dumped from it, following patch ports into <c>--peer BRIDGE=TARGET</c> bridges;
/// owners shown with <c>--topology T --host H</c>); anything else is a topology file and runs the offline
/// trace of <see cref="TraceCommand"/> (<c>--host</c> and <c>--bridge</c> required).
/// </summary>
public static class LiveTraceCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("TOPOLOGY-OR-TARGET") { Description = "A topology YAML file (offline), or a live switch: unix:PATH, tcp:IP:PORT or ssl:IP:PORT." };
        var flow = new Argument<string>("FLOW") { Description = "The packet, in ofproto/trace syntax (in_port is required)." };
        var host = new Option<string?>("--host") { Description = "Host where the packet enters (offline: required; live: the TARGET's host, with --topology)." };
        var bridge = new Option<string?>("--bridge") { Description = "Offline: bridge where the packet enters (br-int, br-tun, br-ex...)." };
        var toHost = new Option<string?>("--to-host") { Description = "Offline: follow tunnel output into this host's br-tun." };
        var topology = new Option<string?>("--topology") { Description = "Live: topology file (with --host): each matched flow's owner and role, patch pairs, and where tunnels lead." };
        var peers = new Option<string[]>("--peer")
        {
            Description = "Live: another bridge the packet may reach, [HOST:]BRIDGE=TARGET (repeatable). Patch ports into a bridge of the same host are followed; "
                + "tunnels into HOST's bridges are followed with --topology and --host (HOST defaults to --host).",
            AllowMultipleArgumentsPerToken = false,
        };
        var format = DumpCommands.FormatOption();
        var tlsFiles = TlsFileOptions.Create("the switches");
        var command = new Command(
            "trace",
            """
            Trace a packet through Dvr's flows, printing each table hop as 'ovs-appctl ofproto/trace' does plus the
            owner and role of the flow that matched. NORMAL and learn are reported, not simulated.

            Offline (first argument is a topology file): the flows Dvr compiles for --host/--bridge.
              dvrctl trace samples/worked-example.yaml --host cn1 --bridge br-tun 'in_port=patch-int,...' [--to-host cn2]
            Live (first argument is unix:PATH, tcp:IP:PORT, or ssl:IP:PORT with -p/-c/-C): the flows dumped from that switch and its peers,
            following patch ports and, with --topology, tunnels into other hosts' bridges given as HOST:BRIDGE.
              dvrctl trace unix:/run/openvswitch/br-tun.mgmt 'in_port=patch-int,icmp,dl_vlan=2,...' \
                --topology topo.yaml --host cn1 --peer br-int=unix:/run/openvswitch/br-int.mgmt \
                --peer cn2:br-tun=tcp:192.0.2.12:6634 --peer cn2:br-int=tcp:192.0.2.12:6635
            """)
        {
            source, flow, host, bridge, toHost, topology, peers, format,
        };
        tlsFiles.AddTo(command);
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
                    error.WriteLine($"dvrctl trace: '{first}' is not unix:PATH, tcp:IP:PORT or ssl:IP:PORT, so it is read as a topology file; the offline trace needs --host and --bridge");
                    return 2;
                }

                return TraceCommand.Run(first, hostName, bridgeName, parse.GetRequiredValue(flow), parse.GetValue(toHost), output, error);
            }

            return DumpCommands.Run("trace", output, error, async token =>
            {
                string[] peerList = parse.GetValue(peers) ?? [];
                var tls = tlsFiles.LoadFor(parse, [first, .. peerList.Select(p => p[(p.IndexOf('=', StringComparison.Ordinal) + 1)..])]);
                var result = await RunLiveAsync(first, peerList, parse.GetRequiredValue(flow), parse.GetValue(topology), parse.GetValue(host), token, tls).ConfigureAwait(false);
                return (DumpCommands.ParseFormat(parse.GetRequiredValue(format)) == DumpFormat.Json ? Json(result) : Text(result), 0);
            });
        });
        return command;
    }

    /// <summary>A live switch target (the trace form is decided by this).</summary>
    public static bool IsLiveTarget(string text) =>
        text.StartsWith("unix:", StringComparison.Ordinal) || text.StartsWith("tcp:", StringComparison.Ordinal) || text.StartsWith("ssl:", StringComparison.Ordinal);

    /// <summary>
    /// Connects to the target and its peers, reads them and traces. <paramref name="peers"/> are
    /// <c>[HOST:]BRIDGE=TARGET</c>; a peer without HOST is on <paramref name="host"/> (the target's host).
    /// </summary>
    public static async Task<TraceResult> RunLiveAsync(string target, IReadOnlyList<string> peers, string flow, string? topologyPath, string? host, CancellationToken cancellationToken, OpenFlowTlsOptions? tls = null)
    {
        ArgumentNullException.ThrowIfNull(peers);
        Topology? topology = null;
        if (topologyPath is not null || host is not null)
        {
            if (topologyPath is null || host is null)
            {
                throw new DiagnosticsException("--topology and --host go together (they name the owners of live flows and where tunnels lead)");
            }

            topology = DiagnosticsTopology.Load(topologyPath);
        }

        var bridges = new List<(string Host, string? Bridge, string Target, string Given)> { (host ?? string.Empty, null, target, target) };
        foreach (string peer in peers)
        {
            var parsed = ParsePeer(peer);
            if (parsed.Host is not null && topology is null)
            {
                throw new DiagnosticsException($"--peer {peer}: a peer on another host needs --topology and --host (the topology says which host owns which tunnel IP)");
            }

            bridges.Add((parsed.Host ?? host ?? string.Empty, parsed.Bridge, parsed.Target, peer));
        }

        var snapshots = new List<LiveBridgeSnapshot>();
        foreach (var (bridgeHost, expected, bridgeTarget, given) in bridges)
        {
            await using var live = await LiveSwitch.ConnectAsync(bridgeTarget, tls, cancellationToken).ConfigureAwait(false);
            var snapshot = await LiveTrace.ReadAsync(live, cancellationToken).ConfigureAwait(false) with { Host = bridgeHost };
            if (expected is not null && snapshot.BridgeName != expected)
            {
                throw new DiagnosticsException($"--peer {given}: that switch is bridge '{snapshot.BridgeName}', not '{expected}'");
            }

            snapshots.Add(snapshot);
        }

        return LiveTrace.Trace(snapshots, flow, topology);
    }

    /// <summary><c>[HOST:]BRIDGE=TARGET</c>, TARGET being unix:PATH, tcp:IP:PORT or ssl:IP:PORT.</summary>
    private static (string? Host, string Bridge, string Target) ParsePeer(string peer)
    {
        int eq = peer.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || !IsLiveTarget(peer[(eq + 1)..]))
        {
            throw new DiagnosticsException($"--peer '{peer}': expected [HOST:]BRIDGE=unix:PATH, [HOST:]BRIDGE=tcp:IP:PORT or [HOST:]BRIDGE=ssl:IP:PORT");
        }

        string name = peer[..eq];
        int colon = name.IndexOf(':', StringComparison.Ordinal);
        if (colon == 0 || colon == name.Length - 1)
        {
            throw new DiagnosticsException($"--peer '{peer}': HOST:BRIDGE needs both names");
        }

        return colon < 0 ? (null, name, peer[(eq + 1)..]) : (name[..colon], name[(colon + 1)..], peer[(eq + 1)..]);
    }

    private static string Text(TraceResult result)
    {
        var text = new System.Text.StringBuilder(result.Text);
        text.Append('\n').Append(result.Outputs.Count == 0 ? "Result: dropped" : "Result:").Append('\n');
        foreach (var exit in result.Outputs)
        {
            text.Append("  ").Append(exit.Outcome.ToString().ToLowerInvariant()).Append(" on ")
                .Append(exit.Host.Length > 0 ? exit.Host + " " : string.Empty).Append(exit.Bridge).Append(' ').Append(exit.Detail)
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
            w.WriteString("host", hop.Host);
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
            w.WriteString("host", exit.Host);
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
