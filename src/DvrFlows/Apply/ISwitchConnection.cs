using Dvr.DvrFlows.Reconcile;

namespace Dvr.DvrFlows.Apply;

/// <summary>
/// What a bridge session needs from one connected switch (one OVS bridge). <see cref="OpenFlowSwitch"/>
/// implements it over an OpenFlow channel; tests implement it with an in-memory flow table.
/// </summary>
public interface ISwitchConnection
{
    /// <summary>The peer as logged.</summary>
    string PeerName { get; }

    /// <summary>datapath_id from FEATURES_REPLY.</summary>
    ulong DatapathId { get; }

    /// <summary>Live interface name → OpenFlow port number of this bridge (PORT_DESC, then PORT_STATUS).</summary>
    IReadOnlyDictionary<string, uint> Ports { get; }

    /// <summary>Raised (on the connection's read loop) after <see cref="Ports"/> changed.</summary>
    event EventHandler? PortsChanged;

    /// <summary>Completes when the connection ends.</summary>
    Task Completion { get; }

    /// <summary>Flows whose cookie equals <paramref name="cookie"/> exactly (flow stats with cookie_mask all ones), all tables.</summary>
    Task<IReadOnlyList<FlowEntry>> DumpFlowsAsync(ulong cookie, CancellationToken cancellationToken);

    /// <summary>
    /// Applies the changes atomically (one bundle) and returns once the switch has acknowledged them with a
    /// barrier reply. On any error nothing is applied.
    /// </summary>
    /// <exception cref="FlowApplyException">The switch rejected the change; nothing was applied.</exception>
    Task ApplyAsync(FlowDiff diff, CancellationToken cancellationToken);
}
