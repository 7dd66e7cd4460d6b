using Dvr.DvrFlows.Compiler;
using Dvr.DvrFlows.Controller;
using Dvr.DvrFlows.Topology;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using static Dvr.DvrFlows.Tests.Compiler.TestTopologies;

namespace Dvr.DvrFlows.Tests.Compiler;

/// <summary>The controller's flow source after topology edits: incremental for port edits, a logged full recompile otherwise, always equal to a fresh compile.</summary>
public class CompilerFlowSourceTests
{
    private static HostPortMap Ports(Topology.Topology topology, string host)
    {
        var synthetic = SyntheticPortMap.For(topology, host);
        var map = HostPortMap.Empty;
        foreach (var bridge in synthetic.Interfaces.Select(i => i.BridgeName).Distinct())
        {
            map = map.With(bridge, synthetic.PortsOf(bridge));
        }

        return map;
    }

    private static IReadOnlyDictionary<string, IReadOnlyList<Dvr.DvrFlows.Reconcile.FlowEntry>> Fresh(Topology.Topology topology, Host host, HostPortMap ports) =>
        DvrFlowCompiler.Compile(topology, host.Name, ports).Bridges.ToDictionary(
            b => b.Key, b => (IReadOnlyList<Dvr.DvrFlows.Reconcile.FlowEntry>)[.. b.Value.Flows.Select(CompilerFlowSource.ToEntry)], StringComparer.Ordinal);

    [Test]
    public void Compute_AfterAPortEditAndARouterEdit_EqualsAFreshCompileAndLogsHowItRecomputed()
    {
        var topology = WorkedExample();
        var vm9 = Port("vm9", "red", "qvovm9", "fa:16:3e:00:01:99", DeviceOwner.Compute, "cn2", null, ("red-v4", "10.0.1.99"));
        var withPort = topology with { Ports = [.. topology.Ports.Add(vm9).OrderBy(p => p.Name, StringComparer.Ordinal)] };
        var flipped = withPort with { Routers = [.. withPort.Routers.Select(r => r with { Distributed = !r.Distributed })] };
        var ports = withPort.Hosts.ToDictionary(h => h.Name, h => Ports(withPort, h.Name), StringComparer.Ordinal);
        var log = new ListLogger();
        var source = new CompilerFlowSource(log);

        foreach (var step in new[] { topology, withPort, flipped, withPort })
        {
            foreach (var host in step.Hosts)
            {
                var actual = source.Compute(step, host, ports[host.Name]);

                var expected = Fresh(step, host, ports[host.Name]);
                Assert.That(actual.Keys, Is.EquivalentTo(expected.Keys));
                foreach (var (bridge, flows) in expected)
                {
                    Assert.That(actual[bridge], Is.EqualTo(flows), $"{host.Name} {bridge}");
                }
            }
        }

        Assert.That(log.Lines, Has.Some.StartsWith("topology edit: 1 port(s) changed (vm9); recomputed"));
        Assert.That(log.Lines, Has.Some.EqualTo($"topology edit: full recompile of {topology.Hosts.Length} host(s), not incremental because routers changed"));
    }

    /// <summary>
    /// After a one-port edit only the patched bridges get new lists, and in those every flow that did not change
    /// keeps its entry object; asking again for the same topology returns the very same lists. New port numbers
    /// (PORT_STATUS) recompile the host and still give what a fresh compile gives.
    /// </summary>
    [Test]
    public void Compute_AfterAPortEdit_ConvertsOnlyThePatchedFlowsAndEqualsAFreshCompile()
    {
        var topology = WorkedExample();
        var vm9 = Port("vm9", "red", "qvovm9", "fa:16:3e:00:01:99", DeviceOwner.Compute, "cn2", null, ("red-v4", "10.0.1.99"));
        var withPort = topology with { Ports = [.. topology.Ports.Add(vm9).OrderBy(p => p.Name, StringComparer.Ordinal)] };
        var ports = withPort.Hosts.ToDictionary(h => h.Name, h => Ports(withPort, h.Name), StringComparer.Ordinal);
        var source = new CompilerFlowSource();
        var before = topology.Hosts.ToDictionary(h => h.Name, h => source.Compute(topology, h, ports[h.Name]), StringComparer.Ordinal);

        foreach (var host in withPort.Hosts)
        {
            var actual = source.Compute(withPort, host, ports[host.Name]);

            var expected = Fresh(withPort, host, ports[host.Name]);
            Assert.That(source.Compute(withPort, host, ports[host.Name]), Is.SameAs(actual), $"{host.Name}: asked again");
            foreach (var (bridge, flows) in expected)
            {
                Assert.That(actual[bridge], Is.EqualTo(flows), $"{host.Name} {bridge}");
                var old = before[host.Name][bridge];
                int changed = flows.Count(f => !old.Contains(f)) + old.Count(f => !flows.Contains(f));
                if (changed == 0)
                {
                    Assert.That(actual[bridge], Is.SameAs(old), $"{host.Name} {bridge}: unchanged, same list");
                }
                else
                {
                    var reused = actual[bridge].Count(e => old.Any(o => ReferenceEquals(o, e)));
                    Assert.That(reused, Is.EqualTo(flows.Count - flows.Count(f => !old.Contains(f))), $"{host.Name} {bridge}: every unchanged flow keeps its entry");
                }
            }
        }

        var cn2 = withPort.Hosts.Single(h => h.Name == "cn2");
        var renumbered = ports["cn2"].With("br-int", ports["cn2"].PortsOf("br-int").ToDictionary(p => p.Key, p => p.Key == "qvovm9" ? 77u : p.Value, StringComparer.Ordinal));
        var afterPortStatus = source.Compute(withPort, cn2, renumbered);
        foreach (var (bridge, flows) in Fresh(withPort, cn2, renumbered))
        {
            Assert.That(afterPortStatus[bridge], Is.EqualTo(flows), $"cn2 {bridge} after new port numbers");
        }
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
