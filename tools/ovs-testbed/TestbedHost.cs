using System.Globalization;
using Dvr.OvsTestbed.Exec;
using Dvr.OvsTestbed.Ovs;
using Dvr.OvsTestbed.Plan;

namespace Dvr.OvsTestbed;

/// <summary>
/// One host of a running testbed: its namespace, run directory and wrappers for its own ovs-vsctl, ovs-ofctl
/// (always -O OpenFlow13, pitfall 4) and ovs-appctl. The wrappers throw <see cref="TestbedCommandException"/> on failure.
/// </summary>
public sealed class TestbedHost
{
    internal TestbedHost(HostPlan plan) => Plan = plan;

    /// <summary>The host's part of the testbed plan; replaced when a new topology is applied.</summary>
    public HostPlan Plan { get; internal set; }

    public string Name => Plan.Name;

    public string Namespace => Plan.Namespace;

    public string RunDirectory => Plan.RunDirectory;

    public string DbSocket => Plan.DbSocket;

    /// <summary>The vswitchd unixctl socket (ovs-appctl -t).</summary>
    public string VswitchdControl => Plan.VswitchdControl;

    public string IntegrationBridge => Plan.Host.Integration.Name;

    public string TunnelBridge => Plan.Host.Tunnel.Name;

    /// <summary>The unix socket ovs-ofctl uses to talk to <paramref name="bridge"/> (&lt;run dir&gt;/&lt;bridge&gt;.mgmt).</summary>
    public string ManagementSocket(string bridge) => Path.Combine(RunDirectory, bridge + ".mgmt");

    /// <summary>The host's local VLAN for a network (the OVS Port tag of its ports).</summary>
    public int LocalVlan(string network) =>
        Plan.LocalVlans.TryGetValue(network, out int vlan) ? vlan : throw new KeyNotFoundException($"network '{network}' is not present on host '{Name}'");

    public Task<CommandResult> VsctlAsync(params string[] args) => VsctlAsync(args, CancellationToken.None);

    public Task<CommandResult> VsctlAsync(IEnumerable<string> args, CancellationToken cancellationToken) =>
        CommandRunner.RunCheckedAsync("ovs-vsctl", [$"--db=unix:{DbSocket}", "--timeout=30", .. args], cancellationToken: cancellationToken);

    public Task<CommandResult> OfctlAsync(params string[] args) => OfctlAsync(args, null, CancellationToken.None);

    /// <summary>ovs-ofctl -O OpenFlow13 ARGS, with <paramref name="stdin"/> for commands reading "-" (add-flows BR -).</summary>
    public Task<CommandResult> OfctlAsync(IEnumerable<string> args, string? stdin, CancellationToken cancellationToken) =>
        CommandRunner.RunCheckedAsync("ovs-ofctl", ["-O", "OpenFlow13", .. args], stdin, OvsHostSetup.Environment(Plan), cancellationToken);

    public Task<CommandResult> AppctlAsync(params string[] args) => AppctlAsync(args, CancellationToken.None);

    public Task<CommandResult> AppctlAsync(IEnumerable<string> args, CancellationToken cancellationToken) =>
        CommandRunner.RunCheckedAsync("ovs-appctl", ["-t", VswitchdControl, .. args], cancellationToken: cancellationToken);

    /// <summary>Replaces all flows of <paramref name="bridge"/> with <paramref name="flows"/> (ovs-ofctl replace-flows).</summary>
    public Task<CommandResult> ReplaceFlowsAsync(string bridge, IEnumerable<string> flows, CancellationToken cancellationToken = default) =>
        OfctlAsync(["replace-flows", bridge, "-"], string.Join('\n', flows) + "\n", cancellationToken);

    /// <summary>The OpenFlow port number OVS gave an interface.</summary>
    public async Task<int> OfPortAsync(string iface, CancellationToken cancellationToken = default)
    {
        var result = await VsctlAsync(["get", "Interface", iface, "ofport"], cancellationToken).ConfigureAwait(false);
        string text = result.Stdout.Trim();
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int ofport) && ofport > 0
            ? ofport
            : throw new TestbedCommandException($"host '{Name}': interface '{iface}' has no OpenFlow port ({text})");
    }

    /// <summary>Runs <paramref name="argv"/> inside the host namespace; never throws for a non-zero exit.</summary>
    public Task<CommandResult> ExecAsync(params string[] argv) =>
        CommandRunner.RunAsync("ip", ["netns", "exec", Namespace, .. argv]);

    /// <summary>The PID in the host's ovs-vswitchd pidfile if that process is alive and is this host's vswitchd, else null.</summary>
    public int? VswitchdPid
    {
        get
        {
            string pidFile = Path.Combine(RunDirectory, "ovs-vswitchd.pid");
            if (!File.Exists(pidFile)
                || !int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                return null;
            }

            // The command line must name this pidfile: a recycled PID is never signalled.
            return Teardown.IsAlive(pid) && Teardown.ReadCommandLine(pid)?.Contains($"--pidfile={pidFile}", StringComparison.Ordinal) == true ? pid : null;
        }
    }

    /// <summary>
    /// Kills this host's ovs-vswitchd with SIGKILL (a crash: no cleanup, flows gone, the controller connections drop)
    /// and waits until it has exited. Returns its PID. The database server keeps running.
    /// </summary>
    public async Task<int> KillVswitchdAsync(CancellationToken cancellationToken = default)
    {
        int pid = VswitchdPid ?? throw new InvalidOperationException($"host '{Name}': no running ovs-vswitchd of this testbed");
        await CommandRunner.RunCheckedAsync("kill", ["-KILL", pid.ToString(CultureInfo.InvariantCulture)], cancellationToken: cancellationToken).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (Teardown.IsAlive(pid))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TestbedCommandException($"host '{Name}': ovs-vswitchd {pid} still alive 5 s after SIGKILL");
            }

            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }

        return pid;
    }

    /// <summary>Starts ovs-vswitchd again after <see cref="KillVswitchdAsync"/> (see <see cref="OvsHostSetup.RestartVswitchdAsync"/>).</summary>
    public Task RestartVswitchdAsync(CancellationToken cancellationToken = default) =>
        VswitchdPid is { } running
            ? throw new InvalidOperationException($"host '{Name}': ovs-vswitchd {running} is still running")
            : OvsHostSetup.RestartVswitchdAsync(Plan, cancellationToken);

    /// <summary>Seeds the tunnel neighbour cache again (entries age out after an hour, pitfall 7).</summary>
    public Task RefreshTunnelNeighboursAsync(CancellationToken cancellationToken = default) =>
        OvsHostSetup.SeedTunnelNeighboursAsync(Plan, cancellationToken);
}
