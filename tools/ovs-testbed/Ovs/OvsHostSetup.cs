using System.Globalization;
using Dvr.DvrFlows.Topology;
using Dvr.OvsTestbed.Exec;
using Dvr.OvsTestbed.Plan;

namespace Dvr.OvsTestbed.Ovs;

/// <summary>
/// One host's Open vSwitch: its own ovsdb-server and ovs-vswitchd (userspace datapath) with OVS_RUNDIR = the host's
/// run directory, configured in a single OVSDB transaction before vswitchd starts (ovs-testbed.md §3).
/// </summary>
internal static class OvsHostSetup
{
    public const string SchemaPath = "/usr/share/openvswitch/vswitch.ovsschema";

    /// <summary>tnl/neigh/aging's maximum: the pre-seeded VTEP neighbours live an hour (ovs-testbed.md §9 pitfall 7).</summary>
    public const int NeighbourAgingSeconds = 3600;

    public static IReadOnlyDictionary<string, string> Environment(HostPlan host) =>
        new Dictionary<string, string>(StringComparer.Ordinal)
        {
            // The <bridge>.mgmt sockets go here, and unix: controllers are only accepted inside it (pitfalls 3, 5).
            ["OVS_RUNDIR"] = host.RunDirectory,
            ["OVS_LOGDIR"] = host.RunDirectory,
            ["OVS_DBDIR"] = host.RunDirectory,
        };

