using NUnit.Framework;
using Dvr.DvrFlows.Topology;

namespace Dvr.DvrFlows.Tests.Topology;

/// <summary>Shared inputs for the topology tests: repository paths, a small valid topology, error helpers.</summary>
internal static class TopologyTestFiles
{
    /// <summary>
    /// A small valid topology: a compute node and a network node, a distributed router r1 on red and green with an
    /// external gateway on the flat network ext, its SNAT port on nn, and two VMs on cn1. Tests break one thing in it.
    /// </summary>
    public const string Base = """
        global:
          router_distributed: true
          dvr_base_mac: fa:16:3f:00:00:00
        hosts:
          - name: cn1
            agent_mode: dvr
            tunnel_ip: 192.0.2.1
            dvr_mac: fa:16:3f:00:00:01
            bridges:
              integration: { name: br-int, datapath_id: 0x101 }
              tunnel: { name: br-tun, datapath_id: 0x201 }
            bridge_mappings:
              external: { name: br-ex, datapath_id: 0x301 }
          - name: nn
            agent_mode: dvr_snat
            tunnel_ip: 192.0.2.3
            dvr_mac: fa:16:3f:00:00:03
            bridges:
              integration: { name: br-int, datapath_id: 0x103 }
              tunnel: { name: br-tun, datapath_id: 0x203 }
            bridge_mappings:
              external: { name: br-ex, datapath_id: 0x303 }
        networks:
          - { name: red, type: vxlan, segmentation_id: 1001 }
          - { name: green, type: vxlan, segmentation_id: 1002 }
          - { name: ext, type: flat, physical_network: external }
        subnets:
          - { name: red-v4, network: red, cidr: 10.0.1.0/24, gateway_ip: 10.0.1.1 }
          - { name: green-v4, network: green, cidr: 10.0.2.0/24, gateway_ip: 10.0.2.1 }
          - { name: ext-v4, network: ext, cidr: 203.0.113.0/24, gateway_ip: 203.0.113.1 }
        routers:
          - name: r1
            external_gateway: { network: ext, ip: 203.0.113.10, mac: fa:16:3e:00:ff:01, snat_host: nn, interface: qg-r1 }
        ports:
          - name: qr-red
            network: red
            interface: qr-red
            mac: fa:16:3e:00:01:01
            fixed_ips: [{ subnet: red-v4, ip: 10.0.1.1 }]
            device_owner: network:router_interface_distributed
            router: r1
          - name: qr-green
            network: green
            interface: qr-green
            mac: fa:16:3e:00:02:01
            fixed_ips: [{ subnet: green-v4, ip: 10.0.2.1 }]
            device_owner: network:router_interface_distributed
            router: r1
          - name: sg-red
            network: red
            interface: sg-red
            mac: fa:16:3e:00:01:03
            fixed_ips: [{ subnet: red-v4, ip: 10.0.1.3 }]
            device_owner: network:router_centralized_snat
            router: r1
            host: nn
          - name: vm1
            network: red
            interface: qvovm1
            mac: fa:16:3e:00:01:10
            fixed_ips: [{ subnet: red-v4, ip: 10.0.1.10 }]
            device_owner: compute:nova
            host: cn1
          - name: vm2
            network: green
            interface: qvovm2
            mac: fa:16:3e:00:02:20
            fixed_ips: [{ subnet: green-v4, ip: 10.0.2.20 }]
            device_owner: compute:nova
            host: cn1
        """;

    public const string FileName = "test.yaml";

    /// <summary>The repository root (the directory holding Dvr.sln), found from the test binaries upward.</summary>
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Dvr.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("Dvr.sln not found above " + TestContext.CurrentContext.TestDirectory);
        }
    }

    public static string Sample(string name) => Path.Combine(RepoRoot, "samples", name);

    public static string Data(string name) => Path.Combine(RepoRoot, "tests", "DvrFlows.Tests", "Topology", "Data", name);

    /// <summary><paramref name="text"/> with <paramref name="oldValue"/> replaced exactly once (fails loudly if it is not there once).</summary>
    public static string ReplaceOnce(this string text, string oldValue, string newValue)
    {
        int at = text.IndexOf(oldValue, StringComparison.Ordinal);
        if (at < 0 || text.IndexOf(oldValue, at + 1, StringComparison.Ordinal) >= 0)
        {
            throw new ArgumentException($"'{oldValue}' must occur exactly once in the YAML");
        }

        return string.Concat(text.AsSpan(0, at), newValue, text.AsSpan(at + oldValue.Length));
    }

    /// <summary>1-based line and column where <paramref name="marker"/> (which must occur once) starts, plus <paramref name="offset"/> characters.</summary>
    public static (int Line, int Column) PositionOf(string yaml, string marker, int offset = 0)
    {
        int at = yaml.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0 || yaml.IndexOf(marker, at + 1, StringComparison.Ordinal) >= 0)
        {
            throw new ArgumentException($"'{marker}' must occur exactly once in the YAML");
        }

        at += offset;
        int line = 1 + yaml.AsSpan(0, at).Count('\n');
        int lineStart = yaml.LastIndexOf('\n', Math.Max(at - 1, 0)) + 1;
        if (at == 0)
        {
            lineStart = 0;
        }

        return (line, at - lineStart + 1);
    }

    /// <summary>The errors loading <paramref name="yaml"/> produces (fails the test if it loads).</summary>
    public static IReadOnlyList<TopologyError> ErrorsOf(string yaml)
    {
        var e = Assert.Throws<TopologyValidationException>(() => TopologyLoader.LoadFromString(yaml, FileName));
        return e!.Errors;
    }
}
