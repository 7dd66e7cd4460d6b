using Dvr.DvrFlows.Compiler;
using Dvr.DvrFlows.Controller;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Trace;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Match;
using Dvr.OpenFlow.Messages.Multipart;
using Dvr.OpenFlow.Messages.Port;
using Dvr.OpenFlow.Text;

namespace Dvr.DvrFlows.Diagnostics;

/// <summary>One live bridge read for tracing: its name (the LOCAL port's name), ports and all its flows.</summary>
public sealed record LiveBridgeSnapshot(string Target, string BridgeName, IReadOnlyList<PortDescription> Ports, IReadOnlyList<FlowStatsEntry> Flows);

/// <summary>
/// <c>dvrctl trace TARGET 'FLOW'</c>: <see cref="PacketTracer"/> run on the flows dumped from live bridges.
/// Patch ports are followed into the peer bridges given with <c>--peer BRIDGE=TARGET</c>; the pairing comes
/// from the topology when one is given (patch-int ↔ patch-tun, int-br-X ↔ phy-br-X as HostPlan implies
/// them), otherwise from Neutron's naming convention. With a topology and host, each matched flow is shown
/// with the owner and role of the desired flow it corresponds to.
/// </summary>
public static class LiveTrace
{
    /// <summary>Reads ports and every flow (all tables, all cookies) of a connected bridge.</summary>
    public static async Task<LiveBridgeSnapshot> ReadAsync(LiveSwitch live, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(live);
        var (_, ports) = await live.PortDescAsync(cancellationToken).ConfigureAwait(false);
        var (_, flows) = await live.DumpFlowsAsync(new FlowStatsRequest(), cancellationToken).ConfigureAwait(false);
        string name = ports.FirstOrDefault(p => p.PortNumber == OfpPort.Local)?.Name
            ?? throw new DiagnosticsException($"{live.Target}: the switch reports no LOCAL port, so its bridge name is unknown");
        return new LiveBridgeSnapshot(live.Target, name, ports, flows);
    }

    /// <summary>
    /// Traces <paramref name="flowText"/> (ofproto/trace syntax) from the first snapshot; the others are its
    /// peers. <paramref name="plan"/> (optional) names owners and roles and pairs patch ports.
    /// </summary>
    /// <exception cref="DiagnosticsException">The flow does not parse or lacks in_port.</exception>
    public static TraceResult Trace(IReadOnlyList<LiveBridgeSnapshot> snapshots, string flowText, HostPlan? plan)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        var owners = plan is null ? null : CompileOwners(plan, snapshots);
        string host = plan?.Host.Name ?? string.Empty;
        var bridges = snapshots.ToDictionary(
            s => s.BridgeName,
            s => new TraceBridge(
                host,
                s.BridgeName,
                s.Flows.Select(f => ToTraceFlow(s.BridgeName, f, owners)),
                s.Ports.Where(p => p.PortNumber < OfpPort.Max).GroupBy(p => p.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().PortNumber, StringComparer.Ordinal)),
            StringComparer.Ordinal);
        LinkPatchPorts(bridges, plan);
        var start = bridges[snapshots[0].BridgeName];
        try
        {
            var packet = PacketFields.FromMatch(MatchText.Parse(FlowTextPairs.Split(flowText), start.Names));
            if (packet[OxmFields.InPort] is null)
            {
                throw new DiagnosticsException($"trace flow '{flowText}': in_port is required (e.g. in_port=patch-int,...)");
            }

            return PacketTracer.Run(start, packet);
        }
        catch (TextParseException ex)
        {
            throw new DiagnosticsException($"trace flow '{flowText}': {ex.Message}", ex);
        }
    }

    /// <summary>The desired flows of every snapshot bridge, compiled with the live port numbers, by key.</summary>
    private static Dictionary<FlowKey, DesiredFlow> CompileOwners(HostPlan plan, IReadOnlyList<LiveBridgeSnapshot> snapshots)
    {
        var ports = HostPortMap.Empty;
        foreach (var snapshot in snapshots)
        {
            ports = ports.With(snapshot.BridgeName, snapshot.Ports.Where(p => p.PortNumber < OfpPort.Max)
                .GroupBy(p => p.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().PortNumber, StringComparer.Ordinal));
        }

        var compiled = DvrFlowCompiler.Compile(plan, ports);
        var byKey = new Dictionary<FlowKey, DesiredFlow>();
        foreach (var flow in compiled.AllFlows)
        {
            byKey.TryAdd(flow.Key, flow);
        }

        return byKey;
    }

    private static TraceFlow ToTraceFlow(string bridge, FlowStatsEntry flow, Dictionary<FlowKey, DesiredFlow>? owners)
    {
        if (owners is not null && owners.TryGetValue(new FlowKey(bridge, flow.TableId, flow.Priority, flow.Match), out var desired) && desired.Cookie == flow.Cookie)
        {
            return new TraceFlow(flow.TableId, flow.Priority, flow.Match, flow.Instructions, flow.Cookie, desired.Owner.ToString(), desired.Role);
        }

        string? note = owners is null ? null : desiredNote(flow);
        return new TraceFlow(flow.TableId, flow.Priority, flow.Match, flow.Instructions, flow.Cookie, note is null ? null : "-", note);

        static string desiredNote(FlowStatsEntry flow) => $"not a desired Dvr flow (cookie 0x{flow.Cookie:x})";
    }

    private static void LinkPatchPorts(Dictionary<string, TraceBridge> bridges, HostPlan? plan)
    {
        foreach (var bridge in bridges.Values)
        {
            foreach (var (portName, port) in bridge.Ports)
            {
                string? peerName = plan?.Interfaces.FirstOrDefault(i => i.BridgeName == bridge.Name && i.Name == portName && i.Kind == InterfaceKind.Patch)?.Peer
                    ?? ConventionalPeer(portName);
                if (peerName is null)
                {
                    continue;
                }

                var peer = bridges.Values.FirstOrDefault(b => b != bridge && b.Ports.ContainsKey(peerName));
                if (peer is not null)
                {
                    bridge.Link(port, new PatchLink(peer, peer.Ports[peerName]));
                }
            }
        }
    }

    /// <summary>Neutron's patch names: patch-int ↔ patch-tun, int-br-X ↔ phy-br-X.</summary>
    private static string? ConventionalPeer(string port) => port switch
    {
        "patch-int" => "patch-tun",
        "patch-tun" => "patch-int",
        _ when port.StartsWith("int-", StringComparison.Ordinal) => "phy-" + port[4..],
        _ when port.StartsWith("phy-", StringComparison.Ordinal) => "int-" + port[4..],
        _ => null,
    };
}
