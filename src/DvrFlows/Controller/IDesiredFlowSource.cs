using Dvr.DvrFlows.Reconcile;
using Dvr.DvrFlows.Topology;

namespace Dvr.DvrFlows.Controller;

/// <summary>
/// Computes the flows Dvr wants on the bridges of one host, given the topology and the live port numbers.
/// Flows that need a port the host's bridges do not (yet) have are left out; they appear on the next
/// compute after PORT_STATUS adds the port.
/// </summary>
public interface IDesiredFlowSource
{
    /// <summary>Bridge name → desired flows, for every bridge of <paramref name="host"/>.</summary>
    IReadOnlyDictionary<string, IReadOnlyList<FlowEntry>> Compute(Topology.Topology topology, Host host, HostPortMap ports);
}
