using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Pipeline;
using Dvr.DvrFlows.Topology;
using Dvr.OpenFlow.Match;
using static Dvr.DvrFlows.Compiler.FlowHelpers;
using P = Dvr.DvrFlows.Pipeline.BrPhysPriority;
using T = Dvr.DvrFlows.Pipeline.BrPhysTables;

namespace Dvr.DvrFlows.Compiler;

/// <summary>Flows of one bridge_mappings bridge (neutron-dvr-flows.md §3 br-phys).</summary>
internal sealed class BrPhysFlowBuilder
{
    private readonly HostPlan _plan;
    private readonly FlowSink _sink;
    private readonly BridgeRef _bridge;
    private readonly string _physnet;
    private readonly FlowFactory _f;
    private readonly FlowOwner _base;
    private readonly string _phyPort;

    public BrPhysFlowBuilder(HostPlan plan, FlowSink sink, string physicalNetwork, BridgeRef bridge)
    {
        _plan = plan;
        _sink = sink;
        _bridge = bridge;
        _physnet = physicalNetwork;
        _f = new FlowFactory(BridgeKind.Physical, bridge.Name, plan.Cookie);
        _base = FlowOwner.Bridge(bridge.Name);
        _phyPort = InterfaceNames.PhysicalToInt(bridge.Name);
    }

    private IEnumerable<Network> MyNetworks =>
        _plan.Networks.Where(n => n.Type != NetworkType.Vxlan && n.PhysicalNetwork == _physnet);

    public void Build()
    {
        if (!_plan.IsDvr)
        {
            BuildWithoutDvr();
            return;
        }

        string role = $"LOCAL_SWITCHING: from br-int to DVR_PROCESS_PHYSICAL";
        if (_sink.TryPort(_f, _phyPort, _base, role, out uint phy))
        {
            Add(T.LocalSwitching, P.FromIntegration, Match().InPort(phy), Instr.Goto(T.DvrProcessPhysical), _base, role);
            Add(T.LocalVlanTranslation, P.DropUntranslated, Match().InPort(phy), Instr.Drop, _base, "LOCAL_VLAN_TRANSLATION: drop frames of no known local VLAN");
        }

        Add(T.LocalSwitching, P.FromWire, Match(), Instr.Goto(T.DvrNotLearnPhysical), _base, "LOCAL_SWITCHING: from the wire to DVR_NOT_LEARN_PHYSICAL");
        Add(T.LocalSwitching, P.Miss, Match(), Instr.Apply(Normal), _base, "LOCAL_SWITCHING: NORMAL (shadowed by 0/1, as in Neutron)");
        Add(T.DvrProcessPhysical, P.Miss, Match(), Instr.Goto(T.LocalVlanTranslation), _base, "DVR_PROCESS_PHYSICAL: not routed here");
        Add(T.DvrNotLearnPhysical, P.Normal, Match(), Instr.Apply(Normal), _base, "DVR_NOT_LEARN_PHYSICAL: NORMAL");

        foreach (var peer in _plan.DvrPeers)
        {
            var owner = FlowOwner.PeerDvrMac(peer.Name);
            string peerRole = $"DVR_NOT_LEARN_PHYSICAL: routed by {peer.Name}, no learning";
            if (_sink.TryPort(_f, _phyPort, owner, peerRole, out uint port))
            {
                Add(T.DvrNotLearnPhysical, P.PeerDvrMac, Match().EthSrc(peer.DvrMac), Instr.Apply(Output(port)), owner, peerRole);
            }
        }

        foreach (var network in MyNetworks)
        {
            Translation(network, T.LocalVlanTranslation);
        }

        foreach (var ri in _plan.RouterInterfaces.Where(r => r.Network.Type != NetworkType.Vxlan && r.Network.PhysicalNetwork == _physnet))
        {
            RouterInterface(ri);
        }
    }

