using Dvr.DvrFlows.Compiler;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Topology;
using NUnit.Framework;

namespace Dvr.DvrFlows.Tests.Golden;

/// <summary>
/// samples/worked-example.yaml compiled for cn1 equals CN1's tables of neutron-dvr-flows.md §5 (Neutron 21.0 +
/// OVS 3.1), cookies stripped. None of the documented deviations (docs/neutron-parity.md) shows in this steady
/// state: they concern VLAN/flat networks, allowed address pairs and teardown, asserted in <see cref="DeviationTests"/>.
/// </summary>
public class WorkedExampleGoldenTests
{
    private static CompiledHost _cn1 = null!;
    private static SyntheticPortMap _ports = null!;

    [OneTimeSetUp]
    public void CompileCn1()
    {
        var topology = TopologyLoader.Load(RepoPaths.Sample("worked-example.yaml"));
        _ports = SyntheticPortMap.For(topology, "cn1");
        _cn1 = DvrFlowCompiler.Compile(topology, "cn1", _ports);
    }

    /// <summary>
    /// Our dump-flows lines without the leading " cookie=0x…, ", and the learn action's cookie as LEARNED_COOKIE:
    /// Neutron's learn carries the bridge cookie, ours the controller cookie with bit 0 flipped, so that learned
    /// flows are not ours to reconcile away (a documented deviation, docs/neutron-parity.md).
    /// </summary>
    internal static List<string> Stripped(CompiledHost host, SyntheticPortMap ports, string bridge)
    {
        ulong cookieValue = host[bridge].Flows[0].Cookie;
        string cookie = $"0x{cookieValue:x}";
        string learnedCookie = $"0x{cookieValue ^ 1:x}";
        return [.. host[bridge].Flows.Select(f =>
        {
            string line = DesiredFlowText.Format(f, ports.NamesOf(bridge));
            string prefix = $" cookie={cookie}, ";
            Assert.That(line, Does.StartWith(prefix));
            return line[prefix.Length..].Replace($"cookie={learnedCookie},", "cookie=LEARNED_COOKIE,", StringComparison.Ordinal);
        })];
    }

    [Test]
    public void Cn1_BrInt_EqualsNeutronReplay() =>
        Assert.That(Stripped(_cn1, _ports, "br-int"), Is.EquivalentTo(WorkedExampleCn1.BrInt));

    [Test]
    public void Cn1_BrTun_EqualsNeutronReplay() =>
        Assert.That(Stripped(_cn1, _ports, "br-tun"), Is.EquivalentTo(WorkedExampleCn1.BrTun));

    [Test]
    public void Cn1_BrEx_EqualsNeutronReplay() =>
        Assert.That(Stripped(_cn1, _ports, "br-ex"), Is.EquivalentTo(WorkedExampleCn1.BrEx));

    [Test]
    public void Cn1_EveryFlowCarriesTheTopologyCookie() =>
        Assert.That(_cn1.AllFlows.Select(f => f.Cookie).Distinct(), Is.EqualTo(new[] { GlobalSettings.DefaultCookie }));

    [Test]
    public void Cn1_HasOnlyItsThreeBridges() =>
        Assert.That(_cn1.Bridges.Keys, Is.EqualTo(new[] { "br-ex", "br-int", "br-tun" }));
}
