using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using Dvr.DvrFlows.Topology;
using Dvr.OvsTestbed.Exec;
using Dvr.OvsTestbed.Plan;

namespace Dvr.OvsTestbed;

/// <summary>The outcome of <see cref="RunningTestbed.PingAsync"/>: packets sent and received, and ping's output.</summary>
public sealed record PingResult(int Transmitted, int Received, string Output)
{
    public bool Success => Received > 0;

    public bool AllReceived => Transmitted > 0 && Received == Transmitted;
}

/// <summary>
/// A testbed that is up. Tests reach each host's OVS through <see cref="Hosts"/>, run commands in any namespace with
/// <see cref="ExecAsync"/>, and ping between ports. Disposing it tears it down.
/// </summary>
public sealed partial class RunningTestbed : IAsyncDisposable
{
    internal RunningTestbed(TestbedPlan plan, Topology topology, TestbedOptions options, TimeSpan bringUpTime)
    {
        Plan = plan;
        Topology = topology;
        Options = options;
        BringUpTime = bringUpTime;
        Hosts = plan.Hosts.ToImmutableSortedDictionary(h => h.Name, h => new TestbedHost(h), StringComparer.Ordinal);
    }

    /// <summary>The plan of the topology last applied (<see cref="ApplyAsync"/> replaces it).</summary>
    public TestbedPlan Plan { get; private set; }

    /// <summary>The topology the testbed was built from or last brought to.</summary>
    public Topology Topology { get; private set; }

    public TestbedOptions Options { get; }

    public string Prefix => Plan.Prefix;

    /// <summary>Wall time of the bring-up itself (after the preliminary teardown).</summary>
    public TimeSpan BringUpTime { get; }

    public ImmutableSortedDictionary<string, TestbedHost> Hosts { get; }

    public string UnderlayNamespace => Plan.Underlay.Namespace;

    /// <summary>The namespace playing the internet (external gateway address and <see cref="TestbedOptions.InternetAddress"/>), or null.</summary>
    public string? ExternalNamespace => Plan.External?.Namespace;

    public TestbedHost Host(string name) =>
        Hosts.TryGetValue(name, out var host) ? host : throw new KeyNotFoundException($"testbed '{Prefix}' has no host '{name}'");

    /// <summary>The namespace of a VM or DHCP port (PREFIXv-PORT), by topology port name.</summary>
    public string PortNamespace(string port) => NamespaceOf(NamespaceKind.Port, port, null);

    /// <summary>A router's namespace on a host (PREFIXr-ROUTER-HOST), distributed or legacy.</summary>
    public string RouterNamespace(string router, string host) =>
        Plan.Namespaces.FirstOrDefault(n => n.Kind is NamespaceKind.DistributedRouter or NamespaceKind.LegacyRouter && n.Owner == router && n.Host == host)?.Name
        ?? throw new KeyNotFoundException($"testbed '{Prefix}' has no namespace for router '{router}' on host '{host}'");

    /// <summary>A distributed router's SNAT namespace (PREFIXs-ROUTER).</summary>
    public string SnatNamespace(string router) => NamespaceOf(NamespaceKind.Snat, router, null);

    /// <summary>
    /// Where to capture a host's VXLAN traffic: the underlay-namespace end of its underlay veth
    /// (e.g. <c>ip netns exec PREFIXunder tcpdump -i ul-cn1</c>).
    /// </summary>
    public (string Namespace, string Interface) UnderlayCapturePoint(string host) => (UnderlayNamespace, Host(host).Plan.UnderlayPeer);

    /// <summary>Runs <paramref name="argv"/> inside namespace <paramref name="ns"/>; never throws for a non-zero exit.</summary>
    public Task<CommandResult> ExecAsync(string ns, params string[] argv) => ExecAsync(ns, argv, CancellationToken.None);

