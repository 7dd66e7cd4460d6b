using System.Collections.Immutable;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Pipeline;
using Dvr.DvrFlows.Topology;
using Dvr.OpenFlow;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Match;
using static Dvr.DvrFlows.Compiler.FlowHelpers;
using P = Dvr.DvrFlows.Pipeline.BrTunPriority;
using T = Dvr.DvrFlows.Pipeline.BrTunTables;

namespace Dvr.DvrFlows.Compiler;

/// <summary>br-tun flows of one host (neutron-dvr-flows.md §3 br-tun), with l2pop entries from the topology.</summary>
internal sealed class BrTunFlowBuilder
{
    private readonly HostPlan _plan;
    private readonly FlowSink _sink;
    private Dictionary<string, TunnelTo>? _tunnels;
    private List<DesiredFlow>? _blockFlows;
    private readonly FlowFactory _f;
    private readonly FlowOwner _base;

    public BrTunFlowBuilder(HostPlan plan, FlowSink sink)
    {
        _plan = plan;
        _sink = sink;
        _f = new FlowFactory(BridgeKind.Tunnel, plan.Host.Tunnel.Name, plan.Cookie);
        _base = FlowOwner.Bridge(_f.BridgeName);
    }

    public void Build()
    {
        BaseFlows();
        foreach (var (peer, tunnelPort) in _plan.TunnelPeers)
        {
            TunnelIn(peer, tunnelPort);
        }

        if (_plan.IsDvr)
        {
            foreach (var peer in _plan.DvrPeers)
            {
                PeerDvrMac(peer);
            }

            foreach (var ri in _plan.RouterInterfaces.Where(r => r.Network.Type == NetworkType.Vxlan))
            {
                RouterInterface(ri);
            }
        }

        foreach (var network in _plan.Networks.Where(n => n.Type == NetworkType.Vxlan))
        {
            TunnelNetwork(network);
        }
    }

    /// <summary>
    /// The flows of port <paramref name="port"/> here (its l2pop entries), exactly as <see cref="Build"/> makes
    /// them: they come only from <see cref="TunnelNetwork"/> of the port's network, one port at a time.
    /// </summary>
    public void BuildPort(Port port)
    {
        if (_plan.LocalVlans.TryGetValue(port.Network, out int lv) && _plan.Index.GetNetwork(port.Network) is { Type: NetworkType.Vxlan } network)
        {
            RemotePortIfPresent(port, network, lv, network.SegmentationId!.Value, null);
        }
    }

    /// <summary>The flows of network <paramref name="network"/> here (VNI → local VLAN, flood list), as <see cref="Build"/> makes them.</summary>
    public void BuildNetwork(Network network)
    {
        if (network.Type == NetworkType.Vxlan && _plan.LocalVlans.ContainsKey(network.Name))
        {
            TunnelNetwork(network);
        }
    }

    /// <summary>Tunnel port name and ofport to a tunnel peer, resolved once per build (and only for the peers asked about).</summary>
    private bool TryTunnel(string peer, out TunnelTo tunnel)
    {
        _tunnels ??= new Dictionary<string, TunnelTo>(StringComparer.Ordinal);
        if (_tunnels.TryGetValue(peer, out tunnel))
        {
            return true;
        }

        if (!_plan.TunnelPortByHost.TryGetValue(peer, out var name))
        {
            return false;
        }

        bool found = _sink.TryOfPort(_f, name, out uint ofPort);
        _tunnels[peer] = tunnel = new TunnelTo(name, found, ofPort);
        return true;
    }

    private void Add(TableSpec table, ushort priority, MatchBuilder match, OpenFlow.Instructions.InstructionList instructions, FlowOwner owner, string role) =>
        _sink.Add(_f.Flow(table, priority, match.Build(), instructions, owner, role));

    private void Add(TableSpec table, ushort priority, OpenFlow.Match.Match match, OpenFlow.Instructions.InstructionList instructions, FlowOwner owner, string role) =>
        _sink.Add(_f.Flow(table, priority, match, instructions, owner, role));

