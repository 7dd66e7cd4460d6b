using Dvr.DvrFlows.Apply;
using Prometheus;

namespace Dvr.Cli.Commands;

/// <summary>The controller's metrics as Prometheus series, labelled by host and bridge.</summary>
public sealed class PrometheusControllerMetrics : IControllerMetrics
{
    private static readonly string[] Labels = ["host", "bridge"];

    private readonly Gauge _state;
    private readonly Gauge _connected;
    private readonly Gauge _desired;
    private readonly Gauge _installed;
    private readonly Counter _flowMods;
    private readonly Counter _commits;
    private readonly Counter _failures;
    private readonly Histogram _reconcile;

    public PrometheusControllerMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        _state = factory.CreateGauge("dvr_bridge_state", "Bridge session state: 0 disconnected, 1 syncing, 2 in sync, 3 out of sync.", Labels);
        _connected = factory.CreateGauge("dvr_bridge_connected", "1 while the bridge has an OpenFlow connection to this controller.", Labels);
        _desired = factory.CreateGauge("dvr_flows_desired", "Flows the topology compiles to for the bridge.", Labels);
        _installed = factory.CreateGauge("dvr_flows_installed", "Flows with Dvr's cookie the controller knows to be installed on the bridge.", Labels);
        _flowMods = factory.CreateCounter("dvr_flow_mods_sent_total", "FLOW_MOD messages committed to the bridge.", Labels);
        _commits = factory.CreateCounter("dvr_bundle_commits_total", "Bundles committed (one per change set).", Labels);
        _failures = factory.CreateCounter("dvr_bundle_failures_total", "Change sets the switch rejected (bundle discarded).", Labels);
        _reconcile = factory.CreateHistogram(
            "dvr_reconcile_duration_seconds",
            "Time of one reconcile pass (compile, optional dump, diff, apply).",
            new HistogramConfiguration { LabelNames = Labels, Buckets = Histogram.ExponentialBuckets(0.0005, 4, 10) });
    }

    public void SetState(string host, string bridge, BridgeState state)
    {
        _state.WithLabels(host, bridge).Set((int)state);
        _connected.WithLabels(host, bridge).Set(state == BridgeState.Disconnected ? 0 : 1);
    }

    public void SetFlowCounts(string host, string bridge, int desired, int installed)
    {
        _desired.WithLabels(host, bridge).Set(desired);
        _installed.WithLabels(host, bridge).Set(installed);
    }

    public void AddFlowModsSent(string host, string bridge, int count) => _flowMods.WithLabels(host, bridge).Inc(count);

    public void BundleCommitted(string host, string bridge) => _commits.WithLabels(host, bridge).Inc();

    public void BundleFailed(string host, string bridge) => _failures.WithLabels(host, bridge).Inc();

    public void ObserveReconcile(string host, string bridge, TimeSpan duration) => _reconcile.WithLabels(host, bridge).Observe(duration.TotalSeconds);
}
