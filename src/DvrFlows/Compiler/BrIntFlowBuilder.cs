using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Pipeline;
using Dvr.DvrFlows.Topology;
using Dvr.OpenFlow.Match;
using static Dvr.DvrFlows.Compiler.FlowHelpers;
using T = Dvr.DvrFlows.Pipeline.BrIntTables;
using P = Dvr.DvrFlows.Pipeline.BrIntPriority;

namespace Dvr.DvrFlows.Compiler;

/// <summary>br-int flows of one host (neutron-dvr-flows.md §3 br-int).</summary>
internal sealed class BrIntFlowBuilder
{
    private readonly HostPlan _plan;
    private readonly FlowSink _sink;
    private readonly FlowFactory _f;
    private readonly FlowOwner _base;
    private Dictionary<Dvr.OpenFlow.MacAddress, OpenFlow.Instructions.InstructionList>? _gatewayAsSource;

    public BrIntFlowBuilder(HostPlan plan, FlowSink sink)
    {
        _plan = plan;
        _sink = sink;
        _f = new FlowFactory(BridgeKind.Integration, plan.Host.Integration.Name, plan.Cookie);
        _base = FlowOwner.Bridge(_f.BridgeName);
    }

    public void Build()
    {
        BaseFlows();
        if (_plan.IsDvr)
        {
            OwnDvrMac();
            foreach (var peer in _plan.DvrPeers)
            {
                PeerDvrMac(peer);
            }

            foreach (var ri in _plan.RouterInterfaces)
            {
                RouterInterface(ri);
            }
        }

        foreach (var network in _plan.Networks)
        {
            ProviderTranslation(network);
        }

        foreach (var port in _plan.LocalPorts)
        {
            LocalPort(port);
        }
    }

    /// <summary>The flows of port <paramref name="port"/> here, as <see cref="Build"/> makes them (only for a port bound to this host).</summary>
    public void BuildPort(Port port)
    {
        if (port.Host == _plan.Host.Name)
        {
            LocalPort(port);
        }
    }

    /// <summary>The flows of network <paramref name="network"/> here (provider VLAN translation), as <see cref="Build"/> makes them.</summary>
    public void BuildNetwork(Network network)
    {
        if (_plan.LocalVlans.ContainsKey(network.Name))
        {
            ProviderTranslation(network);
        }
    }

    private void Add(TableSpec table, ushort priority, MatchBuilder match, OpenFlow.Instructions.InstructionList instructions, FlowOwner owner, string role) =>
        _sink.Add(_f.Flow(table, priority, match.Build(), instructions, owner, role));

    private void Add(TableSpec table, ushort priority, OpenFlow.Match.Match match, OpenFlow.Instructions.InstructionList instructions, FlowOwner owner, string role) =>
        _sink.Add(_f.Flow(table, priority, match, instructions, owner, role));

    private void BaseFlows()
    {
        Add(T.LocalSwitching, P.DeadVlan, Match().VlanVid(DeadVlan), Instr.Drop, _base, "LOCAL_SWITCHING: drop the dead VLAN 4095");
        Add(T.LocalSwitching, P.Miss, Match(), Instr.Goto(T.PacketRateLimit), _base, "LOCAL_SWITCHING: miss to PACKET_RATE_LIMIT");
        if (_plan.IsDvr)
        {
            Add(T.DvrToSrcMac, P.DvrDefaultDrop, Match(), Instr.Drop, _base, "DVR_TO_SRC_MAC: routed frame for no local port");
            Add(T.DvrToSrcMacPhysical, P.DvrDefaultDrop, Match(), Instr.Drop, _base, "DVR_TO_SRC_MAC_PHYSICAL: routed frame for no local port");
        }

        Add(T.Canary, P.Miss, Match(), Instr.Drop, _base, "CANARY: restart detection");
        Add(T.ArpSpoof, P.Miss, Match(), Instr.Drop, _base, "ARP_SPOOF: unknown sender dropped");
        Add(T.LocalEgress, P.Miss, Match(), Instr.Goto(T.PacketRateLimit), _base, "LOCAL_EGRESS: pass-through");
        Add(T.LocalIp, P.Miss, Match(), Instr.Goto(T.PacketRateLimit), _base, "LOCAL_IP: pass-through");
        Add(T.PacketRateLimit, P.Miss, Match(), Instr.Goto(T.Transient), _base, "PACKET_RATE_LIMIT: pass-through");
        Add(T.Transient, P.Normal, Match(), Instr.Apply(Normal), _base, "TRANSIENT: NORMAL switching");
        Add(T.TransientEgress, P.Normal, Match(), Instr.Apply(Normal), _base, "TRANSIENT_EGRESS: NORMAL switching");

        foreach (var bridge in _plan.Host.PhysicalBridges.Values)
        {
            string role = $"LOCAL_SWITCHING: drop untranslated traffic from {bridge.Name}";
            if (_sink.TryPort(_f, InterfaceNames.IntToPhysical(bridge.Name), _base, role, out uint port))
            {
                Add(T.LocalSwitching, P.DropPort, Match().InPort(port), Instr.Drop, _base, role);
            }
        }
    }