    /// <summary>The flows of network <paramref name="network"/> on this bridge (local → provider VLAN), as <see cref="Build"/> makes them.</summary>
    public void BuildNetwork(Network network)
    {
        if (network.Type != NetworkType.Vxlan && network.PhysicalNetwork == _physnet && _plan.LocalVlans.ContainsKey(network.Name))
        {
            Translation(network, _plan.IsDvr ? T.LocalVlanTranslation : T.LocalSwitching);
        }
    }

    /// <summary>Neutron's non-DVR br-phys (legacy agent mode): translation in table 0, then drop, NORMAL.</summary>
    private void BuildWithoutDvr()
    {
        string role = "LOCAL_SWITCHING: drop frames of no known local VLAN";
        if (_sink.TryPort(_f, _phyPort, _base, role, out uint phy))
        {
            Add(T.LocalSwitching, P.FromIntegration, Match().InPort(phy), Instr.Drop, _base, role);
        }

        Add(T.LocalSwitching, P.Miss, Match(), Instr.Apply(Normal), _base, "LOCAL_SWITCHING: NORMAL");
        foreach (var network in MyNetworks)
        {
            Translation(network, T.LocalSwitching);
        }
    }

    private void Add(TableSpec table, ushort priority, MatchBuilder match, OpenFlow.Instructions.InstructionList instructions, FlowOwner owner, string role) =>
        _sink.Add(_f.Flow(table, priority, match.Build(), instructions, owner, role));

    /// <summary>2/4 (0/4 without DVR): local VLAN to the provider VLAN, or untagged for flat.</summary>
    private void Translation(Network network, TableSpec table)
    {
        var owner = FlowOwner.Network(network.Name);
        int lv = _plan.LocalVlans[network.Name];
        string role = $"{table.Name}: local VLAN {lv} to {network.Name} {(network.Type == NetworkType.Flat ? "untagged" : $"VLAN {network.SegmentationId}")}";
        if (!_sink.TryPort(_f, _phyPort, owner, role, out uint phy))
        {
            return;
        }

        var actions = network.Type == NetworkType.Flat
            ? Instr.Apply(PopVlan, Normal)
            : Instr.Apply(SetVlan(checked((int)network.SegmentationId!.Value)), Normal);
        Add(table, P.LocalToProviderVlan, Match().InPort(phy).VlanVid((ushort)lv), actions, owner, role);
    }

    /// <summary>
    /// 1/3 gateway ARP/RA drop (Neutron writes it to table 22, which nothing reaches), 1/2 gateway-MAC drop,
    /// 1/1 gateway source MAC to this host's DVR MAC.
    /// </summary>
    private void RouterInterface(HostedRouterInterface ri)
    {
        var owner = FlowOwner.RouterInterface(ri.Port.Name);
        var lv = (ushort)ri.LocalVlan;
        foreach (var ip in ri.Ipv4)
        {
            Add(T.DvrProcessPhysical, P.GatewayArpDrop, Match().Arp().VlanVid(lv).ArpTpa(ip), Instr.Drop, owner, $"DVR_PROCESS_PHYSICAL: ARP for gateway {ip} stays local");
        }

        if (ri.HasIpv6)
        {
            Add(T.DvrProcessPhysical, P.GatewayArpDrop, Match().VlanVid(lv).EthSrc(ri.GatewayMac).Icmpv6(Icmpv6RouterAdvertisement), Instr.Drop, owner,
                $"DVR_PROCESS_PHYSICAL: router advertisements of {ri.Port.Name} stay local");
        }

        Add(T.DvrProcessPhysical, P.GatewayMacDrop, Match().VlanVid(lv).EthDst(ri.GatewayMac), Instr.Drop, owner,
            $"DVR_PROCESS_PHYSICAL: frames to gateway MAC of {ri.Port.Name} stay local");
        Add(T.DvrProcessPhysical, P.GatewaySourceRewrite, Match().VlanVid(lv).EthSrc(ri.GatewayMac),
            Instr.ApplyThenGoto(T.LocalVlanTranslation, SetEthSrc(_plan.Host.DvrMac)), owner,
            $"DVR_PROCESS_PHYSICAL: routed by {ri.Port.Name}, source becomes this host's DVR MAC");
    }

    public override string ToString() => $"{_bridge.Name} ({_physnet})";
}
