using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Match;
using Dvr.OpenFlow.Text;

namespace Dvr.DvrFlows.Trace;

/// <summary>
/// Runs a packet through OpenFlow tables offline, the way <c>ovs-appctl ofproto/trace</c> does on a live
/// switch: table lookup by priority, apply-actions in order, goto_table, resubmit, set_field,
/// push/pop VLAN, output (following patch ports into the peer bridge and, when asked, tunnels into the
/// remote host's bridge), drop on a miss (OpenFlow 1.3.5 §5.4: no table-miss flow means drop).
/// NORMAL, FLOOD and learn are reported, not simulated: they depend on switch state the flows do not hold.
/// </summary>
public sealed class PacketTracer
{
    /// <summary>OVS stops a pipeline after 64 resubmit/goto levels (ofproto-dpif-xlate MAX_DEPTH).</summary>
    private const int MaxDepth = 64;

    /// <summary>How many bridge crossings a trace may make before it is cut (loops through patch ports).</summary>
    private const int MaxBridgeCrossings = 32;

    private readonly Func<System.Net.IPAddress, TraceBridge?> _tunnelPeer;
    private readonly List<TraceHop> _hops = [];
    private readonly List<TraceOutput> _outputs = [];
    private readonly StringBuilder _text = new();
    private int _crossings;

    /// <param name="tunnelPeer">
    /// Given a tunnel's remote IP, the bridge that receives the packet there (the remote br-tun), or null
    /// to stop at the tunnel.
    /// </param>
    public PacketTracer(Func<System.Net.IPAddress, TraceBridge?>? tunnelPeer = null) =>
        _tunnelPeer = tunnelPeer ?? (_ => null);

    public static TraceResult Run(TraceBridge bridge, PacketFields packet, Func<System.Net.IPAddress, TraceBridge?>? tunnelPeer = null)
    {
        var tracer = new PacketTracer(tunnelPeer);
        tracer._text.Append("Flow: ").Append(packet.Describe(bridge.Names)).Append('\n');
        tracer.EnterBridge(bridge, packet);
        return new TraceResult(tracer._hops, tracer._outputs, tracer._text.ToString());
    }

    private void EnterBridge(TraceBridge bridge, PacketFields packet)
    {
        if (++_crossings > MaxBridgeCrossings)
        {
            _text.Append("\n>>>> too many bridge crossings, trace stopped (a loop?) <<<<\n");
            return;
        }

        string title = bridge.Host.Length > 0 ? $"bridge(\"{bridge.Name}\") on {bridge.Host}" : $"bridge(\"{bridge.Name}\")";
        _text.Append('\n').Append(title).Append('\n').Append('-', title.Length).Append('\n');
        RunTable(bridge, 0, packet, depth: 0);
    }

    private void RunTable(TraceBridge bridge, byte tableId, PacketFields packet, int depth)
    {
        if (depth >= MaxDepth)
        {
            _text.Append(Indent(depth)).Append(">>>> resubmit/goto depth exceeded <<<<\n");
            return;
        }

        var flow = bridge.Table(tableId).FirstOrDefault(f => packet.Matches(f.Match));
        string prefix = Indent(depth);
        _text.Append(prefix).Append(tableId.ToString(CultureInfo.InvariantCulture).PadLeft(2)).Append(". ");
        var actionLines = new List<string>();
        if (flow is null)
        {
            _text.Append("No match.\n");
            _text.Append(prefix).Append("    drop\n");
            _hops.Add(new TraceHop(bridge.Host, bridge.Name, tableId, null, ["drop"], depth));
            return;
        }

        var line = new StringBuilder();
        MatchText.Format(line, flow.Match, bridge.Names);
        if (line.Length > 0)
        {
            line.Append(", ");
        }

        line.Append("priority ").Append(flow.Priority);
        if (flow.Cookie != 0)
        {
            line.Append(", cookie 0x").Append(flow.Cookie.ToString("x", CultureInfo.InvariantCulture));
        }

        _text.Append(line).Append('\n');
        if (flow.Owner is not null || flow.Role is not null)
        {
            _text.Append(prefix).Append("    [").Append(flow.Role ?? "?").Append(" | owner ").Append(flow.Owner ?? "?").Append("]\n");
        }

        var hop = new TraceHop(bridge.Host, bridge.Name, tableId, flow, actionLines, depth);
        _hops.Add(hop);
        byte? gotoTable = null;
        foreach (var instruction in flow.Instructions.Instructions)
        {
            switch (instruction)
            {
                case ApplyActionsInstruction apply:
                    foreach (var action in apply.Actions.Actions)
                    {
                        Execute(bridge, action, packet, depth, actionLines);
                    }

                    break;
                case GotoTableInstruction go:
                    gotoTable = go.TableId;
                    break;
                default:
                    Note(depth, actionLines, Text(instruction, bridge.Names) + " (not simulated)");
                    break;
            }
        }

        if (flow.Instructions.Instructions.IsEmpty || (flow.Instructions.Instructions.All(i => i is ApplyActionsInstruction { Actions.Count: 0 })))
        {
            Note(depth, actionLines, "drop");
        }

        if (gotoTable is { } next)
        {
            Note(depth, actionLines, "goto_table:" + next.ToString(CultureInfo.InvariantCulture));
            RunTable(bridge, next, packet, depth);
        }
    }

