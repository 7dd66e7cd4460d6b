using System.Net;
using Dvr.OpenFlow;
using Dvr.OpenFlow.Actions;

namespace Dvr.DvrFlows.Compiler;

// INTERIM until codec-actions lands move/learn.
internal static class TunnelActions
{
    public static OfpAction[] ArpResponder(MacAddress mac, IPAddress ip) => [FlowHelpers.SetEthSrc(mac), FlowHelpers.InPort];

    public static OfpAction LearnFromTunnel(ulong cookie) => FlowHelpers.PopVlan;
}