    /// <summary>0/5: frames addressed to this host's DVR MAC (replies to the router's own requests) go to table 3/4.</summary>
    private void OwnDvrMac()
    {
        var me = _plan.Host.DvrMac;
        string role = "LOCAL_SWITCHING: frames to this host's DVR MAC from the tunnel";
        if (_sink.TryPort(_f, InterfaceNames.PatchTun, _base, role, out uint patchTun))
        {
            Add(T.LocalSwitching, P.ToOwnDvrMac, Match().InPort(patchTun).EthDst(me), Instr.Goto(T.ArpDvrMacToDstMac), _base, role);
        }

        foreach (var bridge in _plan.Host.PhysicalBridges.Values)
        {
            role = $"LOCAL_SWITCHING: frames to this host's DVR MAC from {bridge.Name}";
            if (_sink.TryPort(_f, InterfaceNames.IntToPhysical(bridge.Name), _base, role, out uint port))
            {
                Add(T.LocalSwitching, P.ToOwnDvrMac, Match().InPort(port).EthDst(me), Instr.Goto(T.ArpDvrMacToDstMacPhysical), _base, role);
            }
        }
    }

    /// <summary>0/2 (tunnel) and 0/4 (each physical bridge): routed frames from a peer DVR host go to DVR_TO_SRC_MAC(_PHYSICAL).</summary>
    private void PeerDvrMac(Host peer)
    {
        var owner = FlowOwner.PeerDvrMac(peer.Name);
        if (_sink.TryOfPort(_f, InterfaceNames.PatchTun, out uint patchTun))
        {
            // The same on every host with this patch-tun ofport: shared through the memo.
            var memo = _plan.Memo;
            var key = new MemoKey(peer, MemoKind.PeerDvrMacFromTunnel, 0, 0, patchTun, _f.BridgeName);
            if (!memo.TryGet(key, out var fromTunnel))
            {
                fromTunnel = memo.Add(key, _f.Flow(T.LocalSwitching, P.FromPeerDvrMacTunnel, MatchBuilder.Of(InPortIs(patchTun), EthSrcIs(peer.DvrMac)),
                    Instr.Goto(T.DvrToSrcMac), owner, $"LOCAL_SWITCHING: routed by {peer.Name} via the tunnel"));
            }

            _sink.Add(fromTunnel);
        }
        else
        {
            _sink.Wait(_f, InterfaceNames.PatchTun, owner, $"LOCAL_SWITCHING: routed by {peer.Name} via the tunnel");
        }

        foreach (var bridge in _plan.Host.PhysicalBridges.Values)
        {
            string role = $"LOCAL_SWITCHING: routed by {peer.Name} via {bridge.Name}";
            if (_sink.TryPort(_f, InterfaceNames.IntToPhysical(bridge.Name), owner, role, out uint port))
            {
                Add(T.LocalSwitching, P.FromPeerDvrMacPhysical, Match().InPort(port).EthSrc(peer.DvrMac), Instr.Goto(T.DvrToSrcMacPhysical), owner, role);
            }
        }
    }

