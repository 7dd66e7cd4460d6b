using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Dvr.DvrFlows.Topology;
using Dvr.OvsTestbed.Exec;
using Dvr.OvsTestbed.Ovs;
using Dvr.OvsTestbed.Plan;

namespace Dvr.OvsTestbed;

/// <summary>
/// A Mininet-style multi-host Open vSwitch testbed built from a topology: per host a network namespace with its own
/// ovsdb-server and ovs-vswitchd on the userspace datapath, VXLAN between hosts over a Linux-bridge underlay, and
/// VM, router, SNAT and external namespaces (docs/testbed.md).
/// </summary>
public static class Testbed
{
    public const string ManifestFileName = "testbed.json";

    /// <summary>
    /// Builds the testbed. Whatever an earlier testbed with the same prefix left behind (even after a crash) is torn
    /// down first, so calling it twice is harmless. On failure everything built so far is torn down again.
    /// </summary>
    public static async Task<RunningTestbed> UpAsync(Topology topology, TestbedOptions options, CancellationToken cancellationToken = default)
    {
        var plan = TestbedPlanner.Create(topology, options);
        await CheckPrerequisitesAsync(plan, cancellationToken).ConfigureAwait(false);
        await Teardown.RunAsync(options, cancellationToken).ConfigureAwait(false);

        var stopwatch = Stopwatch.StartNew();
        try
        {
            Directory.CreateDirectory(plan.BaseDirectory);
            foreach (var host in plan.Hosts)
            {
                Directory.CreateDirectory(host.RunDirectory);
            }

            await WriteManifestAsync(plan, topology, options, cancellationToken).ConfigureAwait(false);
            await NetworkSetup.CreateSharedAsync(plan, cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(plan.Hosts.Select(h => UpHostAsync(plan, h, options.Controller, cancellationToken))).ConfigureAwait(false);
        }
        catch when (!options.KeepOnFailure)
        {
            await Teardown.RunAsync(options, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        return new RunningTestbed(plan, topology, options, stopwatch.Elapsed);
    }

    /// <summary>
    /// A handle on a testbed that is already up (e.g. started with `dvr-testbed up` by another process), for the same
    /// topology and options. Touches nothing; throws if the testbed's manifest is missing.
    /// </summary>
    public static RunningTestbed Attach(Topology topology, TestbedOptions options)
    {
        var plan = TestbedPlanner.Create(topology, options);
        string manifest = Path.Combine(plan.BaseDirectory, ManifestFileName);
        if (!File.Exists(manifest))
        {
            throw new InvalidOperationException($"no testbed '{options.Prefix}' is up: {manifest} does not exist");
        }

        // The hosts are fixed for the life of a testbed: a topology with other hosts or tunnel addresses describes
        // another testbed (dynamics change ports, routers and networks only).
        var recorded = JsonSerializer.Deserialize<TestbedManifest>(File.ReadAllText(manifest), ManifestJson.Options);
        string Hosts(IEnumerable<(string Name, string TunnelIp)> hosts) => string.Join(", ", hosts.Select(h => $"{h.Name} {h.TunnelIp}"));
        string upHosts = Hosts(recorded?.Hosts.Select(h => (h.Name, h.TunnelIp)) ?? []);
        string topologyHosts = Hosts(plan.Hosts.Select(h => (h.Name, h.Host.TunnelIp.ToString())));
        if (upHosts != topologyHosts)
        {
            throw new InvalidOperationException($"testbed '{options.Prefix}' is up with hosts [{upHosts}], the topology has [{topologyHosts}]");
        }

        return new RunningTestbed(plan, topology, options, TimeSpan.Zero);
    }

    /// <summary>Tears down the testbed with this prefix (see <see cref="Teardown"/>); harmless when there is none.</summary>
    public static Task<TeardownReport> DownAsync(TestbedOptions options, CancellationToken cancellationToken = default) =>
        Teardown.RunAsync(options, cancellationToken);

    /// <summary>A human-readable report: namespaces, daemons, and each host's `ovs-vsctl show`.</summary>
    public static async Task<string> StatusAsync(TestbedOptions options, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var text = new StringBuilder();
        string baseDir = options.ResolvedBaseDirectory;
        var namespaces = (await Teardown.ListNamespacesAsync(cancellationToken).ConfigureAwait(false))
            .Where(n => TestbedNames.IsOwnNamespace(options.Prefix, n)).Order(StringComparer.Ordinal).ToList();
        var links = (await Teardown.ListRootLinksAsync(cancellationToken).ConfigureAwait(false))
            .Where(l => TestbedNames.IsOwnRootLink(options.Prefix, l)).ToList();
        text.AppendLine($"testbed '{options.Prefix}' in {baseDir}: {(Directory.Exists(baseDir) ? "run directory present" : "no run directory")}");
        text.AppendLine($"namespaces ({namespaces.Count}): {string.Join(' ', namespaces)}");
        text.AppendLine($"root links ({links.Count}): {string.Join(' ', links)}");
        if (!Directory.Exists(baseDir))
        {
            return text.ToString();
        }

        foreach (string hostDir in Directory.EnumerateDirectories(baseDir).Order(StringComparer.Ordinal))
        {
            text.AppendLine($"host {Path.GetFileName(hostDir)}:");
            foreach (string pidFile in Directory.EnumerateFiles(hostDir, "*.pid").Order(StringComparer.Ordinal))
            {
                string pidText = (await File.ReadAllTextAsync(pidFile, cancellationToken).ConfigureAwait(false)).Trim();
                bool alive = int.TryParse(pidText, System.Globalization.CultureInfo.InvariantCulture, out int pid) && Teardown.IsAlive(pid);
                text.AppendLine($"  {Path.GetFileNameWithoutExtension(pidFile)} pid {pidText} {(alive ? "running" : "NOT running")}");
            }

            string db = Path.Combine(hostDir, "db.sock");
            if (File.Exists(db))
            {
                var show = await CommandRunner.RunAsync("ovs-vsctl", [$"--db=unix:{db}", "--timeout=5", "show"], cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
                foreach (string line in (show.Succeeded ? show.Stdout : show.Stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    text.Append("    ").AppendLine(line);
                }
            }
        }

        return text.ToString();
    }

    private static async Task UpHostAsync(TestbedPlan plan, HostPlan host, ControllerTarget controller, CancellationToken ct)
    {
        try
        {
            await NetworkSetup.CreateHostLinksAsync(plan, host, ct).ConfigureAwait(false);
            await OvsHostSetup.StartAsync(host, controller, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new TestbedCommandException($"bringing up host '{host.Name}' failed (logs in {host.RunDirectory}): {e.Message}", e);
        }
    }

    private static async Task CheckPrerequisitesAsync(TestbedPlan plan, CancellationToken ct)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException("the testbed creates network namespaces and must run as root");
        }

        var tools = new List<string> { "ip", "ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-appctl", "ethtool" };
        if (plan.Namespaces.Any(n => n.Iptables.Length > 0))
        {
            tools.Add("iptables");
        }

        var missing = new List<string>();
        foreach (string tool in tools)
        {
            var which = await CommandRunner.RunAsync("sh", ["-c", $"command -v {tool}"], cancellationToken: ct).ConfigureAwait(false);
            if (!which.Succeeded)
            {
                missing.Add(tool);
            }
        }

        if (!File.Exists(OvsHostSetup.SchemaPath))
        {
            missing.Add(OvsHostSetup.SchemaPath);
        }

        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"the testbed needs {string.Join(", ", missing)}; install with scripts/setup.sh (docs/testbed.md)");
        }
    }

    internal static async Task WriteManifestAsync(TestbedPlan plan, Topology topology, TestbedOptions options, CancellationToken ct)
    {
        var manifest = new TestbedManifest(
            plan.Prefix,
            topology.SourcePath,
            options.Controller.ToString() ?? "none",
            DateTime.UtcNow,
            [.. plan.Hosts.Select(h => new TestbedManifestHost(h.Name, h.Namespace, h.RunDirectory, h.Host.TunnelIp.ToString()))],
            [.. plan.AllNamespaceNames()]);
        await File.WriteAllTextAsync(
            Path.Combine(plan.BaseDirectory, ManifestFileName),
            JsonSerializer.Serialize(manifest, ManifestJson.Options),
            ct).ConfigureAwait(false);
    }
}

/// <summary>What a testbed consists of, written to PREFIX's run directory for `status` and for people debugging.</summary>
public sealed record TestbedManifest(
    string Prefix,
    string? Topology,
    string Controller,
    DateTime CreatedUtc,
    IReadOnlyList<TestbedManifestHost> Hosts,
    IReadOnlyList<string> Namespaces);

public sealed record TestbedManifestHost(string Name, string Namespace, string RunDirectory, string TunnelIp);

internal static class ManifestJson
{
    public static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
