using Dvr.DvrFlows.Compiler;
using Dvr.DvrFlows.Controller;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Trace;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Messages.Multipart;
using Dvr.OpenFlow.Messages.Port;
using Dvr.OpenFlow.Text;

namespace Dvr.DvrFlows.Diagnostics;

/// <summary>
/// One live bridge read for tracing: its name (the LOCAL port's name), ports and all its flows, and the host it
/// belongs to ("" when no topology names hosts).
/// </summary>
public sealed record LiveBridgeSnapshot(string Target, string BridgeName, IReadOnlyList<PortDescription> Ports, IReadOnlyList<FlowStatsEntry> Flows)
{
    public string Host { get; init; } = string.Empty;

    /// <summary>Interface name → ofport of the switch's real ports (LOCAL and the other reserved ports left out).</summary>
    public IReadOnlyDictionary<string, uint> PortNumbers { get; } = Ports.Where(p => p.PortNumber < OfpPort.Max)
        .GroupBy(p => p.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().PortNumber, StringComparer.Ordinal);
}

/// <summary>
/// <c>dvrctl trace TARGET 'FLOW'</c>: <see cref="PacketTracer"/> run on the flows dumped from live bridges,
/// wired into a <see cref="TraceNetwork"/> exactly as the offline trace wires compiled bridges. With a
/// topology, each snapshot's host plan pairs patch ports, names tunnel ports' remote IPs and each host's
/// tunnel endpoint, so the packet follows tunnels into the peer hosts' bridges that were read; each matched
/// flow is shown with the owner and role of the desired flow it is. Without one, patch ports are paired by
/// Neutron's naming and tunnels end the path.
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
    /// Traces <paramref name="flowText"/> (ofproto/trace syntax) from the first snapshot; the others are the
    /// bridges it may reach. <paramref name="topology"/> (optional) names owners and roles, pairs patch ports
    /// and lets tunnels be followed; then every snapshot's <see cref="LiveBridgeSnapshot.Host"/> must be one of
    /// its hosts.
    /// </summary>
    /// <exception cref="DiagnosticsException">An unknown host, a flow that does not parse or lacks in_port.</exception>
    public static TraceResult Trace(IReadOnlyList<LiveBridgeSnapshot> snapshots, string flowText, Topology.Topology? topology)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        if (snapshots.Count == 0)
        {
            throw new ArgumentException("no bridge to trace in", nameof(snapshots));
        }

        var plans = new Dictionary<string, HostPlan>(StringComparer.Ordinal);
        if (topology is not null)
        {
            foreach (string host in snapshots.Select(s => s.Host).Distinct(StringComparer.Ordinal))
            {
                plans[host] = topology.Hosts.Any(h => h.Name == host)
                    ? HostPlan.Create(topology, host)
                    : throw new DiagnosticsException($"the topology has no host '{host}' (hosts: {string.Join(", ", topology.Hosts.Select(h => h.Name))})");
            }
        }

        var owners = CompileOwners(plans, snapshots);
        var bridges = snapshots.Select(s => new TraceBridge(s.Host, s.BridgeName, s.Flows.Select(f => ToTraceFlow(s, f, owners)), s.PortNumbers));
        var start = snapshots[0];
        try
        {
            return TraceNetwork.Wire(bridges, plans.Values).TraceAcrossTunnels(start.Host, start.BridgeName, flowText);
        }
        catch (Exception ex) when (ex is TextParseException or ArgumentException)
        {
            throw new DiagnosticsException($"trace flow '{flowText}': {ex.Message}", ex);
        }
    }

    /// <summary>The desired flows of every snapshot's host, compiled with the live port numbers, by host and key.</summary>
    private static Dictionary<(string Host, FlowKey Key), DesiredFlow>? CompileOwners(Dictionary<string, HostPlan> plans, IReadOnlyList<LiveBridgeSnapshot> snapshots)
    {
        if (plans.Count == 0)
        {
            return null;
        }

        var byKey = new Dictionary<(string Host, FlowKey Key), DesiredFlow>();
        foreach (var (host, plan) in plans)
        {
            var ports = HostPortMap.Empty;
            foreach (var snapshot in snapshots.Where(s => s.Host == host))
            {
                ports = ports.With(snapshot.BridgeName, snapshot.PortNumbers.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));
            }

            foreach (var flow in DvrFlowCompiler.Compile(plan, ports).AllFlows)
            {
                byKey.TryAdd((host, flow.Key), flow);
            }
        }

        return byKey;
    }

    private static TraceFlow ToTraceFlow(LiveBridgeSnapshot snapshot, FlowStatsEntry flow, Dictionary<(string Host, FlowKey Key), DesiredFlow>? owners)
    {
        if (owners is null)
        {
            return new TraceFlow(flow.TableId, flow.Priority, flow.Match, flow.Instructions, flow.Cookie);
        }

        if (owners.TryGetValue((snapshot.Host, new FlowKey(snapshot.BridgeName, flow.TableId, flow.Priority, flow.Match)), out var desired) && desired.Cookie == flow.Cookie)
        {
            return new TraceFlow(flow.TableId, flow.Priority, flow.Match, flow.Instructions, flow.Cookie, desired.Owner.ToString(), desired.Role);
        }

        return new TraceFlow(flow.TableId, flow.Priority, flow.Match, flow.Instructions, flow.Cookie, "-", $"not a desired Dvr flow (cookie 0x{flow.Cookie:x})");
    }
}
