using System.Collections.Immutable;
using Dvr.OpenFlow.Connection;

namespace Dvr.SwitchSim;

/// <summary>One port the simulated bridge reports in PORT_DESC (interface name and OpenFlow port number).</summary>
public sealed record SimulatedPort(string Name, uint Number);

/// <summary>What one simulated switch (one OVS bridge) looks like to the controller.</summary>
public sealed record SimulatedSwitchOptions
{
    /// <summary>
    /// The largest multipart reply part, in bytes. OVS starts a new part when the next entry would push a
    /// message past 65,535 bytes (lib/ofp-msgs.c ofpmp_postappend), so its parts are just under 64 KiB.
    /// </summary>
    public const int DefaultMaxPartBytes = ushort.MaxValue;

    /// <summary>datapath_id in FEATURES_REPLY: how the controller finds (host, bridge) in its topology.</summary>
    public required ulong DatapathId { get; init; }

    /// <summary>The bridge name: OVS reports the bridge's LOCAL port under this name.</summary>
    public string BridgeName { get; init; } = "br-int";

    /// <summary>The bridge's ports (besides LOCAL), for the controller's port-name resolution.</summary>
    public ImmutableArray<SimulatedPort> Ports { get; init; } = [];

    /// <summary>
    /// Extra time before each BARRIER_REPLY and bundle COMMIT_REPLY: a slow switch, to show that one slow
    /// switch does not stall the controller's other switches. Zero answers at once.
    /// </summary>
    public TimeSpan ReplyDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Largest multipart reply part (see <see cref="DefaultMaxPartBytes"/>).</summary>
    public int MaxPartBytes { get; init; } = DefaultMaxPartBytes;

    /// <summary>Keepalive and timeouts of the connection to the controller.</summary>
    public OpenFlowChannelOptions Channel { get; init; } = OpenFlowChannelOptions.Default;
}
