namespace Dvr.OpenFlow.Connection;

/// <summary>Timers and limits of one OpenFlow connection. The defaults follow OVS's rconn (lib/rconn.c).</summary>
public sealed record OpenFlowChannelOptions
{
    public static readonly OpenFlowChannelOptions Default = new();

    /// <summary>
    /// Idle time after which we send an ECHO_REQUEST. OVS's rconn probes after 5 s of silence
    /// (Controller.inactivity_probe default 5000 ms).
    /// </summary>
    public TimeSpan EchoInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Further silence after the probe before the peer is declared dead and dropped (rconn waits one more
    /// probe interval, so a dead switch is noticed within about two intervals).
    /// </summary>
    public TimeSpan EchoTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the peer has to send its HELLO after the connection opens.</summary>
    public TimeSpan HelloTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A flush that cannot drain to the socket within this time means the peer stopped reading: the peer
    /// is dropped instead of letting our buffers grow (a slow switch must not hold memory or other switches).
    /// </summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Default time to wait for the reply to a request (a whole multipart reply for dumps).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Bytes encoded before the writer flushes to the socket. Bounds the memory one batch (e.g. a bundle
    /// of 100,000 flow mods) holds in the pipe, while still filling whole TCP segments.
    /// </summary>
    public int FlushThresholdBytes { get; init; } = 256 * 1024;
}