    /// <summary>0/3: provider VLAN (or untagged for flat) from the physical bridge to the local VLAN.</summary>
    private void ProviderTranslation(Network network)
    {
        if (_plan.PhysicalBridgeOf(network) is not { } bridge)
        {
            return;
        }

        var owner = FlowOwner.Network(network.Name);
        int lv = _plan.LocalVlans[network.Name];
        string role = $"LOCAL_SWITCHING: {network.Name} provider {(network.Type == NetworkType.Flat ? "untagged" : $"VLAN {network.SegmentationId}")} to local VLAN {lv}";
        if (!_sink.TryPort(_f, InterfaceNames.IntToPhysical(bridge.Name), owner, role, out uint port))
        {
            return;
        }

        var instructions = network.Type == NetworkType.Flat
            ? Instr.ApplyThenGoto(T.PacketRateLimit, PushVlan, SetVlan(lv))
            : Instr.ApplyThenGoto(T.PacketRateLimit, SetVlan(lv));
        Add(T.LocalSwitching, P.ProviderVlanToLocal, Match().InPort(port).ProviderVlan(network), instructions, owner, role);
    }

    /// <summary>
    /// A hosted distributed router interface: 0/99 (ARP replies to this host's DVR MAC get the gateway MAC back)
    /// and 3/5 or 4/5 (other frames to this host's DVR MAC are delivered to the qr- port).
    /// </summary>
    private void RouterInterface(HostedRouterInterface ri)
    {
        var owner = FlowOwner.RouterInterface(ri.Port.Name);
        var me = _plan.Host.DvrMac;
        var gw = ri.GatewayMac;
        var network = ri.Network;
        string deliverRole = $"{(network.Type == NetworkType.Vxlan ? "ARP_DVR_MAC_TO_DST_MAC" : "ARP_DVR_MAC_TO_DST_MAC_PHYSICAL")}: deliver frames to this host's DVR MAC to {ri.Port.Name}";
        if (!_sink.TryPort(_f, ri.Port.Interface, owner, deliverRole, out uint qr))
        {
            return;
        }

        if (network.Type == NetworkType.Vxlan)
        {
            if (!ri.Ipv4.IsEmpty)
            {
                Add(T.LocalSwitching, P.ArpReplyToDvrMac,
                    MatchBuilder.Of(EthDstIs(me), IsArp, OxmEntry.Exact(OxmFields.ArpOp, ArpReply), OxmEntry.Exact(OxmFields.ArpTha, gw.Value)),
                    Instr.ApplyThenGoto(T.PacketRateLimit, SetEthDst(gw)), owner, $"LOCAL_SWITCHING: ARP reply to this host's DVR MAC for {ri.Port.Name}");
            }

            Add(T.ArpDvrMacToDstMac, P.DvrMacToRouterInterface, MatchBuilder.Of(EthDstIs(me), VlanIs(ri.LocalVlan)),
                Instr.Apply(SetEthDst(gw), PopVlan, Output(qr)), owner, deliverRole);
            return;
        }

        // VLAN/flat: frames from int-br-X still carry the provider VLAN (or none) in table 0 and 4, so these
        // flows match that and translate, where Neutron matches the local VLAN and never hits (docs/neutron-parity.md).
        if (_plan.PhysicalBridgeOf(network) is not { } bridge)
        {
            return;
        }

        string arpRole = $"LOCAL_SWITCHING: ARP reply to this host's DVR MAC for {ri.Port.Name} (provider network)";
        if (!_sink.TryPort(_f, InterfaceNames.IntToPhysical(bridge.Name), owner, arpRole, out uint intBr))
        {
            return;
        }

        if (!ri.Ipv4.IsEmpty)
        {
            var translate = network.Type == NetworkType.Flat
                ? Instr.ApplyThenGoto(T.PacketRateLimit, PushVlan, SetVlan(ri.LocalVlan), SetEthDst(gw))
                : Instr.ApplyThenGoto(T.PacketRateLimit, SetVlan(ri.LocalVlan), SetEthDst(gw));
            Add(T.LocalSwitching, P.ArpReplyToDvrMac,
                Match().Arp().InPort(intBr).ProviderVlan(network).EthDst(me).ArpOp(ArpReply).ArpTha(gw), translate, owner, arpRole);
        }

        var deliver = network.Type == NetworkType.Flat
            ? Instr.Apply(SetEthDst(gw), Output(qr))
            : Instr.Apply(SetEthDst(gw), PopVlan, Output(qr));
        Add(T.ArpDvrMacToDstMacPhysical, P.DvrMacToRouterInterface, Match().ProviderVlan(network).EthDst(me), deliver, owner, deliverRole);
    }

