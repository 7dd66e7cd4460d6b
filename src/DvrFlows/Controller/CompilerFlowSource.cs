using System.Collections.ObjectModel;
using System.Runtime.InteropServices;
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
/// <para>
/// The controller asks for every connected host after each topology change (once to check it, once per bridge
/// to reconcile), so the flow entries of each host are kept with the compiled sets they came from: a host whose
/// sets are the very objects of the last call gets the same lists back, and a bridge whose set was patched gets
/// a new list in which every flow that is still the same object keeps its entry (only the owners a port edit
/// touched are converted again).
/// </para>
/// </summary>
public sealed partial class CompilerFlowSource : IDesiredFlowSource
{
    /// <summary>A shared instance without logging (tests, tools).</summary>
    public static readonly CompilerFlowSource Instance = new();

    private readonly Lock _lock = new();
    private readonly ILogger _logger;
    private IncrementalCompiler? _compiler;
    private readonly Dictionary<string, ConvertedHost> _converted = new(StringComparer.Ordinal);

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
        lock (_lock)
        {
            CompiledHost compiled;
            if (_compiler is null)
            {
                _compiler = new IncrementalCompiler(topology, new Dictionary<string, IPortMap>(StringComparer.Ordinal) { [host.Name] = ports });
            }
            else if (!ReferenceEquals(_compiler.Topology, topology))
            {
                var update = _compiler.Update(topology);
                Report(update);
                if (!update.WasIncremental)
                {
                    // A full recompile drops the hosts the topology no longer has; so do their entries.
                    foreach (string gone in _converted.Keys.Where(name => !_compiler.Contains(name)).ToList())
                    {
                        _converted.Remove(gone);
                    }
                }
            }

            compiled = _compiler.Contains(host.Name) && ReferenceEquals(_compiler.PortsOf(host.Name), ports)
                ? _compiler[host.Name]
                : _compiler.SetPorts(host.Name, ports);
            var previous = _converted.GetValueOrDefault(host.Name);
            if (previous is not null && ReferenceEquals(previous.Compiled, compiled))
            {
                return previous.Bridges;
            }

            var converted = Convert(compiled, previous);
            _converted[host.Name] = converted;
            return converted.Bridges;
        }
    }

    public static FlowEntry ToEntry(DesiredFlow flow) => new(flow.TableId, flow.Priority, flow.Match, flow.Cookie, flow.Instructions);

    /// <summary>
    /// The entries of every bridge of <paramref name="compiled"/>: a set <paramref name="previous"/> converted is
    /// reused whole, a set derived from it (a patch) reuses the entry of every flow object the two share, and any
    /// other set is converted with its equal matches and instruction lists stored once.
    /// </summary>
    private static ConvertedHost Convert(CompiledHost compiled, ConvertedHost? previous)
    {
        SharedParts? shared = null;
        var sets = new Dictionary<string, (DesiredFlowSet Set, FlowEntry[] Entries, IReadOnlyList<FlowEntry> List)>(StringComparer.Ordinal);
        var bridges = new Dictionary<string, IReadOnlyList<FlowEntry>>(StringComparer.Ordinal);
        foreach (var (name, set) in compiled.Bridges)
        {
            var before = previous?.Sets.GetValueOrDefault(name) ?? default;
            if (ReferenceEquals(before.Set, set))
            {
                sets[name] = before;
                bridges[name] = before.List;
                continue;
            }

            shared ??= new SharedParts();
            var entries = (before.Set is null ? null : Patch(before.Set.Flows.AsSpan(), before.Entries, set.Flows.AsSpan(), shared))
                ?? [.. set.Flows.Select(shared.ToEntry)];
            IReadOnlyList<FlowEntry> list = ImmutableCollectionsMarshal.AsImmutableArray(entries);
            sets[name] = (set, entries, list);
            bridges[name] = list;
        }

        // Read-only: the same instance goes to every caller until the host changes.
        return new ConvertedHost(compiled, new ReadOnlyDictionary<string, IReadOnlyList<FlowEntry>>(bridges), sets);
    }

    /// <summary>
    /// The entries of <paramref name="flows"/>, given those of <paramref name="before"/> (same index): a flow that is
    /// the same object as one of <paramref name="before"/> keeps its entry, any other is converted. Both lists are
    /// in canonical order (<see cref="FlowOrder"/>), so one walk finds the shared flows. Null when fewer than half
    /// the flows are shared (a recompiled host, e.g. after PORT_STATUS): converting all of them through one
    /// <see cref="SharedParts"/> then shares more.
    /// </summary>
    private static FlowEntry[]? Patch(ReadOnlySpan<DesiredFlow> before, FlowEntry[] beforeEntries, ReadOnlySpan<DesiredFlow> flows, SharedParts shared)
    {
        var entries = new FlowEntry[flows.Length];
        int i = 0, kept = 0;
        for (int j = 0; j < flows.Length; j++)
        {
            while (i < before.Length && !ReferenceEquals(before[i], flows[j]) && FlowOrder.Instance.Compare(before[i], flows[j]) < 0)
            {
                i++;
            }

            if (i < before.Length && ReferenceEquals(before[i], flows[j]))
            {
                entries[j] = beforeEntries[i++];
                kept++;
            }
            else
            {
                entries[j] = shared.ToEntry(flows[j]);
            }
        }

        return kept * 2 >= flows.Length ? entries : null;
    }

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

    /// <summary>The entries last handed out for a host, with the compiled sets they were made from.</summary>
    private sealed record ConvertedHost(
        CompiledHost Compiled,
        IReadOnlyDictionary<string, IReadOnlyList<FlowEntry>> Bridges,
        Dictionary<string, (DesiredFlowSet Set, FlowEntry[] Entries, IReadOnlyList<FlowEntry> List)> Sets);

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
