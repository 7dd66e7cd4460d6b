using System.Diagnostics;
using System.Globalization;
using Dvr.DvrFlows.Topology;
using Dvr.OvsTestbed.Exec;
using Dvr.OvsTestbed.Ovs;
using Dvr.OvsTestbed.Plan;

namespace Dvr.OvsTestbed;

/// <summary>
/// What it takes to bring a running testbed from its live state to a new topology of the same hosts (testbed
/// dynamics, docs/testbed.md): port, router and SNAT namespaces to create, rebuild or remove, OVS ports to add,
/// re-tag or delete, and router neighbour entries to add or delete. It is computed from what is really there
/// (namespaces with this prefix, br-int's ports and tags, the routers' permanent neighbours, and the signature each
/// namespace was built from), so applying the same topology twice does nothing the second time, and applying after
/// a half-finished apply completes it.
/// <para>
/// Three phases, so that a controller can be told in between (DvrCloud.ApplyTopologyAsync):
/// <see cref="AddAsync"/> creates everything new while the old paths still work (router legs come up silent);
/// <see cref="AnnounceAsync"/> sends a gratuitous ARP from every new router leg as Neutron's L3 agent does, which
/// moves the gateway MAC in br-int's MAC table to the local leg — call it once the flows for the new topology are in
/// place, since before that nothing keeps the announcement off the tunnels; <see cref="RemoveAsync"/> deletes what
/// the topology no longer has.
/// </para>
/// </summary>
public sealed class TestbedTransition : IDisposable
{
    /// <summary>
    /// Sends one gratuitous ARP request (sender = target = the leg's address, broadcast) per "ifname,mac,ip" argument.
    /// It starts ahead of time: it opens its sockets, prints "ready", and sends only when a line arrives on stdin
    /// (end of input without a line: exits without sending), so the announcement costs no process start later.
    /// </summary>
    private const string GratuitousArpScript = """
        import socket, sys
        frames = []
        for spec in sys.argv[1:]:
            name, mac, ip = spec.split(',')
            m = bytes.fromhex(mac.replace(':', ''))
            a = socket.inet_aton(ip)
            frame = b'\xff' * 6 + m + b'\x08\x06' + bytes.fromhex('0001080006040001') + m + a + b'\x00' * 6 + a
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            s.bind((name, 0))
            frames.append((s, frame + b'\x00' * (60 - len(frame))))
        print('ready', flush=True)
        if sys.stdin.readline() == '':
            sys.exit(0)
        for s, frame in frames:
            s.send(frame)
        """;

    private readonly RunningTestbed _testbed;
    private readonly Dictionary<string, HostChanges> _hosts;
    private readonly List<(string Host, string Namespace, Process Process)> _announcers = [];
    private readonly Lock _announcersLock = new();

    private TestbedTransition(RunningTestbed testbed, Topology topology, TestbedPlan plan, Dictionary<string, HostChanges> hosts, List<string> removedNamespaces)
    {
        _testbed = testbed;
        Topology = topology;
        Plan = plan;
        _hosts = hosts;
        RemovedNamespaces = removedNamespaces;
    }

    /// <summary>The topology this transition leads to.</summary>
    public Topology Topology { get; }

    public TestbedPlan Plan { get; }

    /// <summary>Namespaces that do not exist yet.</summary>
    public IReadOnlyList<string> CreatedNamespaces => [.. _hosts.Values.SelectMany(h => h.Create.Where(c => !c.Rebuild).Select(c => c.Namespace.Name)).Order(StringComparer.Ordinal)];

    /// <summary>Namespaces that exist but were built from something else (e.g. a router switched between legacy and distributed).</summary>
    public IReadOnlyList<string> RebuiltNamespaces => [.. _hosts.Values.SelectMany(h => h.Create.Where(c => c.Rebuild).Select(c => c.Namespace.Name)).Order(StringComparer.Ordinal)];

    /// <summary>Namespaces of this testbed's ports, routers and SNAT that the topology no longer has.</summary>
    public IReadOnlyList<string> RemovedNamespaces { get; }

    /// <summary>br-int ports to delete, as HOST/PORT.</summary>
    public IReadOnlyList<string> RemovedPorts => [.. _hosts.SelectMany(h => h.Value.StalePorts.Select(p => $"{h.Key}/{p}")).Order(StringComparer.Ordinal)];