    /// <summary>DVR_TO_SRC_MAC's actions for a gateway MAC, built once per gateway on this host (instruction lists are immutable).</summary>
    private OpenFlow.Instructions.InstructionList GatewayAsSource(Dvr.OpenFlow.MacAddress gatewayMac)
    {
        _gatewayAsSource ??= [];
        if (!_gatewayAsSource.TryGetValue(gatewayMac, out var instructions))
        {
            _gatewayAsSource[gatewayMac] = instructions = Instr.ApplyThenGoto(T.PacketRateLimit, SetEthSrc(gatewayMac));
        }

        return instructions;
    }

    private void LocalPort(Port port)
    {
        var owner = FlowOwner.Port(port.Name);
        if (!port.AdminStateUp)
        {
            string deadRole = $"LOCAL_SWITCHING: {port.Name} is admin down";
            if (_sink.TryPort(_f, port.Interface, owner, deadRole, out uint dead))
            {
                Add(T.LocalSwitching, P.DropPort, Match().InPort(dead), Instr.Drop, owner, deadRole);
            }

            return;
        }

        if (port.PortSecurity && port.DeviceOwner == DeviceOwner.Compute)
        {
            PortSecurity(port, owner);
        }

        if (_plan.IsDvr && (port.DeviceOwner is DeviceOwner.Compute or DeviceOwner.Dhcp
            || (port.DeviceOwner == DeviceOwner.RouterCentralizedSnat && _plan.Host.AgentMode == AgentMode.DvrSnat)))
        {
            DvrDirectDelivery(port, owner);
        }
    }

    /// <summary>0/10, 0/9, 24/2, 25/2: ARP/ND and source-MAC spoofing protection (ovs_neutron_agent.setup_arp_spoofing_protection).</summary>
    private void PortSecurity(Port port, FlowOwner owner)
    {
        if (!_sink.TryOfPort(_f, port.Interface, out uint vmp))
        {
            _sink.Wait(_f, port.Interface, owner, $"ARP_SPOOF/MAC_SPOOF: port security of {port.Name}");
            return;
        }

        var macs = new SortedSet<Dvr.OpenFlow.MacAddress> { port.Mac };
        var prefixes = port.FixedIps.Select(f => new IpPrefix(f.Ip, IsIpv4(f.Ip) ? 32 : 128)).ToList();
        foreach (var pair in port.AllowedAddressPairs)
        {
            prefixes.Add(pair.Ip);
            if (pair.Mac is { } mac)
            {
                macs.Add(mac);
            }
        }

        var inPort = InPortIs(vmp);
        Add(T.LocalSwitching, P.PortSecurityArp, MatchBuilder.Of(inPort, IsArp), Instr.Goto(T.ArpSpoof), owner, $"LOCAL_SWITCHING: ARP from {port.Name} to ARP_SPOOF");
        Add(T.LocalSwitching, P.PortSecurityArp, MatchBuilder.Of(inPort, IsIpv6, IsIcmpv6, Icmpv6TypeIs(Icmpv6NeighborAdvertisement)), Instr.Goto(T.ArpSpoof), owner,
            $"LOCAL_SWITCHING: neighbour advertisements from {port.Name} to ARP_SPOOF");
        Add(T.LocalSwitching, P.PortSecurityMac, MatchBuilder.Of(inPort), Instr.Goto(T.MacSpoof), owner, $"LOCAL_SWITCHING: traffic from {port.Name} to MAC_SPOOF");

        foreach (var prefix in prefixes)
        {
            if (prefix.IsIpv6)
            {
                continue;
            }

            var (value, mask) = PrefixValue(prefix);
            Add(T.ArpSpoof, P.AllowedAddress, MatchBuilder.Of(inPort, IsArp, OxmEntry.Masked(OxmFields.ArpSpa, value, mask)), Instr.Goto(T.MacSpoof), owner,
                $"ARP_SPOOF: {port.Name} may claim {prefix}");
        }

        foreach (var prefix in prefixes)
        {
            if (prefix.IsIpv6)
            {
                NdTarget(prefix);
            }
        }

        foreach (var mac in macs)
        {
            NdTarget(new IpPrefix(LinkLocal(mac), 128));
        }

        foreach (var mac in macs)
        {
            Add(T.MacSpoof, P.AllowedAddress, MatchBuilder.Of(inPort, EthSrcIs(mac)), Instr.Goto(T.LocalEgress), owner, $"MAC_SPOOF: {port.Name} may send from {mac}");
        }

        void NdTarget(IpPrefix prefix)
        {
            var (value, mask) = PrefixValue(prefix);
            Add(T.ArpSpoof, P.AllowedAddress,
                MatchBuilder.Of(inPort, IsIpv6, IsIcmpv6, Icmpv6TypeIs(Icmpv6NeighborAdvertisement), OxmEntry.Masked(OxmFields.Ipv6NdTarget, value, mask)),
                Instr.Goto(T.PacketRateLimit), owner, $"ARP_SPOOF: {port.Name} may advertise {prefix}");
        }
    }

