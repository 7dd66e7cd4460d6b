using System.Globalization;
using System.Text;
using Dvr.DvrFlows.Compiler;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Tests.Golden;
using Dvr.DvrFlows.Topology;
using NUnit.Framework;
using TopologyModel = Dvr.DvrFlows.Topology.Topology;

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

    private static TopologyModel Load(string name) =>
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
            _ovs.CreateBridges(bridges, ports);

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
            _ovs.Vsctl(string.Concat(bridges.Select(b => $" -- --if-exists del-br {b}")));
        }
    }
}