    public static async Task StartAsync(HostPlan host, ControllerTarget controller, CancellationToken cancellationToken)
    {
        string rd = host.RunDirectory;
        string db = Path.Combine(rd, "conf.db");
        var env = Environment(host);
        await CommandRunner.RunCheckedAsync("ovsdb-tool", ["create", db, SchemaPath], cancellationToken: cancellationToken).ConfigureAwait(false);

        // -vconsole:off must precede --log-file, or the "opened log file" line still reaches stderr (pitfall 10).
        await CommandRunner.RunCheckedAsync(
            "ip",
            [
                "netns", "exec", host.Namespace, "ovsdb-server", db, $"--remote=punix:{host.DbSocket}",
                $"--pidfile={Path.Combine(rd, "ovsdb-server.pid")}", $"--unixctl={host.OvsdbControl}",
                "-vconsole:off", $"--log-file={Path.Combine(rd, "ovsdb-server.log")}", "--detach", "--no-chdir",
            ],
            environment: env,
            cancellationToken: cancellationToken).ConfigureAwait(false);

        if (controller is UnixController unix)
        {
            File.Delete(host.ControllerSocketLink);
            File.CreateSymbolicLink(host.ControllerSocketLink, unix.Path);
        }

        // Everything, controllers included, is in the database before vswitchd first reads it: set-controller on a
        // bridge with flows would flush them (pitfall 1), here there are none yet.
        await CommandRunner.RunCheckedAsync("ovs-vsctl", InitialTransaction(host, controller), cancellationToken: cancellationToken)
            .ConfigureAwait(false);

        // vswitchd runs inside the host namespace: its netdev datapath creates the bridges' tap devices there, and it
        // reads that namespace's routes for tunnel lookups (pitfall 6, §3a).
        await StartVswitchdAsync(host, cancellationToken).ConfigureAwait(false);

        // The VTEP address lives on br-phy's internal (tap) port, which exists only now (§3a).
        await CommandRunner.IpBatchAsync(
            host.Namespace,
            [
                $"addr add {host.Host.TunnelIp}/{host.TunnelPrefixLength} dev {HostPlan.UnderlayBridge}",
                $"link set {HostPlan.UnderlayBridge} up",
            ],
            cancellationToken).ConfigureAwait(false);

        await SeedTunnelNeighboursAsync(host, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Brings a host's OVS back after its ovs-vswitchd died: starts it again on the same database (bridges, ports and
    /// controllers are all there; flows are not, the controller reinstalls them), makes sure the VTEP address is on
    /// br-phy's tap (it normally survives, the tap is persistent) and seeds the tunnel neighbours again (they lived in
    /// the dead process).
    /// </summary>
    public static async Task RestartVswitchdAsync(HostPlan host, CancellationToken cancellationToken)
    {
        await StartVswitchdAsync(host, cancellationToken).ConfigureAwait(false);
        await CommandRunner.IpBatchAsync(
            host.Namespace,
            [
                $"addr replace {host.Host.TunnelIp}/{host.TunnelPrefixLength} dev {HostPlan.UnderlayBridge}",
                $"link set {HostPlan.UnderlayBridge} up",
            ],
            cancellationToken).ConfigureAwait(false);
        await SeedTunnelNeighboursAsync(host, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Pre-seeds OVS's tunnel neighbour cache so the first packet to a peer VTEP is not dropped while OVS ARPs
    /// (pitfall 7). Entries still age out after <see cref="NeighbourAgingSeconds"/>; call again for longer runs.
    /// </summary>
    public static async Task SeedTunnelNeighboursAsync(HostPlan host, CancellationToken cancellationToken)
    {
        string[] target = ["-t", host.VswitchdControl];
        await CommandRunner.RunCheckedAsync(
            "ovs-appctl", [.. target, "tnl/neigh/aging", NeighbourAgingSeconds.ToString(CultureInfo.InvariantCulture)],
            cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var peer in host.Peers)
        {
            await CommandRunner.RunCheckedAsync(
                "ovs-appctl", [.. target, "tnl/neigh/set", HostPlan.UnderlayBridge, peer.Ip.ToString(), peer.BrPhyMac.ToString()],
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The single ovs-vsctl transaction that configures a host's OVS (written while vswitchd is not running).</summary>
    public static List<string> InitialTransaction(HostPlan host, ControllerTarget controller)
    {
        var a = new List<string> { $"--db=unix:{host.DbSocket}", "--no-wait", "--timeout=30", "init" };
        void Cmd(params string[] words)
        {
            a.Add("--");
            a.AddRange(words);
        }

        // The footprint stays the same on bigger machines (ovs-testbed.md §8).
        Cmd("set", "Open_vSwitch", ".", "other_config:n-handler-threads=1", "other_config:n-revalidator-threads=1",
            $"external_ids:dvr-testbed-host={Quote(host.Name)}");

        var integration = host.Host.Integration;
        var tunnel = host.Host.Tunnel;
        AddSecureBridge(Cmd, integration);
        AddSecureBridge(Cmd, tunnel);
        Cmd("add-port", integration.Name, "patch-tun");
        Cmd("set", "Interface", "patch-tun", "type=patch", "options:peer=patch-int");
        Cmd("add-port", tunnel.Name, "patch-int");
        Cmd("set", "Interface", "patch-int", "type=patch", "options:peer=patch-tun");

        const string phy = HostPlan.UnderlayBridge;
        string mtu = $"mtu_request={TestbedPlanner.UnderlayMtu}";
        Cmd("add-br", phy);
        Cmd("set", "Bridge", phy, "datapath_type=netdev", $"other_config:hwaddr={Quote(host.BrPhyMac.ToString())}");
        Cmd("add-port", phy, host.UnderlayInterface);
        Cmd("set", "Interface", host.UnderlayInterface, mtu);
        Cmd("set", "Interface", phy, mtu);

        foreach (var peer in host.Peers)
        {
            Cmd("add-port", tunnel.Name, peer.PortName);
            Cmd("set", "Interface", peer.PortName, "type=vxlan",
                $"options:remote_ip={peer.Ip}", $"options:local_ip={host.Host.TunnelIp}",
                "options:key=flow", "options:df_default=true");
        }

        foreach (var physical in host.PhysicalBridges)
        {
            AddSecureBridge(Cmd, physical.Bridge);
            Cmd("add-port", integration.Name, physical.IntegrationPatch);
            Cmd("set", "Interface", physical.IntegrationPatch, "type=patch", $"options:peer={physical.PhysicalPatch}");
            Cmd("add-port", physical.Bridge.Name, physical.PhysicalPatch);
            Cmd("set", "Interface", physical.PhysicalPatch, "type=patch", $"options:peer={physical.IntegrationPatch}");
            Cmd("add-port", physical.Bridge.Name, physical.Uplink);
        }

        foreach (var attachment in host.Attachments)
        {
            AddAttachment(Cmd, integration.Name, attachment);
        }

        string? target = controller switch
        {
            TcpController tcp => $"tcp:{tcp.Address}:{tcp.Port}",
            UnixController => $"unix:{host.ControllerSocketLink}",
            _ => null,
        };
        if (target is not null)
        {
            int n = 0;
            foreach (var bridge in host.ControlledBridges)
            {
                string id = $"@ctl{n++}";
                a.Add("--");
                a.Add($"--id={id}");
                a.AddRange([
                    "create", "Controller", $"target={Quote(target)}",
                    $"max_backoff={TestbedPlanner.MaxBackoffMs}", $"inactivity_probe={TestbedPlanner.InactivityProbeMs}",
                    "connection_mode=out-of-band",
                ]);
                Cmd("set", "Bridge", bridge.Name, $"controller={id}");
            }
        }

        return a;
    }

    /// <summary>A port, router or SNAT leg on br-int with what the Neutron OVS agent writes (neutron-dvr-flows.md §4).</summary>
    public static void AddAttachment(Action<string[]> cmd, string integrationBridge, AttachmentPlan attachment)
    {
        cmd(["add-port", integrationBridge, attachment.Interface, $"tag={attachment.LocalVlan}"]);
        cmd(["set", "Interface", attachment.Interface, .. attachment.ExternalIds.Select(kv => $"external_ids:{kv.Key}={Quote(kv.Value)}")]);
        SetPortTag(cmd, attachment);
    }

    /// <summary>The local VLAN of an existing attachment's port (it moves when networks come and go on the host).</summary>
    public static void SetPortTag(Action<string[]> cmd, AttachmentPlan attachment) =>
        cmd(["set", "Port", attachment.Interface, $"tag={attachment.LocalVlan}", .. attachment.PortOtherConfig.Select(kv => $"other_config:{kv.Key}={Quote(kv.Value)}")]);

    /// <summary>
    /// Starts the host's ovs-vswitchd (again, after a crash): inside the host namespace so its netdev datapath's tap
    /// devices live there (pitfall 6), with OVS_RUNDIR = the run directory (pitfalls 3, 5). Returns once it has
    /// applied the database (a transaction without --no-wait waits for cur_cfg).
    /// </summary>
    public static async Task StartVswitchdAsync(HostPlan host, CancellationToken cancellationToken)
    {
        string rd = host.RunDirectory;
        // -vconsole:off must precede --log-file, or the "opened log file" line still reaches stderr (pitfall 10).
        await CommandRunner.RunCheckedAsync(
            "ip",
            [
                "netns", "exec", host.Namespace, "ovs-vswitchd", $"unix:{host.DbSocket}",
                $"--pidfile={Path.Combine(rd, "ovs-vswitchd.pid")}", $"--unixctl={host.VswitchdControl}",
                "-vconsole:off", $"--log-file={Path.Combine(rd, "ovs-vswitchd.log")}", "--detach", "--no-chdir",
            ],
            environment: Environment(host),
            cancellationToken: cancellationToken).ConfigureAwait(false);

        // A transaction without --no-wait returns once vswitchd has applied the configuration (cur_cfg caught up).
        await CommandRunner.RunCheckedAsync(
            "ovs-vsctl",
            [$"--db=unix:{host.DbSocket}", "--timeout=60", "set", "Open_vSwitch", ".", "external_ids:dvr-testbed-ready=true"],
            cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static void AddSecureBridge(Action<string[]> cmd, BridgeRef bridge)
    {
        cmd(["add-br", bridge.Name]);
        cmd([
            "set", "Bridge", bridge.Name, "datapath_type=netdev", "fail_mode=secure", "protocols=OpenFlow13",
            "other_config:disable-in-band=true", $"other_config:datapath-id={bridge.DatapathId:x16}",
        ]);
    }

    /// <summary>An OVSDB string atom: quoted so values with ':' or '-' are taken literally.</summary>
    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