    /// <summary>
    /// 1/20 (tunnel) or 2/20 (VLAN/flat) + 60/20 for each subnet of the port routed by a DVR interface here:
    /// a routed frame from a peer gets the gateway MAC back as source and goes straight to the port. Also for
    /// allowed-address-pair MACs with a host address in the subnet (bug 2093248).
    /// </summary>
    private void DvrDirectDelivery(Port port, FlowOwner owner)
    {
        foreach (var fixedIp in port.FixedIps)
        {
            if (!_plan.GatewayBySubnet.TryGetValue(fixedIp.Subnet, out var gateway))
            {
                continue;
            }

            var subnet = _plan.SubnetOf(fixedIp.Subnet);
            var macs = new SortedSet<Dvr.OpenFlow.MacAddress> { port.Mac };
            foreach (var pair in port.AllowedAddressPairs)
            {
                if (pair.Mac is { } mac && IsHostPrefix(pair.Ip) && subnet.Cidr.Contains(pair.Ip.Address))
                {
                    macs.Add(mac);
                }
            }

            if (!_sink.TryOfPort(_f, port.Interface, out uint vmp))
            {
                _sink.Wait(_f, port.Interface, owner, $"DVR_TO_SRC_MAC: routed frames for {port.Name} on {subnet.Name}");
                return;
            }

            var network = gateway.Network;
            foreach (var mac in macs)
            {
                string what = mac == port.Mac ? port.Name : $"{port.Name} allowed-address-pair MAC {mac}";
                if (network.Type == NetworkType.Vxlan)
                {
                    // One match object for both tables (matches are immutable).
                    var match = MatchBuilder.Of(EthDstIs(mac), VlanIs(gateway.LocalVlan));
                    Add(T.DvrToSrcMac, P.DvrDirectDelivery, match, GatewayAsSource(gateway.GatewayMac), owner,
                        $"DVR_TO_SRC_MAC: gateway {gateway.GatewayMac} as source for {what} on {subnet.Name}");
                    Add(T.Transient, P.DvrDirectDelivery, match, Instr.Apply(PopVlan, Output(vmp)), owner,
                        $"TRANSIENT: deliver routed frames on {subnet.Name} to {what}");
                }
                else
                {
                    Add(T.DvrToSrcMacPhysical, P.DvrDirectDelivery, Match().ProviderVlan(network).EthDst(mac),
                        Instr.ApplyThenGoto(T.PacketRateLimit, SetEthSrc(gateway.GatewayMac)), owner,
                        $"DVR_TO_SRC_MAC_PHYSICAL: gateway {gateway.GatewayMac} as source for {what} on {subnet.Name}");
                    var deliver = network.Type == NetworkType.Flat ? Instr.Apply(Output(vmp)) : Instr.Apply(PopVlan, Output(vmp));
                    Add(T.Transient, P.DvrDirectDelivery, Match().ProviderVlan(network).EthDst(mac), deliver, owner, $"TRANSIENT: deliver routed frames on {subnet.Name} to {what}");
                }
            }
        }
    }
}
