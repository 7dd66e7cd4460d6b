using System.Net;
using Dvr.DvrFlows.Compiler;
using Dvr.OpenFlow.Text;

namespace Dvr.DvrFlows.Trace;

/// <summary>
/// The compiled bridges of every host of a topology, wired as the testbed wires them: patch pairs inside a
/// host (patch-tun ↔ patch-int, int-br-X ↔ phy-br-X) and tunnel ports to each peer's tunnel IP. Port
/// numbers come from the given port maps (the synthetic map offline, a switch's real numbers live).
/// </summary>
public sealed class TraceNetwork
{
    private readonly Dictionary<(string Host, string Bridge), TraceBridge> _bridges = [];
    private readonly Dictionary<IPAddress, (string Host, string TunnelBridge)> _tunnelEndpoints = [];

    private TraceNetwork()
    {
    }

    /// <summary>Compiles every host with <paramref name="portMaps"/> (default: the synthetic map) and wires them.</summary>
    public static TraceNetwork Build(Topology.Topology topology, Func<HostPlan, IPortMap>? portMaps = null)
    {
        var network = new TraceNetwork();
        var plans = topology.Hosts.Select(h => HostPlan.Create(topology, h.Name)).ToList();
        foreach (var plan in plans)
        {
            var ports = portMaps?.Invoke(plan) ?? SyntheticPortMap.For(plan);
            var compiled = DvrFlowCompiler.Compile(plan, ports);
            foreach (var set in compiled.InPipelineOrder())
            {
                var portNumbers = new Dictionary<string, uint>(StringComparer.Ordinal);
                foreach (var implied in plan.Interfaces.Where(i => i.BridgeName == set.BridgeName))
                {
                    if (ports.TryGetOfPort(set.BridgeName, implied.Name, out uint number))
                    {
                        portNumbers[implied.Name] = number;
                    }
                }

                var flows = set.Flows.Select(f => new TraceFlow(f.TableId, f.Priority, f.Match, f.Instructions, f.Cookie, f.Owner.ToString(), f.Role));
                network._bridges[(plan.Host.Name, set.BridgeName)] = new TraceBridge(plan.Host.Name, set.BridgeName, flows, portNumbers);
            }

            network._tunnelEndpoints[plan.Host.TunnelIp] = (plan.Host.Name, plan.Host.Tunnel.Name);
        }

        foreach (var plan in plans)
        {
            foreach (var implied in plan.Interfaces)
            {
                var bridge = network._bridges[(plan.Host.Name, implied.BridgeName)];
                if (!bridge.Ports.TryGetValue(implied.Name, out uint port))
                {
                    continue;
                }

                if (implied.Kind == InterfaceKind.Patch && implied.Peer is { } peerName)
                {
                    var peer = network._bridges
                        .Where(b => b.Key.Host == plan.Host.Name && b.Value.Ports.ContainsKey(peerName))
                        .Select(b => b.Value)
                        .FirstOrDefault();
                    if (peer is not null)
                    {
                        bridge.Link(port, new PatchLink(peer, peer.Ports[peerName]));
                    }
                }
                else if (implied.Kind == InterfaceKind.Tunnel && implied.RemoteIp is { } remote)
                {
                    bridge.Link(port, new TunnelLink(plan.Host.TunnelIp, remote));
                }
            }
        }

        return network;
    }

    public IEnumerable<TraceBridge> Bridges => _bridges.Values;

    /// <summary>The bridge <paramref name="bridgeName"/> of <paramref name="host"/>; a clear error naming what exists otherwise.</summary>
    public TraceBridge Bridge(string host, string bridgeName)
    {
        if (_bridges.TryGetValue((host, bridgeName), out var bridge))
        {
            return bridge;
        }

        var hostBridges = _bridges.Keys.Where(k => k.Host == host).Select(k => k.Bridge).Order(StringComparer.Ordinal).ToList();
        throw new ArgumentException(hostBridges.Count == 0
            ? $"no host named '{host}' (hosts: {string.Join(", ", _bridges.Keys.Select(k => k.Host).Distinct().Order(StringComparer.Ordinal))})"
            : $"host '{host}' has no bridge '{bridgeName}' (bridges: {string.Join(", ", hostBridges)})");
    }

    /// <summary>
    /// Traces <paramref name="flowText"/> (ofproto/trace syntax: <c>in_port=qvovm1,icmp,dl_src=...</c>) from
    /// <paramref name="bridgeName"/> of <paramref name="host"/>. Tunnels are followed into
    /// <paramref name="followToHost"/> (its tunnel bridge, then on through patch ports); other tunnel
    /// outputs end the path.
    /// </summary>
    public TraceResult Trace(string host, string bridgeName, string flowText, string? followToHost = null)
    {
        var start = Bridge(host, bridgeName);
        if (followToHost is not null && !_bridges.Keys.Any(k => k.Host == followToHost))
        {
            throw new ArgumentException($"--to-host: no host named '{followToHost}'");
        }

        var packet = PacketFields.FromMatch(MatchText.Parse(FlowTextPairs.Split(flowText), start.Names));
        if (packet[Dvr.OpenFlow.Match.OxmFields.InPort] is null)
        {
            throw new ArgumentException("the flow must give in_port (e.g. in_port=patch-int,...)");
        }

        return PacketTracer.Run(start, packet, remoteIp =>
            _tunnelEndpoints.TryGetValue(remoteIp, out var endpoint) && endpoint.Host == followToHost
                ? _bridges[(endpoint.Host, endpoint.TunnelBridge)]
                : null);
    }
}
