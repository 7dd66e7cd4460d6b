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
        ArgumentNullException.ThrowIfNull(topology);
        var plans = topology.Hosts.Select(h => HostPlan.Create(topology, h.Name)).ToList();
        var bridges = new List<TraceBridge>();
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
                bridges.Add(new TraceBridge(plan.Host.Name, set.BridgeName, flows, portNumbers));
            }
        }

        return Wire(bridges, plans);
    }

    /// <summary>
    /// Wires bridges read elsewhere (a live switch's flows and port numbers) as <see cref="Build"/> wires
    /// compiled ones: each host's plan says which ports are patch pairs and which are tunnels to which remote
    /// IP, and where each host's tunnel endpoint is. A bridge whose host has no plan (no topology given) gets
    /// its patch ports paired by Neutron's naming (patch-int ↔ patch-tun, int-br-X ↔ phy-br-X) and its
    /// tunnels left unfollowed, since nothing says which host owns which tunnel IP.
    /// </summary>
    public static TraceNetwork Wire(IEnumerable<TraceBridge> bridges, IEnumerable<HostPlan> plans)
    {
        ArgumentNullException.ThrowIfNull(bridges);
        ArgumentNullException.ThrowIfNull(plans);
        var network = new TraceNetwork();
        foreach (var bridge in bridges)
        {
            if (!network._bridges.TryAdd((bridge.Host, bridge.Name), bridge))
            {
                throw new ArgumentException($"bridge {bridge.Name} of host '{bridge.Host}' is given twice");
            }
        }

        var planOf = plans.ToDictionary(p => p.Host.Name, StringComparer.Ordinal);
        foreach (var plan in planOf.Values)
        {
            network._tunnelEndpoints[plan.Host.TunnelIp] = (plan.Host.Name, plan.Host.Tunnel.Name);
        }

        foreach (var bridge in network._bridges.Values)
        {
            planOf.TryGetValue(bridge.Host, out var plan);
            foreach (var (portName, port) in bridge.Ports)
            {
                var implied = plan?.Interfaces.FirstOrDefault(i => i.BridgeName == bridge.Name && i.Name == portName);
                if (implied is { Kind: InterfaceKind.Tunnel, RemoteIp: { } remote })
                {
                    bridge.Link(port, new TunnelLink(plan!.Host.TunnelIp, remote));
                    continue;
                }

                string? peerName = implied is { Kind: InterfaceKind.Patch } ? implied.Peer : plan is null ? ConventionalPeer(portName) : null;
                var peer = peerName is null
                    ? null
                    : network._bridges.Values.FirstOrDefault(b => b != bridge && b.Host == bridge.Host && b.Ports.ContainsKey(peerName));
                if (peer is not null)
                {
                    bridge.Link(port, new PatchLink(peer, peer.Ports[peerName!]));
                }
            }
        }

        return network;
    }

    /// <summary>Neutron's patch port names: patch-int ↔ patch-tun, int-br-X ↔ phy-br-X.</summary>
    public static string? ConventionalPeer(string port)
    {
        ArgumentNullException.ThrowIfNull(port);
        return port switch
        {
            "patch-int" => "patch-tun",
            "patch-tun" => "patch-int",
            _ when port.StartsWith("int-", StringComparison.Ordinal) => "phy-" + port[4..],
            _ when port.StartsWith("phy-", StringComparison.Ordinal) => "int-" + port[4..],
            _ => null,
        };
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
        if (followToHost is not null && !_bridges.Keys.Any(k => k.Host == followToHost))
        {
            throw new ArgumentException($"--to-host: no host named '{followToHost}'");
        }

        return Trace(host, bridgeName, flowText, remoteHost => remoteHost == followToHost);
    }

    /// <summary>
    /// Traces as <see cref="Trace(string, string, string, string?)"/> does, following every tunnel whose remote
    /// host's tunnel bridge is part of this network (the live trace: every peer bridge given is followed).
    /// </summary>
    public TraceResult TraceAcrossTunnels(string host, string bridgeName, string flowText) =>
        Trace(host, bridgeName, flowText, _ => true);

    private TraceResult Trace(string host, string bridgeName, string flowText, Func<string, bool> followHost)
    {
        var start = Bridge(host, bridgeName);
        var packet = PacketFields.FromMatch(MatchText.Parse(FlowTextPairs.Split(flowText), start.Names));
        if (packet[Dvr.OpenFlow.Match.OxmFields.InPort] is null)
        {
            throw new ArgumentException("the flow must give in_port (e.g. in_port=patch-int,...)");
        }

        return PacketTracer.Run(start, packet, remoteIp =>
            _tunnelEndpoints.TryGetValue(remoteIp, out var endpoint) && followHost(endpoint.Host)
                && _bridges.TryGetValue((endpoint.Host, endpoint.TunnelBridge), out var remote)
                ? remote
                : null);
    }
}