    private void BaseFlows()
    {
        // Bug 2028795: in DVR mode patch-int goes straight to DVR_PROCESS; Neutron 21.0 first wrote goto:2 and
        // then overwrote it, which flooded br-int traffic to the tunnels for a moment on every restart.
        string patchRole = _plan.IsDvr ? "LOCAL_SWITCHING: from br-int to DVR_PROCESS" : "LOCAL_SWITCHING: from br-int to PATCH_LV_TO_TUN";
        if (_sink.TryPort(_f, InterfaceNames.PatchInt, _base, patchRole, out uint patchInt))
        {
            Add(T.PatchOrTunnelIn, P.InPort, Match().InPort(patchInt), Instr.Goto(_plan.IsDvr ? T.DvrProcess : T.PatchLvToTun), _base, patchRole);
        }

        Add(T.PatchOrTunnelIn, P.Miss, Match(), Instr.Drop, _base, "LOCAL_SWITCHING: unknown input port");
        if (_plan.IsDvr)
        {
            Add(T.DvrProcess, P.Miss, Match(), Instr.Goto(T.PatchLvToTun), _base, "DVR_PROCESS: not routed here");
            Add(T.DvrNotLearn, P.Miss, Match(), Instr.Goto(T.LearnFromTun), _base, "DVR_NOT_LEARN: learn other sources");
        }

        Add(T.PatchLvToTun, P.ArpBroadcast, Match().Arp().EthDst(MacAddress.Broadcast), Instr.Goto(T.ArpResponder), _base, "PATCH_LV_TO_TUN: ARP broadcast to ARP_RESPONDER");
        Add(T.PatchLvToTun, P.Miss, Match().EthDst(default, Multicast), Instr.Goto(T.UcastToTun), _base, "PATCH_LV_TO_TUN: unicast to UCAST_TO_TUN");
        Add(T.PatchLvToTun, P.Miss, Match().EthDst(Multicast, Multicast), Instr.Goto(T.FloodToTun), _base, "PATCH_LV_TO_TUN: multicast/broadcast to FLOOD_TO_TUN");
        Add(T.GreTunToLv, P.Miss, Match(), Instr.Drop, _base, "GRE_TUN_TO_LV: unknown key");
        Add(T.VxlanTunToLv, P.Miss, Match(), Instr.Drop, _base, "VXLAN_TUN_TO_LV: unknown VNI");
        Add(T.GeneveTunToLv, P.Miss, Match(), Instr.Drop, _base, "GENEVE_TUN_TO_LV: unknown VNI");
        string learnRole = "LEARN_FROM_TUN: learn the source into UCAST_TO_TUN, deliver to br-int";
        if (_sink.TryPort(_f, InterfaceNames.PatchInt, _base, learnRole, out uint learnOutput))
        {
            Add(T.LearnFromTun, P.Learn, Match(), Instr.Apply(TunnelActions.LearnFromTunnel(_plan.LearnedCookie), Output(learnOutput)), _base, learnRole);
        }

        Add(T.UcastToTun, P.Miss, Match(), Instr.Goto(T.FloodToTun), _base, "UCAST_TO_TUN: unknown unicast floods");
        Add(T.ArpResponder, P.Miss, Match(), Instr.Goto(T.FloodToTun), _base, "ARP_RESPONDER: unknown IP floods");
        Add(T.FloodToTun, P.Miss, Match(), Instr.Drop, _base, "FLOOD_TO_TUN: no tunnel for this VLAN");
    }

    /// <summary>01:00:00:00:00:00, the Ethernet group bit as a mask.</summary>
    private static MacAddress Multicast => new(0x0100_0000_0000UL);

    private void TunnelIn(Host peer, string tunnelPort)
    {
        var owner = FlowOwner.Tunnel(peer.Name);
        if (!_sink.TryOfPort(_f, tunnelPort, out uint port))
        {
            _sink.Wait(_f, tunnelPort, owner, $"LOCAL_SWITCHING: from the tunnel to {peer.Name}");
            return;
        }

        var memo = _plan.Memo;
        var key = new MemoKey(peer, MemoKind.TunnelIn, 0, 0, port, _f.BridgeName);
        if (!memo.TryGet(key, out var flow))
        {
            flow = memo.Add(key, _f.Flow(T.PatchOrTunnelIn, P.InPort, MatchBuilder.Of(InPortIs(port)), Instr.Goto(T.VxlanTunToLv), owner,
                $"LOCAL_SWITCHING: from the tunnel to {peer.Name}"));
        }

        _sink.Add(flow);
    }

