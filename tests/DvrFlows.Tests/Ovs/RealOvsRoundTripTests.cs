using System.Globalization;
using System.Text;
using Dvr.DvrFlows.Compiler;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Tests.Golden;
using Dvr.DvrFlows.Topology;
using NUnit.Framework;

namespace Dvr.DvrFlows.Tests.Ovs;

/// <summary>
/// For every sample topology (and the in-code mixed one) and every host: create the host's bridges on a real
/// OVS 3.1 (netdev datapath) with the interfaces the topology implies at their synthetic port numbers, load the
/// compiler's lines with <c>ovs-ofctl -O OpenFlow13 add-flows</c>, dump them back with
/// <c>dump-flows --no-stats --names</c>: the switch must print exactly our lines (as a multiset: OVS does not
/// order flows of equal priority).
/// </summary>
[NonParallelizable]
public class RealOvsRoundTripTests
{
    private static OvsSandbox _ovs = null!;

    [OneTimeSetUp]
    public void StartOvs() => _ovs = OvsSandbox.Start();

    [OneTimeTearDown]
    public void StopOvs() => _ovs?.Dispose();

    public static IEnumerable<TestCaseData> Hosts()
    {
        foreach (string path in RepoPaths.Samples)
        {
            var topology = TopologyLoader.Load(path);
            foreach (var host in topology.Hosts)
            {
                yield return new TestCaseData(Path.GetFileName(path), host.Name).SetName($"{{m}}({Path.GetFileName(path)},{host.Name})");
            }
        }

        foreach (var host in Tests.Compiler.TestTopologies.Mixed().Hosts)
        {
            yield return new TestCaseData("mixed", host.Name).SetName($"{{m}}(mixed,{host.Name})");
        }
    }

    private static global::Dvr.DvrFlows.Topology.Topology Load(string name) =>
        name == "mixed" ? Tests.Compiler.TestTopologies.Mixed() : TopologyLoader.Load(RepoPaths.Sample(name));

    [TestCaseSource(nameof(Hosts))]
    public void AddFlows_ThenDumpFlows_PrintsExactlyTheCompiledLines(string topologyName, string host)
    {
        var topology = Load(topologyName);
        var plan = HostPlan.Create(topology, host);
        var ports = SyntheticPortMap.For(plan);
        var compiled = DvrFlowCompiler.Compile(plan, ports);
        var bridges = compiled.InPipelineOrder().Select(b => b.BridgeName).ToList();
        try
        {
            foreach (string bridge in bridges)
            {
                _ovs.AddBridge(bridge);
                var add = new StringBuilder();
                foreach (var (name, number) in ports.PortsOf(bridge))
                {
                    var implied = ports.Interfaces.Single(i => i.BridgeName == bridge && i.Name == name);
                    string type = implied.Kind switch
                    {
                        InterfaceKind.Patch => $"type=patch options:peer={implied.Peer}",
                        InterfaceKind.Tunnel => $"type={implied.TunnelType} options:remote_ip={implied.RemoteIp} options:key=flow",
                        _ => "type=internal",
                    };
                    add.Append(CultureInfo.InvariantCulture, $" -- add-port {bridge} {name} -- set interface {name} {type} ofport_request={number}");
                }

                if (add.Length > 0)
                {
                    _ovs.Vsctl(add.ToString());
                }
            }

            foreach (string bridge in bridges)
            {
                var names = ports.NamesOf(bridge);
                var expected = compiled[bridge].Flows.Select(f => DesiredFlowText.Format(f, names)).ToList();
                string file = Path.Combine(_ovs.Directory, bridge + ".flows");
                File.WriteAllLines(file, expected);
                _ovs.Ofctl("add-flows", bridge, file);

                var dumped = _ovs.Ofctl("dump-flows --no-stats --names", bridge)
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();

                Assert.That(dumped, Is.EquivalentTo(expected), $"{topologyName} {host} {bridge}");
            }
        }
        finally
        {
            foreach (string bridge in bridges)
            {
                _ovs.Vsctl($"--if-exists del-br {bridge}");
            }
        }
    }
}
