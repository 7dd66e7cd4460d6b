using System.Globalization;
using Dvr.DvrFlows.Topology;
using Dvr.OvsTestbed;
using NUnit.Framework;

namespace Dvr.Integration.Tests.Testbed;

/// <summary>Topologies and hand-written flows for the testbed's own tests (no controller involved).</summary>
internal static class TestbedFixtures
{
    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Dvr.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new DirectoryNotFoundException("Dvr.sln not found above the test directory");
        }
    }

    public static Topology Demo() => TopologyLoader.Load(Path.Combine(RepoRoot, "samples", "demo-3host.yaml"));

    /// <summary>Two compute hosts, one VXLAN network, one VM on each: the smallest cross-host L2 case.</summary>
    public static Topology TwoHosts() => TopologyLoader.LoadFromString(TwoHostsYaml, "two-hosts.yaml");

    /// <summary>The YAML of <see cref="TwoHosts"/>, for tests that edit it.</summary>
    public const string TwoHostsYaml =
        """
        hosts:
          - name: a
            agent_mode: dvr
            tunnel_ip: 192.0.2.1
            dvr_mac: fa:16:3f:00:00:01
            bridges:
              integration: { name: br-int, datapath_id: 0x101 }
              tunnel: { name: br-tun, datapath_id: 0x201 }
          - name: b
            agent_mode: dvr
            tunnel_ip: 192.0.2.2
            dvr_mac: fa:16:3f:00:00:02
            bridges:
              integration: { name: br-int, datapath_id: 0x102 }
              tunnel: { name: br-tun, datapath_id: 0x202 }
        networks:
          - { name: red, type: vxlan, segmentation_id: 1001 }
        subnets:
          - { name: red-v4, network: red, cidr: 10.0.1.0/24, gateway_ip: 10.0.1.1 }
        ports:
          - name: vma
            network: red
            interface: qvovma
            mac: fa:16:3e:00:01:0a
            fixed_ips: [{ subnet: red-v4, ip: 10.0.1.10 }]
            device_owner: compute:nova
            host: a
          - name: vmb
            network: red
            interface: qvovmb
            mac: fa:16:3e:00:01:0b
            fixed_ips: [{ subnet: red-v4, ip: 10.0.1.11 }]
            device_owner: compute:nova
            host: b
        """;

    /// <summary>
    /// Plain L2 everywhere (ovs-testbed.md §4): br-int NORMAL; br-tun maps each local VLAN to its VNI and floods to
    /// every tunnel, and back; br-ex passes the flat external network between phy-br-ex and its uplink, and br-int
    /// tags what arrives from int-br-ex with the external network's local VLAN. No DVR flows.
    /// </summary>
    public static async Task InstallSimpleL2FlowsAsync(RunningTestbed testbed)
    {
        var topology = testbed.Topology;
        await Task.WhenAll(testbed.Hosts.Values.Select(async host =>
        {
            var brInt = new List<string> { "table=0,priority=0,actions=NORMAL" };
            var brTun = new List<string>
            {
                "table=0,priority=1,in_port=patch-int,actions=goto_table:2",
                "table=0,priority=0,actions=drop",
                "table=2,priority=0,actions=drop",
                "table=4,priority=0,actions=drop",
            };
            string floodPorts = string.Join(',', host.Plan.Peers.Select(p => $"output:{p.PortName}"));
            brTun.AddRange(host.Plan.Peers.Select(p => $"table=0,priority=1,in_port={p.PortName},actions=goto_table:4"));
            foreach (var (networkName, vlan) in host.Plan.LocalVlans)
            {
                var network = topology.GetNetwork(networkName);
                string vid = (0x1000 | vlan).ToString(CultureInfo.InvariantCulture);
                if (network.Type == NetworkType.Vxlan && host.Plan.Peers.Length > 0)
                {
                    brTun.Add($"table=2,priority=1,dl_vlan={vlan},actions=pop_vlan,set_field:{network.SegmentationId}->tun_id,{floodPorts}");
                    brTun.Add($"table=4,priority=1,tun_id={network.SegmentationId},actions=push_vlan:0x8100,set_field:{vid}->vlan_vid,output:patch-int");
                }
            }

            await InstallFlatPassThroughAsync(testbed, host, brInt);
            await host.ReplaceFlowsAsync(host.IntegrationBridge, brInt);
            await host.ReplaceFlowsAsync(host.TunnelBridge, brTun);
        }));

        // Tests share a testbed: what earlier flows let it learn must not decide whether these work.
        await testbed.FlushLearnedStateAsync();
    }

    /// <summary>
    /// Flat provider networks on this host: br-ex passes frames between phy-br-ex (tagged with the local VLAN) and its
    /// uplink (untagged), and br-int tags what arrives from int-br-ex with the local VLAN (Neutron's br-int 0/3 and
    /// br-phys 2/4, collapsed). Adds the br-int flow to <paramref name="brInt"/>.
    /// </summary>
    private static async Task InstallFlatPassThroughAsync(RunningTestbed testbed, TestbedHost host, List<string> brInt)
    {
        foreach (var (networkName, vlan) in host.Plan.LocalVlans)
        {
            var network = testbed.Topology.GetNetwork(networkName);
            if (network.Type == NetworkType.Flat && network.PhysicalNetwork is { } physnet
                && host.Plan.PhysicalBridges.FirstOrDefault(b => b.PhysicalNetwork == physnet) is { } bridge)
            {
                string vid = (0x1000 | vlan).ToString(CultureInfo.InvariantCulture);
                brInt.Add($"table=0,priority=10,in_port={bridge.IntegrationPatch},vlan_tci=0x0000/0x1fff,actions=push_vlan:0x8100,set_field:{vid}->vlan_vid,NORMAL");
                await host.ReplaceFlowsAsync(bridge.Bridge.Name, [
                    $"table=0,priority=2,in_port={bridge.PhysicalPatch},dl_vlan={vlan},actions=pop_vlan,output:{bridge.Uplink}",
                    $"table=0,priority=2,in_port={bridge.Uplink},actions=output:{bridge.PhysicalPatch}",
                    "table=0,priority=0,actions=drop",
                ]);
            }
        }
    }

    /// <summary>
    /// Neutron's DVR east-west flows in their collapsed form (ovs-testbed.md §5), for every distributed router leg:
    /// br-tun DVR_PROCESS (table 1) keeps gateway ARP and frames to the gateway MAC on the host and rewrites the gateway
    /// MAC to the host's DVR MAC; br-int DVR_TO_SRC_MAC (table 1) delivers frames from a peer's DVR MAC to the local
    /// port with the gateway MAC restored. Tables 2/4 are the VLAN↔VNI flooding of <see cref="InstallSimpleL2FlowsAsync"/>,
    /// and flat external networks pass through br-ex as there.
    /// </summary>
    public static async Task InstallDvrFlowsAsync(RunningTestbed testbed)
    {
        var topology = testbed.Topology;
        await Task.WhenAll(testbed.Hosts.Values.Select(async host =>
        {
            var brInt = new List<string> { "table=0,priority=0,actions=NORMAL", "table=1,priority=0,actions=drop" };
            var brTun = new List<string>
            {
                "table=0,priority=1,in_port=patch-int,actions=goto_table:1",
                "table=0,priority=0,actions=drop",
                "table=1,priority=0,actions=goto_table:2",
                "table=2,priority=0,actions=drop",
                "table=4,priority=0,actions=drop",
            };
            string floodPorts = string.Join(',', host.Plan.Peers.Select(p => $"output:{p.PortName}"));
            brTun.AddRange(host.Plan.Peers.Select(p => $"table=0,priority=1,in_port={p.PortName},actions=goto_table:4"));
            brInt.AddRange(topology.Hosts.Where(h => h.Name != host.Name).Select(h => $"table=0,priority=4,in_port=patch-tun,dl_src={h.DvrMac},actions=goto_table:1"));
            foreach (var (networkName, vlan) in host.Plan.LocalVlans)
            {
                var network = topology.GetNetwork(networkName);
                if (network.Type != NetworkType.Vxlan)
                {
                    continue;
                }

                string vid = (0x1000 | vlan).ToString(CultureInfo.InvariantCulture);
                brTun.Add($"table=2,priority=1,dl_vlan={vlan},actions=pop_vlan,set_field:{network.SegmentationId}->tun_id,{floodPorts}");
                brTun.Add($"table=4,priority=1,tun_id={network.SegmentationId},actions=push_vlan:0x8100,set_field:{vid}->vlan_vid,output:patch-int");
            }

            await InstallFlatPassThroughAsync(testbed, host, brInt);
            var routerNamespaces = testbed.Plan.Namespaces.Where(n => n.Host == host.Name && n.Kind == OvsTestbed.Plan.NamespaceKind.DistributedRouter).ToList();
            foreach (var leg in host.Plan.Attachments.Where(a => routerNamespaces.Any(n => n.Name == a.Namespace)))
            {
                var gatewayIp = topology.GetPort(leg.PortName).FixedIps[0].Ip;
                brTun.Add($"table=1,priority=3,arp,dl_vlan={leg.LocalVlan},arp_tpa={gatewayIp},actions=drop");
                brTun.Add($"table=1,priority=2,dl_vlan={leg.LocalVlan},dl_dst={leg.Mac},actions=drop");
                brTun.Add($"table=1,priority=1,dl_vlan={leg.LocalVlan},dl_src={leg.Mac},actions=set_field:{host.Plan.Host.DvrMac}->eth_src,goto_table:2");
                foreach (var local in host.Plan.Attachments.Where(a => a.Network == leg.Network && topology.FindPort(a.PortName)?.IsDvrServiced == true))
                {
                    brInt.Add($"table=1,priority=4,dl_vlan={local.LocalVlan},dl_dst={local.Mac},actions=pop_vlan,set_field:{leg.Mac}->eth_src,output:{local.Interface}");
                }
            }

            await host.ReplaceFlowsAsync(host.IntegrationBridge, brInt);
            await host.ReplaceFlowsAsync(host.TunnelBridge, brTun);
        }));

        // Tests share a testbed: what earlier flows let it learn must not decide whether these work.
        await testbed.FlushLearnedStateAsync();
    }

    /// <summary>Removes every flow from every bridge of the testbed.</summary>
    public static async Task ClearFlowsAsync(RunningTestbed testbed)
    {
        await Task.WhenAll(testbed.Hosts.Values.SelectMany(host =>
            host.Plan.ControlledBridges.Select(bridge => host.OfctlAsync("del-flows", bridge.Name))));

        // Tests share a testbed: what earlier flows let it learn must not decide whether these work.
        await testbed.FlushLearnedStateAsync();
    }

    /// <summary>PIDs of live processes whose command line mentions <paramref name="directory"/>.</summary>
    public static List<int> ProcessesMentioning(string directory)
    {
        var pids = new List<int>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }

            try
            {
                string cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                bool zombie = stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
                if (!zombie && cmdline.Contains(directory, StringComparison.Ordinal))
                {
                    pids.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
        }

        return pids;
    }

    /// <summary>Namespace names currently present that start with <paramref name="prefix"/>.</summary>
    public static List<string> NamespacesWithPrefix(string prefix) =>
        Directory.Exists("/run/netns")
            ? Directory.EnumerateFiles("/run/netns").Select(Path.GetFileName).OfType<string>().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList()
            : [];
}