    private void Execute(TraceBridge bridge, OfpAction action, PacketFields packet, int depth, List<string> lines)
    {
        Note(depth, lines, Text(action, bridge.Names));
        switch (action)
        {
            case SetFieldAction set:
                packet[set.Field] = set.Value;
                break;
            case PushVlanAction:
                // OpenFlow 1.3.5 §7.2.5.4: a new outer tag copies the VID of an existing tag, else VID 0.
                var current = packet[OxmFields.VlanVid] ?? 0;
                packet[OxmFields.VlanVid] = 0x1000 | (current & 0xfff);
                break;
            case PopVlanAction:
                packet[OxmFields.VlanVid] = 0;
                break;
            case OutputAction output:
                Output(bridge, output.Port, packet, depth);
                break;
            default:
                if (!TraceExtensions.Execute(this, bridge, action, packet, depth))
                {
                    Note(depth, lines, "    (not simulated)");
                }

                break;
        }
    }

    /// <summary>Runs another table of the same bridge, as resubmit(,N) does (with an optional new in_port).</summary>
    internal void Resubmit(TraceBridge bridge, PacketFields packet, uint? inPort, byte tableId, int depth)
    {
        var saved = packet[OxmFields.InPort];
        if (inPort is { } port)
        {
            packet[OxmFields.InPort] = port;
        }

        RunTable(bridge, tableId, packet, depth + 1);
        packet[OxmFields.InPort] = saved;
    }

    internal void Output(TraceBridge bridge, uint port, PacketFields packet, int depth)
    {
        if (port == OfpPort.InPort)
        {
            port = (uint)(packet[OxmFields.InPort] ?? 0);
        }

        string prefix = Indent(depth) + "     -> ";
        switch (port)
        {
            case OfpPort.Normal:
                Record(TraceOutcome.Normal, bridge, port, packet, "NORMAL (L2 switching, not simulated)");
                _text.Append(prefix).Append("NORMAL: L2 switching is not simulated\n");
                return;
            case OfpPort.Flood or OfpPort.All:
                Record(TraceOutcome.Flood, bridge, port, packet, "flood (not simulated)");
                _text.Append(prefix).Append("flooding is not simulated\n");
                return;
            case OfpPort.Controller:
                Record(TraceOutcome.Controller, bridge, port, packet, "to the controller");
                _text.Append(prefix).Append("sent to the controller\n");
                return;
        }

        if (bridge.Links.TryGetValue(port, out var link))
        {
            switch (link)
            {
                case PatchLink patch:
                    var crossed = packet.Clone();
                    crossed[OxmFields.InPort] = patch.PeerPort;
                    EnterBridge(patch.PeerBridge, crossed);
                    return;
                case TunnelLink tunnel:
                    var remote = _tunnelPeer(tunnel.RemoteIp);
                    if (remote is null)
                    {
                        Record(TraceOutcome.Tunnel, bridge, port, packet, $"tunnel to {tunnel.RemoteIp}");
                        _text.Append(prefix).Append("output to tunnel ").Append(tunnel.LocalIp).Append(" -> ").Append(tunnel.RemoteIp)
                            .Append(" (").Append(packet.Describe(bridge.Names)).Append(")\n");
                        return;
                    }

                    _text.Append(prefix).Append("tunnel ").Append(tunnel.LocalIp).Append(" -> ").Append(tunnel.RemoteIp)
                        .Append(", continuing on ").Append(remote.Host).Append('\n');
                    EnterBridge(remote, Decapsulated(remote, tunnel, packet));
                    return;
            }
        }

        string? name = bridge.Names.TryGetName(port, out var n) ? n : null;
        Record(TraceOutcome.Output, bridge, port, packet, name is null ? $"port {port}" : $"port {name}");
        _text.Append(prefix).Append("output to ").Append(name ?? port.ToString(CultureInfo.InvariantCulture))
            .Append(": ").Append(packet.Describe(bridge.Names)).Append('\n');
    }

    /// <summary>
    /// The packet as the remote br-tun sees it: it arrives on the tunnel port whose remote is our local IP,
    /// with tun_id/tun_src/tun_dst from the encapsulation and no VLAN tag (VXLAN carries untagged frames here).
    /// </summary>
    private static PacketFields Decapsulated(TraceBridge remote, TunnelLink tunnel, PacketFields packet)
    {
        var arrived = packet.Clone();
        uint inPort = 0;
        foreach (var (port, link) in remote.Links)
        {
            if (link is TunnelLink back && back.RemoteIp.Equals(tunnel.LocalIp))
            {
                inPort = port;
            }
        }

        arrived[OxmFields.InPort] = inPort;
        arrived[OxmFields.VlanVid] = packet[OxmFields.VlanVid];
        return arrived;
    }

    private void Record(TraceOutcome outcome, TraceBridge bridge, uint port, PacketFields packet, string detail) =>
        _outputs.Add(new TraceOutput(outcome, bridge.Host, bridge.Name, port, bridge.Names.TryGetName(port, out var n) ? n : null, packet.Clone(), detail));

    internal void Note(int depth, List<string> lines, string text)
    {
        lines.Add(text);
        _text.Append(Indent(depth)).Append("    ").Append(text).Append('\n');
    }

    private static string Text(OfpAction action, PortNames names)
    {
        var sb = new StringBuilder();
        action.Format(sb, names);
        return sb.ToString();
    }

    private static string Text(OfpInstruction instruction, PortNames names)
    {
        var sb = new StringBuilder();
        instruction.Format(sb, names);
        return sb.ToString();
    }

    private static string Indent(int depth) => new(' ', depth * 4);
}

/// <summary>The hops taken, where the packet left, and the ofproto/trace-style text.</summary>
public sealed record TraceResult(IReadOnlyList<TraceHop> Hops, IReadOnlyList<TraceOutput> Outputs, string Text);