    public Task<CommandResult> ExecAsync(string ns, IReadOnlyList<string> argv, CancellationToken cancellationToken)
    {
        if (argv.Count == 0)
        {
            throw new ArgumentException("no command given", nameof(argv));
        }

        return CommandRunner.RunAsync("ip", ["netns", "exec", ns, .. argv], cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Pings <paramref name="destination"/> from the namespace of port <paramref name="fromPort"/> (or any namespace
    /// name of this testbed): <paramref name="count"/> echo requests 0.2 s apart, each waiting up to
    /// <paramref name="timeout"/> (default 2 s) for its reply.
    /// </summary>
    public async Task<PingResult> PingAsync(string fromPort, string destination, int count = 3, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        string ns = Plan.AllNamespaceNames().Contains(fromPort, StringComparer.Ordinal) ? fromPort : PortNamespace(fromPort);
        int waitSeconds = Math.Max(1, (int)Math.Ceiling((timeout ?? TimeSpan.FromSeconds(2)).TotalSeconds));
        var result = await ExecAsync(
            ns,
            ["ping", "-n", "-q", "-c", count.ToString(CultureInfo.InvariantCulture), "-i", "0.2", "-W", waitSeconds.ToString(CultureInfo.InvariantCulture), destination],
            cancellationToken).ConfigureAwait(false);
        var match = PingSummary().Match(result.Stdout);
        if (!match.Success)
        {
            throw new TestbedCommandException($"ping from {ns} to {destination} printed no summary: {result.Stdout} {result.Stderr}");
        }

        return new PingResult(
            int.Parse(match.Groups["tx"].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups["rx"].Value, CultureInfo.InvariantCulture),
            result.Stdout);
    }

    /// <summary>
    /// Forgets what traffic taught the testbed, so that a new set of flows starts clean: every bridge's MAC table
    /// (fdb/flush) and the dynamic neighbour entries of every port, router and SNAT namespace (a failed ARP keeps later
    /// pings failing for seconds). The routers' permanent neighbour entries stay.
    /// </summary>
    public async Task FlushLearnedStateAsync(CancellationToken cancellationToken = default)
    {
        var flushes = Hosts.Values.Select(host => (Task)host.AppctlAsync(["fdb/flush"], cancellationToken)).ToList();
        flushes.AddRange(Plan.Namespaces.Select(ns =>
            (Task)CommandRunner.RunCheckedAsync("ip", ["-n", ns.Name, "neigh", "flush", "all"], cancellationToken: cancellationToken)));
        await Task.WhenAll(flushes).ConfigureAwait(false);
    }

    /// <summary>
    /// Works out what bringing the running testbed to <paramref name="topology"/> takes (same hosts, bridges and
    /// external networks; ports, routers and networks may change), from the live state. Run it with
    /// <see cref="TestbedTransition.RunAsync"/>, or phase by phase around a controller update. One transition at a time.
    /// </summary>
    public Task<TestbedTransition> PlanTransitionAsync(Topology topology, CancellationToken cancellationToken = default) =>
        TestbedTransition.PlanAsync(this, topology, cancellationToken);

    /// <summary>Brings the running testbed to <paramref name="topology"/> (all phases of <see cref="PlanTransitionAsync"/>).</summary>
    public async Task<TestbedTransition> ApplyAsync(Topology topology, CancellationToken cancellationToken = default)
    {
        var transition = await PlanTransitionAsync(topology, cancellationToken).ConfigureAwait(false);
        await transition.RunAsync(cancellationToken).ConfigureAwait(false);
        return transition;
    }

    internal async Task AdoptAsync(TestbedPlan plan, Topology topology, CancellationToken cancellationToken)
    {
        Plan = plan;
        Topology = topology;
        foreach (var host in plan.Hosts)
        {
            Hosts[host.Name].Plan = host;
        }

        await Testbed.WriteManifestAsync(plan, topology, Options, cancellationToken).ConfigureAwait(false);
    }

    public Task<TeardownReport> DownAsync(CancellationToken cancellationToken = default) => Testbed.DownAsync(Options, cancellationToken);

    public async ValueTask DisposeAsync() => await DownAsync().ConfigureAwait(false);

    private string NamespaceOf(NamespaceKind kind, string owner, string? host) =>
        Plan.Namespaces.FirstOrDefault(n => n.Kind == kind && n.Owner == owner && (host is null || n.Host == host))?.Name
        ?? throw new KeyNotFoundException($"testbed '{Prefix}' has no {kind} namespace for '{owner}'");

    [GeneratedRegex(@"(?<tx>\d+) packets transmitted, (?<rx>\d+) (?:packets )?received")]
    private static partial Regex PingSummary();
}
