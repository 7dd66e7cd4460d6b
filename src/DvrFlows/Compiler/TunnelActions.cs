using System.Collections.Immutable;
using System.Net;
using Dvr.DvrFlows.Pipeline;
using Dvr.OpenFlow;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Match;

namespace Dvr.DvrFlows.Compiler;

/// <summary>The Nicira-extension action lists of br-tun: the ARP responder (table 21) and MAC learning (table 10).</summary>
internal static class TunnelActions
{
    /// <summary>The learned flows expire after 300 s without refresh, as Neutron's (br_tun.py learn_from_tun, hard_timeout=300).</summary>
    public const ushort LearnedHardTimeout = 300;

    private static NxmFieldInfo Field(string nxmName) =>
        NxmFieldTable.FromName(nxmName) ?? throw new InvalidOperationException($"the action codec has no field {nxmName}");

    private static NxmSubfield Whole(string nxmName) => NxmSubfield.Whole(Field(nxmName));

    private static RegMoveAction Move(string from, string to) => new(Whole(from), Whole(to));

    /// <summary>
    /// 21/1 (br_tun.py install_arp_responder): turn the ARP request into the reply for <paramref name="ip"/> at
    /// <paramref name="mac"/> and send it back out of the port it came in on:
    /// <c>set_field:2-&gt;arp_op, move:ARP_SHA-&gt;ARP_THA, move:ARP_SPA-&gt;ARP_TPA, set_field:MAC-&gt;arp_sha,
    /// set_field:IP-&gt;arp_spa, move:ETH_SRC-&gt;ETH_DST, set_field:MAC-&gt;eth_src, IN_PORT</c>.
    /// </summary>
    public static ImmutableArray<OfpAction> ArpResponder(MacAddress mac, IPAddress ip) =>
    [
        SetArpReply,
        MoveArpShaToTha,
        MoveArpSpaToTpa,
        new SetFieldAction(OxmFields.ArpSha, mac.Value),
        new SetFieldAction(OxmFields.ArpSpa, Ipv4Value(ip)),
        MoveEthSrcToDst,
        FlowHelpers.SetEthSrc(mac),
        OutputInPort,
    ];

    // The parts of every ARP responder entry that do not depend on the port: built once (actions are immutable),
    // not looked up by NXM name again for each of the ~50,000 entries of a large cloud.
    private static readonly SetFieldAction SetArpReply = new(OxmFields.ArpOp, FlowHelpers.ArpReply);
    private static readonly RegMoveAction MoveArpShaToTha = Move("NXM_NX_ARP_SHA", "NXM_NX_ARP_THA");
    private static readonly RegMoveAction MoveArpSpaToTpa = Move("NXM_OF_ARP_SPA", "NXM_OF_ARP_TPA");
    private static readonly RegMoveAction MoveEthSrcToDst = Move("NXM_OF_ETH_SRC", "NXM_OF_ETH_DST");
    private static readonly OutputAction OutputInPort = FlowHelpers.InPort;

    /// <summary>
    /// 10/1 (br_tun.py learn_from_tun): learn the frame's source into UCAST_TO_TUN as
    /// <c>vlan_tci[0..11] + dl_dst=source MAC → strip VLAN, set the tunnel id, output to the tunnel it came from</c>.
    /// </summary>
    public static LearnAction LearnFromTunnel(ulong cookie)
    {
        var vlanTci = Field("NXM_OF_VLAN_TCI");
        var vlanVid = new NxmSubfield(vlanTci, 0, 12);
        var tunId = Whole("NXM_NX_TUN_ID");
        return new LearnAction
        {
            TableId = BrTunTables.UcastToTun.Id,
            HardTimeout = LearnedHardTimeout,
            Priority = BrTunPriority.Learned,
            Cookie = cookie,
            Specs =
            [
                new LearnSpec(LearnSpecKind.Match, 12, vlanVid, 0, vlanVid),
                new LearnSpec(LearnSpecKind.Match, 48, Whole("NXM_OF_ETH_SRC"), 0, Whole("NXM_OF_ETH_DST")),
                new LearnSpec(LearnSpecKind.Load, 16, null, 0, NxmSubfield.Whole(vlanTci)),
                new LearnSpec(LearnSpecKind.Load, 64, tunId, 0, tunId),
                new LearnSpec(LearnSpecKind.Output, 32, Whole("OXM_OF_IN_PORT"), 0, null),
            ],
        };
    }

    private static uint Ipv4Value(IPAddress ip)
    {
        var bytes = ip.GetAddressBytes();
        return ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
    }
}