    private void PeerDvrMac(Host peer)
    {
        var owner = FlowOwner.PeerDvrMac(peer.Name);
        if (!_sink.TryOfPort(_f, InterfaceNames.PatchInt, out uint patchInt))
        {
            _sink.Wait(_f, InterfaceNames.PatchInt, owner, $"DVR_NOT_LEARN: routed by {peer.Name}, no learning");
            return;
        }

        // The same on every host with this patch-int ofport: shared through the memo.
        var memo = _plan.Memo;
        var key = new MemoKey(peer, MemoKind.PeerDvrMacNotLearn, 0, 0, patchInt, _f.BridgeName);
        if (!memo.TryGet(key, out var flow))
        {
            flow = memo.Add(key, _f.Flow(T.DvrNotLearn, P.PeerDvrMac, MatchBuilder.Of(EthSrcIs(peer.DvrMac)), Instr.Apply(Output(patchInt)), owner,
                $"DVR_NOT_LEARN: routed by {peer.Name}, no learning"));
        }

        _sink.Add(flow);
    }

    /// <summary>1/2, 1/1 and 22/3 for a hosted router interface on a tunnel network.</summary>
    private void RouterInterface(HostedRouterInterface ri)
    {
        var owner = FlowOwner.RouterInterface(ri.Port.Name);
        var lv = (ushort)ri.LocalVlan;
        var memo = _plan.Memo;
        var dropKey = new MemoKey(ri.Port, MemoKind.GatewayMacDrop, 0, lv, 0, _f.BridgeName);
        if (!memo.TryGet(dropKey, out var drop))
        {
            drop = memo.Add(dropKey, _f.Flow(T.DvrProcess, P.GatewayMacDrop, MatchBuilder.Of(EthDstIs(ri.GatewayMac), VlanIs(lv)), Instr.Drop, owner,
                $"DVR_PROCESS: frames to gateway MAC of {ri.Port.Name} stay local"));
        }

        _sink.Add(drop);
        Add(T.DvrProcess, P.GatewaySourceRewrite, MatchBuilder.Of(EthSrcIs(ri.GatewayMac), VlanIs(lv)),
            Instr.ApplyThenGoto(T.PatchLvToTun, SetEthSrc(_plan.Host.DvrMac)), owner, $"DVR_PROCESS: routed by {ri.Port.Name}, source becomes this host's DVR MAC");
        for (int i = 0; i < ri.Ipv4.Length; i++)
        {
            var ip = ri.Ipv4[i];
            var arpKey = new MemoKey(ri.Port, MemoKind.GatewayArpDrop, i, lv, 0, _f.BridgeName);
            if (!memo.TryGet(arpKey, out var arpDrop))
            {
                arpDrop = memo.Add(arpKey, _f.Flow(T.FloodToTun, P.GatewayArpDrop, Match().Arp().VlanVid(lv).ArpTpa(ip).Build(), Instr.Drop, owner,
                    $"FLOOD_TO_TUN: ARP for gateway {ip} stays local"));
            }

            _sink.Add(arpDrop);
        }

        if (ri.HasIpv6)
        {
            Add(T.FloodToTun, P.GatewayArpDrop, Match().VlanVid(lv).EthSrc(ri.GatewayMac).Icmpv6(Icmpv6RouterAdvertisement), Instr.Drop, owner,
                $"FLOOD_TO_TUN: router advertisements of {ri.Port.Name} stay local");
        }
    }