    /// <summary>br-int ports whose local VLAN changes in place, as HOST/PORT.</summary>
    public IReadOnlyList<string> RetaggedPorts => [.. _hosts.SelectMany(h => h.Value.Retag.Select(a => $"{h.Key}/{a.Interface}")).Order(StringComparer.Ordinal)];

    /// <summary>Permanent neighbour entries added to and deleted from routers that stay.</summary>
    public int NeighbourChanges => _hosts.Values.Sum(h => h.NeighbourAdds.Sum(n => n.Lines.Count) + h.NeighbourDeletes.Sum(n => n.Lines.Count));

    /// <summary>True when the testbed already matches the topology.</summary>
    public bool IsEmpty => RemovedNamespaces.Count == 0 && NeighbourChanges == 0
        && _hosts.Values.All(h => h.Create.Count == 0 && h.AddPorts.Count == 0 && h.Retag.Count == 0 && h.StalePorts.Count == 0);

    public override string ToString() =>
        IsEmpty
            ? "nothing to change"
            : $"create [{string.Join(' ', CreatedNamespaces)}], rebuild [{string.Join(' ', RebuiltNamespaces)}], remove [{string.Join(' ', RemovedNamespaces)}], " +
              $"delete ports [{string.Join(' ', RemovedPorts)}], re-tag [{string.Join(' ', RetaggedPorts)}], {NeighbourChanges} neighbour entries";

    internal static async Task<TestbedTransition> PlanAsync(RunningTestbed testbed, Topology topology, CancellationToken ct)
    {
        var plan = TestbedPlanner.Create(topology, testbed.Options);
        CheckSameInfrastructure(testbed.Plan, plan);

        // /run/netns is where `ip netns add` mounts every named namespace: read it instead of starting `ip netns list`.
        var existing = (Directory.Exists(NamespaceDirectory) ? Directory.EnumerateFiles(NamespaceDirectory).Select(Path.GetFileName).OfType<string>() : [])
            .Where(n => TestbedNames.IsAttachmentNamespace(testbed.Prefix, n))
            .ToHashSet(StringComparer.Ordinal);
        var desired = plan.Namespaces.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);

        var planned = await Task.WhenAll(plan.Hosts.Select(h => PlanHostAsync(plan, h, existing, ct))).ConfigureAwait(false);
        var hosts = plan.Hosts.Select((h, i) => (h.Name, Changes: planned[i])).ToDictionary(x => x.Name, x => x.Changes, StringComparer.Ordinal);

