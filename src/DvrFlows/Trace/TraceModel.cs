using System.Net;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Text;

namespace Dvr.DvrFlows.Trace;

/// <summary>One flow as the tracer sees it: where it sits, what it matches, what it does and who owns it.</summary>
public sealed record TraceFlow(
    byte TableId,
    ushort Priority,
    Dvr.OpenFlow.Match.Match Match,
    InstructionList Instructions,
    ulong Cookie = 0,
    string? Owner = null,
    string? Role = null);

/// <summary>Where an output port leads: into a peer bridge (patch port) or over a tunnel to another host.</summary>
public abstract record PortLink;

/// <summary>A patch port: the packet continues in <see cref="PeerBridge"/> with in_port = <see cref="PeerPort"/>.</summary>
public sealed record PatchLink(TraceBridge PeerBridge, uint PeerPort) : PortLink;

/// <summary>A tunnel port to <see cref="RemoteIp"/> (the remote host's tunnel endpoint).</summary>
public sealed record TunnelLink(IPAddress LocalIp, IPAddress RemoteIp) : PortLink;

/// <summary>
/// One OpenFlow bridge of one host with its flows and ports. Flows are kept per table in lookup order
/// (descending priority), so a lookup is the first flow whose match covers the packet, as in OVS when
/// priorities differ (OpenFlow 1.3.5 §5.3: equal priorities that overlap are undefined).
/// </summary>
public sealed class TraceBridge
{
    private readonly Dictionary<byte, TraceFlow[]> _tables;
    private readonly Dictionary<uint, PortLink> _links = [];

    public TraceBridge(string host, string name, IEnumerable<TraceFlow> flows, IReadOnlyDictionary<string, uint> ports)
    {
        Host = host;
        Name = name;
        Ports = ports;
        Names = new PortNames(ports.ToDictionary(p => p.Value, p => p.Key));
        _tables = flows
            .GroupBy(f => f.TableId)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(f => f.Priority).ToArray());
    }

    public string Host { get; }

    public string Name { get; }

    /// <summary>Interface name → ofport.</summary>
    public IReadOnlyDictionary<string, uint> Ports { get; }

    public PortNames Names { get; }

    public IReadOnlyDictionary<uint, PortLink> Links => _links;

    public void Link(uint port, PortLink link) => _links[port] = link;

    public IReadOnlyList<TraceFlow> Table(byte tableId) => _tables.TryGetValue(tableId, out var flows) ? flows : [];

    public uint PortNumber(string name) =>
        Ports.TryGetValue(name, out uint port)
            ? port
            : throw new ArgumentException($"bridge {Name} on {Host} has no port named '{name}' (ports: {string.Join(", ", Ports.Keys.Order(StringComparer.Ordinal))})");
}

/// <summary>What happened to the packet at the end of one path through the pipeline.</summary>
public enum TraceOutcome
{
    /// <summary>Sent out of a port that leads nowhere we simulate (a VM, a router leg, a physical NIC).</summary>
    Output,

    /// <summary>Sent over a tunnel to a host not being followed.</summary>
    Tunnel,

    /// <summary>Handed to OVS's NORMAL L2 switching, which the tracer does not simulate.</summary>
    Normal,

    /// <summary>Flooded or sent to all ports, not simulated further.</summary>
    Flood,

    /// <summary>Sent to the controller.</summary>
    Controller,
}

/// <summary>One place the packet left the traced pipeline, with its fields at that moment.</summary>
public sealed record TraceOutput(TraceOutcome Outcome, string Host, string Bridge, uint Port, string? PortName, PacketFields Packet, string Detail);

/// <summary>One table visit: the flow that matched (null on a miss) and the actions it ran, as text lines.</summary>
public sealed record TraceHop(string Host, string Bridge, byte TableId, TraceFlow? Flow, IReadOnlyList<string> Actions, int Depth);