    /// <summary>4/1 (VNI to local VLAN), 22/1 (flood list), and the l2pop entries 20/2 + 21/1 of the network's remote ports.</summary>
    private void TunnelNetwork(Network network)
    {
        var owner = FlowOwner.Network(network.Name);
        int lv = _plan.LocalVlans[network.Name];
        ulong vni = network.SegmentationId!.Value;
        if (_sink.Wants(owner))
        {
            var memo = _plan.Memo;
            var key = new MemoKey(network, _plan.IsDvr ? MemoKind.TunnelToLocalVlanDvr : MemoKind.TunnelToLocalVlanLegacy, 0, lv, 0, _f.BridgeName);
            if (!memo.TryGet(key, out var toLocalVlan))
            {
                toLocalVlan = memo.Add(key, _f.Flow(T.VxlanTunToLv, P.TunnelToLocalVlan, Match().TunnelId(vni).Build(),
                    Instr.ApplyThenGoto(_plan.IsDvr ? T.DvrNotLearn : T.LearnFromTun, PushVlan, SetVlan(lv)), owner,
                    $"VXLAN_TUN_TO_LV: VNI {vni} of {network.Name} to local VLAN {lv}"));
            }

            _sink.Add(toLocalVlan);
            FloodList(network, owner, lv, vni);
        }

        // l2pop: every active port of the network on another host, except distributed router interfaces (they
        // exist on every host with the same MAC and IP, so they only make the host part of the flood list).
        var ports = _plan.PortsOnNetwork(network.Name);
        if (!AddSharedL2pop(network, ports, lv, vni))
        {
            foreach (var port in ports)
            {
                RemotePortIfPresent(port, network, lv, vni, null);
            }
        }
    }

    /// <summary>
    /// Adds the network's l2pop entries as one block shared with the hosts that reach the same port hosts
    /// through the same tunnel ofports (<see cref="L2popBlocks"/>); built here, one port at a time as below, if
    /// no host had it yet. False when a tunnel port is missing (its entries wait, which the per-port path
    /// records) or the sink keeps only some owners.
    /// </summary>
    private bool AddSharedL2pop(Network network, ImmutableArray<Port> ports, int lv, ulong vni)
    {
        if (!_sink.CollectsAll)
        {
            return false;
        }

        var blocks = _plan.Memo.L2pop(network, ports);
        var hosts = blocks.PortHosts;
        Span<ulong> tunnels = hosts.Length <= 64 ? stackalloc ulong[hosts.Length] : new ulong[hosts.Length];
        for (int i = 0; i < hosts.Length; i++)
        {
            if (hosts[i] == _plan.Host.Name || !TryTunnel(hosts[i], out var tunnel))
            {
                tunnels[i] = 0;
            }
            else if (tunnel.Found)
            {
                tunnels[i] = (1UL << 32) | tunnel.OfPort;
            }
            else
            {
                return false;
            }
        }

        if (blocks.Find(_f.BridgeName, lv, tunnels) is not { } block)
        {
            // A port's entries depend only on the port, the local VLAN, the bridge and how its host is reached:
            // where a stored block of this bridge and VLAN reaches that host the same way, its entries are taken
            // from there instead of from the memo one by one.
            var sibling = blocks.Sibling(_f.BridgeName, lv);
            var flows = _blockFlows ??= new List<DesiredFlow>(64);
            flows.Clear();
            var portStarts = new int[ports.Length + 1];
            for (int k = 0; k < ports.Length; k++)
            {
                portStarts[k] = flows.Count;
                int host = blocks.PortHostIndex[k];
                if (sibling is not null && host >= 0 && sibling.Tunnels[host] == tunnels[host])
                {
                    flows.AddRange(sibling.Flows.AsSpan()[sibling.PortStarts[k]..sibling.PortStarts[k + 1]]);
                }
                else
                {
                    RemotePortIfPresent(ports[k], network, lv, vni, flows);
                }
            }

            portStarts[ports.Length] = flows.Count;
            block = blocks.Add(new L2popBlock(_f.BridgeName, lv, tunnels.ToArray(), [.. flows], portStarts));
        }

        _sink.AddRange(block.Flows);
        return true;
    }