        var removed = existing.Where(n => !desired.Contains(n)).Order(StringComparer.Ordinal).ToList();
        return new TestbedTransition(testbed, topology, plan, hosts, removed);
    }

    /// <summary>
    /// Creates new and rebuilds changed namespaces (each configured before its ports join br-int), adds their OVS
    /// ports and re-tags moved ones in one OVSDB transaction per host, and adds the routers' new neighbour entries.
    /// Afterwards the testbed's <see cref="RunningTestbed.Plan"/> and <see cref="RunningTestbed.Topology"/> are the new ones.
    /// </summary>
    public async Task AddAsync(CancellationToken cancellationToken = default)
    {
        await Task.WhenAll(_hosts.Select(h => AddHostAsync(Plan.GetHost(h.Key), h.Value, cancellationToken))).ConfigureAwait(false);
        await _testbed.AdoptAsync(Plan, Topology, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One gratuitous ARP from every leg of every created or rebuilt router and SNAT namespace (Neutron's L3 agent
    /// sends them when it plugs a qr-/sg-/qg- device), on <paramref name="host"/> or on every host. It teaches br-int
    /// that the gateway MAC now lives on the local leg; with the DVR flows in place br-tun drops it before the tunnels
    /// (ARP for a gateway IP never leaves a host). The senders were started by <see cref="AddAsync"/>.
    /// </summary>
    public async Task AnnounceAsync(string? host = null, CancellationToken cancellationToken = default)
    {
        List<(string Host, string Namespace, Process Process)> due;
        lock (_announcersLock)
        {
            due = _announcers.Where(a => host is null || a.Host == host).ToList();
            _announcers.RemoveAll(due.Contains);
        }

        await Task.WhenAll(due.Select(async a =>
        {
            using var process = a.Process;
            await process.StandardInput.WriteLineAsync("go".AsMemory(), cancellationToken).ConfigureAwait(false);
            process.StandardInput.Close();
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                string error = await process.StandardError.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
                throw new TestbedCommandException($"gratuitous ARP from {a.Namespace} failed with exit code {process.ExitCode}: {error.Trim()}");
            }
        })).ConfigureAwait(false);
    }

    /// <summary>Ends announcers that were never told to send (they exit without sending).</summary>
    public void Dispose()
    {
        lock (_announcersLock)
        {
            foreach (var (_, _, process) in _announcers)
            {
                process.StandardInput.Close();
                process.Dispose();
            }

            _announcers.Clear();
        }
    }

    /// <summary>Deletes stale br-int ports (one OVSDB transaction per host), then stale namespaces, then stale neighbour entries.</summary>
    public async Task RemoveAsync(CancellationToken cancellationToken = default)
    {
        await Task.WhenAll(_hosts.Select(async h =>
        {
            var host = Plan.GetHost(h.Key);
            if (h.Value.StalePorts.Count > 0)
            {
                await DeletePortsAsync(host, h.Value.StalePorts, cancellationToken).ConfigureAwait(false);
            }
        })).ConfigureAwait(false);

        await DeleteNamespacesAsync(RemovedNamespaces, cancellationToken).ConfigureAwait(false);
        // -force: an entry already gone (a half-finished earlier apply) does not stop the others.
        await Task.WhenAll(_hosts.Values.SelectMany(h => h.NeighbourDeletes)
            .Select(n => CommandRunner.RunAsync("ip", ["-force", "-n", n.Namespace, "-batch", "-"], string.Concat(n.Lines.Select(l => l + "\n")), cancellationToken: cancellationToken)))
            .ConfigureAwait(false);
        foreach (var (hostName, changes) in _hosts)
        {
            foreach (var ns in changes.NeighbourRecords)
            {
                await NamespaceSignature.WriteNeighboursAsync(Plan.GetHost(hostName), ns, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>All three phases in order, for a testbed without a controller to tell in between.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        await AddAsync(cancellationToken).ConfigureAwait(false);
        await AnnounceAsync(null, cancellationToken).ConfigureAwait(false);
        await RemoveAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task AddHostAsync(HostPlan host, HostChanges changes, CancellationToken ct)
    {
        var rebuilt = changes.Create.Where(c => c.Rebuild).Select(c => c.Namespace).ToList();
        if (rebuilt.Count > 0)
        {
            var ports = rebuilt.SelectMany(ns => host.Attachments.Where(a => a.Namespace == ns.Name)).Select(a => a.Interface).ToList();
            await DeletePortsAsync(host, ports, ct).ConfigureAwait(false);
            await DeleteNamespacesAsync(rebuilt.Select(n => n.Name).ToList(), ct).ConfigureAwait(false);
        }

        await Task.WhenAll(changes.Create.Select(c =>
            NetworkSetup.CreateAttachmentNamespaceAsync(host, c.Namespace, [.. host.Attachments.Where(a => a.Namespace == c.Namespace.Name)], ct))).ConfigureAwait(false);

        await Task.WhenAll(changes.Create.Where(c => c.Namespace.Kind is not NamespaceKind.Port)
            .Select(c => StartAnnouncerAsync(host, c.Namespace, ct))).ConfigureAwait(false);

        var args = new List<string> { $"--db=unix:{host.DbSocket}", "--timeout=30" };
        void Cmd(params string[] words)
        {
            args.Add("--");
            args.AddRange(words);
        }

        foreach (var attachment in changes.AddPorts)
        {
            Cmd("--if-exists", "del-port", host.Host.Integration.Name, attachment.Interface);
            OvsHostSetup.AddAttachment(Cmd, host.Host.Integration.Name, attachment);
        }

        foreach (var attachment in changes.Retag)
        {
            OvsHostSetup.SetPortTag(Cmd, attachment);
        }

        if (args.Count > 2)
        {
            await CommandRunner.RunCheckedAsync("ovs-vsctl", args, cancellationToken: ct).ConfigureAwait(false);
        }

        await Task.WhenAll(changes.NeighbourAdds.Select(n => CommandRunner.IpBatchAsync(n.Namespace, n.Lines, ct))).ConfigureAwait(false);
    }

    /// <summary>Starts the gratuitous-ARP sender of a router or SNAT namespace and waits until it is ready to send.</summary>
    private async Task StartAnnouncerAsync(HostPlan host, NamespacePlan ns, CancellationToken ct)
    {
        var specs = host.Attachments
            .Where(a => a.Namespace == ns.Name)
            .SelectMany(a => a.Addresses.Select(address => $"{a.InnerName},{a.Mac},{address.Split('/')[0]}"))
            .ToList();
        if (specs.Count == 0)
        {
            return;
        }

        var psi = new ProcessStartInfo("ip")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in (string[])["netns", "exec", ns.Name, "/usr/bin/python3", "-c", GratuitousArpScript, .. specs])
        {
            psi.ArgumentList.Add(argument);
        }

        var process = Process.Start(psi) ?? throw new TestbedCommandException($"cannot start the gratuitous ARP sender in {ns.Name}");
        string? ready = await process.StandardOutput.ReadLineAsync(ct).ConfigureAwait(false);
        if (ready != "ready")
        {
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            string error = await process.StandardError.ReadToEndAsync(ct).ConfigureAwait(false);
            process.Dispose();
            throw new TestbedCommandException($"the gratuitous ARP sender in {ns.Name} did not start (exit code {process.ExitCode}): {error.Trim()}");
        }

        lock (_announcersLock)
        {
            _announcers.Add((host.Name, ns.Name, process));
        }
    }

    private static async Task<HostChanges> PlanHostAsync(TestbedPlan plan, HostPlan host, HashSet<string> existing, CancellationToken ct)
    {
        var changes = new HostChanges();
        var ovs = await ReadBrIntPortsAsync(host, ct).ConfigureAwait(false);
        var rebuiltOrNew = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ns in plan.Namespaces.Where(n => n.Host == host.Name))
        {
            var attachments = host.Attachments.Where(a => a.Namespace == ns.Name).ToList();
            bool exists = existing.Contains(ns.Name);
            if (exists && NamespaceSignature.Read(host, ns.Name) == NamespaceSignature.Compute(ns, attachments))
            {
                PlanNeighbours(host, ns, changes);
                continue;
            }

            changes.Create.Add((ns, exists));
            rebuiltOrNew.Add(ns.Name);
        }

        var desiredPorts = host.Attachments.Select(a => a.Interface).ToHashSet(StringComparer.Ordinal);
        var infrastructure = host.PhysicalBridges.Select(p => p.IntegrationPatch).Append(IntegrationPatchPort).ToHashSet(StringComparer.Ordinal);
        foreach (var attachment in host.Attachments)
        {
            if (rebuiltOrNew.Contains(attachment.Namespace) || !ovs.TryGetValue(attachment.Interface, out int? tag))
            {
                changes.AddPorts.Add(attachment);
            }
            else if (tag != attachment.LocalVlan)
            {
                changes.Retag.Add(attachment);
            }
        }

        changes.StalePorts.AddRange(ovs.Keys.Where(p => !desiredPorts.Contains(p) && !infrastructure.Contains(p)).Order(StringComparer.Ordinal));
        return changes;
    }

    private const string NamespaceDirectory = "/run/netns";

    /// <summary>The patch port from br-int to br-tun (ovs-testbed.md §3).</summary>
    private const string IntegrationPatchPort = "patch-tun";

    /// <summary>br-int's ports and their tags (null when untagged), in one ovs-vsctl run.</summary>
    private static async Task<Dictionary<string, int?>> ReadBrIntPortsAsync(HostPlan host, CancellationToken ct)
    {
        // list-ports prints bare names, list Port prints "name,tag" (names never hold a comma): one process for both.
        var result = await CommandRunner.RunCheckedAsync(
            "ovs-vsctl",
            [$"--db=unix:{host.DbSocket}", "--format=csv", "--data=bare", "--no-headings", "--", "list-ports", host.Host.Integration.Name, "--", "--columns=name,tag", "list", "Port"],
            cancellationToken: ct).ConfigureAwait(false);
        var brInt = new List<string>();
        var tagByPort = new Dictionary<string, int?>(StringComparer.Ordinal);
        foreach (string line in result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] fields = line.Split(',');
            if (fields.Length == 1)
            {
                brInt.Add(fields[0]);
            }
            else
            {
                tagByPort[fields[0].Trim('"')] = int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int tag) ? tag : null;
            }
        }

        return brInt.ToDictionary(p => p, p => tagByPort.GetValueOrDefault(p), StringComparer.Ordinal);
    }

    /// <summary>
    /// The permanent neighbour entries a kept router namespace gains and loses, against the set it was last given
    /// (RUNDIR/ns/NAME.neigh, written when the namespace is built and after every change): reading files instead of
    /// running `ip neigh` for every router keeps an apply fast. An entry deleted by hand behind the testbed's back is
    /// not noticed; the router then ARPs for that address.
    /// </summary>
    private static void PlanNeighbours(HostPlan host, NamespacePlan ns, HostChanges changes)
    {
        if (ns.Kind is not (NamespaceKind.DistributedRouter or NamespaceKind.LegacyRouter))
        {
            return;
        }

        // "neigh replace IP lladdr MAC dev IF nud permanent"
        static Dictionary<(string Ip, string Dev), string> Parse(IEnumerable<string> lines) =>
            lines.Where(NamespaceSignature.IsNeighbourLine).Select(l => l.Split(' ')).ToDictionary(w => (w[2], w[6]), w => w[4]);
        var desired = Parse(ns.IpBatch);
        var current = Parse(NamespaceSignature.ReadNeighbours(host, ns.Name));
        var adds = desired.Where(d => !current.TryGetValue(d.Key, out string? mac) || !string.Equals(mac, d.Value, StringComparison.OrdinalIgnoreCase))
            .Select(d => $"neigh replace {d.Key.Ip} lladdr {d.Value} dev {d.Key.Dev} nud permanent").ToList();
        var deletes = current.Keys.Where(k => !desired.ContainsKey(k)).Select(k => $"neigh del {k.Ip} dev {k.Dev}").ToList();
        if (adds.Count > 0)
        {
            changes.NeighbourAdds.Add((ns.Name, adds));
        }

        if (deletes.Count > 0)
        {
            changes.NeighbourDeletes.Add((ns.Name, deletes));
        }

        if (adds.Count > 0 || deletes.Count > 0)
        {
            changes.NeighbourRecords.Add(ns);
        }
    }

    private static Task DeletePortsAsync(HostPlan host, IReadOnlyCollection<string> ports, CancellationToken ct)
    {
        var args = new List<string> { $"--db=unix:{host.DbSocket}", "--timeout=30" };
        foreach (string port in ports)
        {
            args.AddRange(["--", "--if-exists", "del-port", host.Host.Integration.Name, port]);
        }

        return CommandRunner.RunCheckedAsync("ovs-vsctl", args, cancellationToken: ct);
    }

    /// <summary>Deleting a namespace deletes its veth ends and with them their br-int peers.</summary>
    private async Task DeleteNamespacesAsync(IReadOnlyCollection<string> namespaces, CancellationToken ct)
    {
        if (namespaces.Count == 0)
        {
            return;
        }

        await CommandRunner.RunCheckedAsync("ip", ["-force", "-batch", "-"], string.Concat(namespaces.Select(n => $"netns del {n}\n")), cancellationToken: ct)
            .ConfigureAwait(false);
        foreach (var host in Plan.Hosts)
        {
            foreach (string ns in namespaces)
            {
                NamespaceSignature.Delete(host, ns);
            }
        }
    }

    /// <summary>Dynamics change what hangs off the hosts, not the hosts themselves: those need a new testbed.</summary>
    private static void CheckSameInfrastructure(TestbedPlan current, TestbedPlan next)
    {
        static string Describe(TestbedPlan p) => string.Join(
            "; ",
            p.Hosts.Select(h => $"{h.Name} {h.Host.TunnelIp} {h.Host.Integration} {h.Host.Tunnel} [{string.Join(',', h.PhysicalBridges.Select(b => $"{b.PhysicalNetwork}={b.Bridge}"))}]")
                .Append($"external [{string.Join(',', p.External?.Legs.Select(l => $"{l.Network}/{l.VlanId}/{l.Address}") ?? [])}]"));
        string before = Describe(current);
        string after = Describe(next);
        if (before != after)
        {
            throw new ArgumentException(
                $"a running testbed changes ports, routers and networks, not hosts, bridges or external networks: was '{before}', the new topology needs '{after}'; bring it down and up again");
        }
    }

    private sealed class HostChanges
    {
        public List<(NamespacePlan Namespace, bool Rebuild)> Create { get; } = [];

        public List<AttachmentPlan> AddPorts { get; } = [];

        public List<AttachmentPlan> Retag { get; } = [];

        public List<string> StalePorts { get; } = [];

        public List<(string Namespace, List<string> Lines)> NeighbourAdds { get; } = [];

        public List<(string Namespace, List<string> Lines)> NeighbourDeletes { get; } = [];

        /// <summary>Kept router namespaces whose neighbour record is rewritten once their entries changed.</summary>
        public List<NamespacePlan> NeighbourRecords { get; } = [];
    }
}
