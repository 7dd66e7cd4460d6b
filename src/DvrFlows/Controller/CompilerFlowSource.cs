using Dvr.DvrFlows.Compiler;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Reconcile;
using Dvr.DvrFlows.Topology;
using Dvr.OpenFlow.Instructions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OfMatch = Dvr.OpenFlow.Match.Match;

namespace Dvr.DvrFlows.Controller;

/// <summary>
/// The production <see cref="IDesiredFlowSource"/>: <see cref="DvrFlowCompiler"/> with the live port numbers,
/// kept in an <see cref="IncrementalCompiler"/>. When asked for a topology other than the last one, it diffs the
/// two (<see cref="IncrementalCompiler.TryDiff"/>) and recomputes only the owners the changed ports affect on
/// every host it keeps; an edit the incremental path does not cover (anything but ports, router interface
/// ports, many ports at once) is recompiled in full, and that fallback is logged with its reason. A host asked
/// for with new port numbers (PORT_STATUS) is recompiled whole.
/// </summary>
public sealed partial class CompilerFlowSource : IDesiredFlowSource
{
    /// <summary>A shared instance without logging (tests, tools).</summary>
    public static readonly CompilerFlowSource Instance = new();

    private readonly Lock _lock = new();
    private readonly ILogger _logger;
    private IncrementalCompiler? _compiler;

    public CompilerFlowSource(ILogger? logger = null) => _logger = logger ?? NullLogger.Instance;

    /// <summary>
    /// Compiles (or incrementally updates) the host and returns each bridge's flows. The controller keeps these lists for as long as the
    /// bridges stay connected (they are what it believes is installed), so equal matches and equal instruction
    /// lists are stored once per host: many flows share their actions (output to one port, goto one table),
    /// and the same match recurs across tables. This is what keeps the controller near a few hundred bytes per
    /// installed flow (tools/Benchmarks controller-memory).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<FlowEntry>> Compute(Topology.Topology topology, Host host, HostPortMap ports)
    {
        CompiledHost compiled;
        lock (_lock)
        {
            if (_compiler is null)
            {
                _compiler = new IncrementalCompiler(topology, new Dictionary<string, IPortMap>(StringComparer.Ordinal) { [host.Name] = ports });
            }
            else if (!ReferenceEquals(_compiler.Topology, topology))
            {
                Report(_compiler.Update(topology));
            }

            compiled = _compiler.Contains(host.Name) && ReferenceEquals(_compiler.PortsOf(host.Name), ports)
                ? _compiler[host.Name]
                : _compiler.SetPorts(host.Name, ports);
        }

        var shared = new SharedParts();
        return compiled.Bridges.ToDictionary(
            b => b.Key,
            b => (IReadOnlyList<FlowEntry>)[.. b.Value.Flows.Select(f => shared.ToEntry(f))],
            StringComparer.Ordinal);
    }

    public static FlowEntry ToEntry(DesiredFlow flow) => new(flow.TableId, flow.Priority, flow.Match, flow.Cookie, flow.Instructions);

    private void Report(IncrementalUpdate update)
    {
        if (update.FullRecompileReason is { } reason)
        {
            LogFullRecompile(_logger, update.HostsRecompiled.Length, reason);
            return;
        }

        if (update.Ports.IsEmpty)
        {
            return;
        }

        LogIncremental(_logger, update.Ports.Length, string.Join(", ", update.Ports.Select(p => p.Name)), update.OwnersRecomputed, update.HostsPatched.Length,
            update.HostsRecompiled.Length, string.Join(", ", update.HostsRecompiled), update.Changes.Length);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "topology edit: full recompile of {Hosts} host(s), not incremental because {Reason}")]
    private static partial void LogFullRecompile(ILogger logger, int hosts, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "topology edit: {Count} port(s) changed ({Ports}); recomputed {Owners} owner(s) on {Patched} host(s), " +
        "recompiled {Recompiled} host(s) whole because their networks, routers or tunnel peers changed [{RecompiledHosts}]; {Changes} owner change(s)")]
    private static partial void LogIncremental(ILogger logger, int count, string ports, int owners, int patched, int recompiled, string recompiledHosts, int changes);

    /// <summary>One instance per distinct value (value equality of <see cref="OfMatch"/> and <see cref="InstructionList"/>).</summary>
    private sealed class SharedParts
    {
        private readonly Dictionary<OfMatch, OfMatch> _matches = [];
        private readonly Dictionary<InstructionList, InstructionList> _instructions = [];

        public FlowEntry ToEntry(DesiredFlow flow) =>
            new(flow.TableId, flow.Priority, Intern(_matches, flow.Match), flow.Cookie, Intern(_instructions, flow.Instructions));

        private static T Intern<T>(Dictionary<T, T> pool, T value)
            where T : notnull
        {
            if (pool.TryGetValue(value, out var existing))
            {
                return existing;
            }

            pool[value] = value;
            return value;
        }
    }
}