    private void FloodList(Network network, FlowOwner owner, int lv, ulong vni)
    {
        var hosts = _plan.HostsWithNetwork(network.Name);
        // A network is on a few dozen hosts: the ports fit on the stack, the actions go straight into their one array.
        Span<uint> floodPorts = hosts.Length <= 256 ? stackalloc uint[hosts.Length] : new uint[hosts.Length];
        int count = 0;
        foreach (string peer in hosts)
        {
            if (TryTunnel(peer, out var tunnel))
            {
                if (tunnel.Found)
                {
                    floodPorts[count++] = tunnel.OfPort;
                }
                else
                {
                    _sink.Wait(_f, tunnel.Name, owner, $"FLOOD_TO_TUN: flood {network.Name} to {peer}");
                }
            }
        }

        if (count > 0)
        {
            floodPorts = floodPorts[..count];
            floodPorts.Sort();
            var actions = ImmutableArray.CreateBuilder<OfpAction>(count + 2);
            actions.Add(PopVlan);
            actions.Add(SetTunnelId(vni));
            foreach (uint port in floodPorts)
            {
                actions.Add(Output(port));
            }

            Add(T.FloodToTun, P.Flood, MatchBuilder.Of(VlanIs(lv)), Instr.Apply(actions.MoveToImmutable()), owner, $"FLOOD_TO_TUN: flood {network.Name} to its tunnels");
        }
    }

    /// <summary>
    /// The l2pop entries of <paramref name="port"/> here, when it is an active port of the network on a tunnel
    /// peer: into the sink, or into <paramref name="block"/> when one is being built.
    /// </summary>
    private void RemotePortIfPresent(Port port, Network network, int lv, ulong vni, List<DesiredFlow>? block)
    {
        if (port.Network != network.Name || port.Host is null || port.Host == _plan.Host.Name || !port.AdminStateUp
            || port.DeviceOwner == DeviceOwner.RouterInterfaceDistributed || !TryTunnel(port.Host, out var tunnel))
        {
            return;
        }

        RemotePort(port, network, lv, vni, tunnel, block);
    }

    private void RemotePort(Port port, Network network, int lv, ulong vni, TunnelTo tunnelTo, List<DesiredFlow>? block)
    {
        string tunnelPort = tunnelTo.Name;
        uint tunnel = tunnelTo.OfPort;
        var owner = FlowOwner.Port(port.Name);
        if (!_sink.Wants(owner))
        {
            return;
        }

        var memo = _plan.Memo;
        if (tunnelTo.Found)
        {
            var key = new MemoKey(port, MemoKind.UnicastToTunnel, 0, lv, tunnel, _f.BridgeName);
            if (!memo.TryGet(key, out var unicast))
            {
                unicast = memo.Add(key, _f.Flow(T.UcastToTun, P.UnicastEntry, MatchBuilder.Of(EthDstIs(port.Mac), VlanIs(lv)),
                    Instr.Apply(PopVlan, SetTunnelId(vni), Output(tunnel)), owner, $"UCAST_TO_TUN: {port.Name} on {port.Host} via {tunnelPort}"));
            }

            Emit(unicast, block);
        }
        else
        {
            _sink.Wait(_f, tunnelPort, owner, $"UCAST_TO_TUN: {port.Name} on {port.Host} via {tunnelPort}");
        }

        for (int i = 0; i < port.FixedIps.Length; i++)
        {
            var fixedIp = port.FixedIps[i];
            if (!IsIpv4(fixedIp.Ip))
            {
                continue;
            }

            var key = new MemoKey(port, MemoKind.ArpResponder, i, lv, 0, _f.BridgeName);
            if (!memo.TryGet(key, out var responder))
            {
                responder = memo.Add(key, _f.Flow(T.ArpResponder, P.ArpResponderEntry, Match().Arp().VlanVid((ushort)lv).ArpTpa(fixedIp.Ip).Build(),
                    Instr.Apply(TunnelActions.ArpResponder(port.Mac, fixedIp.Ip)), owner, $"ARP_RESPONDER: {fixedIp.Ip} is at {port.Mac} ({port.Name}) on {network.Name}"));
            }

            Emit(responder, block);
        }
    }

    private void Emit(DesiredFlow flow, List<DesiredFlow>? block)
    {
        if (block is null)
        {
            _sink.Add(flow);
        }
        else
        {
            block.Add(flow);
        }
    }

    private readonly record struct TunnelTo(string Name, bool Found, uint OfPort);
}
