namespace Dvr.DvrFlows.Apply;

/// <summary>Connection state of one bridge as exported in metrics.</summary>
public enum BridgeState
{
    Disconnected = 0,
    Syncing = 1,
    InSync = 2,
    OutOfSync = 3,
}

/// <summary>
/// Where sessions report what they do. The CLI implements it with Prometheus gauges and counters; the
/// default does nothing.
/// </summary>
public interface IControllerMetrics
{
    void SetState(string host, string bridge, BridgeState state);

    void SetFlowCounts(string host, string bridge, int desired, int installed);

    void AddFlowModsSent(string host, string bridge, int count);

    void BundleCommitted(string host, string bridge);

    void BundleFailed(string host, string bridge);

    void ObserveReconcile(string host, string bridge, TimeSpan duration);
}

public sealed class NullControllerMetrics : IControllerMetrics
{
    public static readonly NullControllerMetrics Instance = new();

    public void SetState(string host, string bridge, BridgeState state)
    {
    }

    public void SetFlowCounts(string host, string bridge, int desired, int installed)
    {
    }

    public void AddFlowModsSent(string host, string bridge, int count)
    {
    }

    public void BundleCommitted(string host, string bridge)
    {
    }

    public void BundleFailed(string host, string bridge)
    {
    }

    public void ObserveReconcile(string host, string bridge, TimeSpan duration)
    {
    }
}
