using System.Collections.Immutable;
using System.Text;
using Dvr.DvrFlows.Compiler;
using Dvr.DvrFlows.Controller;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Pipeline;
using Dvr.DvrFlows.Reconcile;
using Dvr.DvrFlows.Topology;
using Dvr.OpenFlow.Messages.Multipart;
using Dvr.OpenFlow.Messages.Port;
using Dvr.OpenFlow.Text;

namespace Dvr.DvrFlows.Diagnostics;

/// <summary>How a flow on the live bridge relates to what the compiler wants there.</summary>
public enum LiveFlowStatus
{
    /// <summary>Ours and exactly as desired.</summary>
    Ok,

    /// <summary>Ours, same table/priority/match as a desired flow, other instructions.</summary>
    Changed,

    /// <summary>Ours (our cookie) but not desired any more: stale.</summary>
    Stale,

    /// <summary>Another cookie: some other software's flow, which Dvr never touches.</summary>
    Foreign,

    /// <summary>Desired but not on the bridge (only in diffs).</summary>
    Missing,
}

/// <summary>One flow of a comparison: the live flow and/or the desired one, with owner and table role.</summary>
public sealed record ComparedFlow(LiveFlowStatus Status, FlowStatsEntry? Live, DesiredFlow? Desired, string Owner, string Role);

/// <summary>The desired flows of one live bridge, compiled with the bridge's real port numbers.</summary>
public sealed record LiveDesired(Topology.Topology Topology, HostPlan Plan, string BridgeName, BridgeKind Kind, DesiredFlowSet Flows, PortNames Names, ImmutableArray<WaitingFlow> Waiting);

/// <summary>
/// <c>dvrctl diff</c> and <c>dvrctl explain</c>: the live flows of a bridge against
/// <see cref="DvrFlowCompiler"/>'s desired flows for it, compiled with the port numbers the switch reports
/// in PORT_DESC (OpenFlow 1.3.5 §7.3.5.7), never the synthetic numbering.
/// </summary>
public static class LiveComparison
{
    /// <summary>Loads and validates the topology, checks host and bridge, and compiles with the live ports.</summary>
    /// <exception cref="DiagnosticsException">Unreadable or invalid topology, unknown host or bridge.</exception>
    public static LiveDesired Compile(string topologyPath, string host, string bridge, IReadOnlyList<PortDescription> livePorts)
    {
        ArgumentNullException.ThrowIfNull(livePorts);
        var topology = DiagnosticsTopology.Load(topologyPath);
        if (!topology.Hosts.Any(h => h.Name == host))
        {
            throw new DiagnosticsException($"topology {topologyPath} has no host '{host}' (hosts: {string.Join(", ", topology.Hosts.Select(h => h.Name))})");
        }

        var plan = HostPlan.Create(topology, host);
        var ports = livePorts.Where(p => p.PortNumber < 0xffffff00).GroupBy(p => p.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().PortNumber, StringComparer.Ordinal);
        var compiled = DvrFlowCompiler.Compile(plan, HostPortMap.Empty.With(bridge, ports));
        if (!compiled.Bridges.TryGetValue(bridge, out var set))
        {
            throw new DiagnosticsException($"host '{host}' has no bridge '{bridge}' (bridges: {string.Join(", ", compiled.Bridges.Keys)})");
        }

        return new LiveDesired(topology, plan, bridge, set.Bridge, set, LiveSwitch.NamesOf(livePorts), [.. compiled.Waiting.Where(w => w.BridgeName == bridge)]);
    }

    /// <summary>
    /// <c>dvrctl diff</c>: <paramref name="ours"/> are the live flows read with our cookie under an all-ones
    /// mask. Missing, changed (the desired version) and extra flows, in that order, via
    /// <see cref="Reconciler.Compare"/>.
    /// </summary>
    public static IReadOnlyList<ComparedFlow> Diff(IReadOnlyList<FlowStatsEntry> ours, LiveDesired desired)
    {
        ArgumentNullException.ThrowIfNull(ours);
        ArgumentNullException.ThrowIfNull(desired);
        var installed = ours.Select(ToEntry).ToList();
        var wanted = desired.Flows.Flows.Select(f => new FlowEntry(f.TableId, f.Priority, f.Match, f.Cookie, f.Instructions)).ToList();
        var diff = Reconciler.Compare(installed, wanted);
        var liveById = ours.ToDictionary(f => ToEntry(f).Identity);
        var result = new List<ComparedFlow>();
        foreach (var add in diff.Adds)
        {
            var flow = DesiredOf(desired, add);
            result.Add(new ComparedFlow(LiveFlowStatus.Missing, null, flow, flow?.Owner.ToString() ?? "-", flow?.Role ?? TableRole(desired.Kind, add.TableId)));
        }

        foreach (var modify in diff.Modifies)
        {
            var flow = DesiredOf(desired, modify);
            result.Add(new ComparedFlow(LiveFlowStatus.Changed, liveById[modify.Identity], flow, flow?.Owner.ToString() ?? "-", flow?.Role ?? TableRole(desired.Kind, modify.TableId)));
        }

        foreach (var delete in diff.Deletes)
        {
            result.Add(new ComparedFlow(LiveFlowStatus.Stale, liveById[delete.Identity], null, "-", TableRole(desired.Kind, delete.TableId)));
        }

        return result;
    }

    /// <summary>
    /// <c>dvrctl explain</c>: every live flow (all cookies), in the switch's order, annotated with the role
    /// of the desired flow it is (or its table's role) and its owner; foreign and stale flows flagged.
    /// </summary>
    public static IReadOnlyList<ComparedFlow> Explain(IReadOnlyList<FlowStatsEntry> live, LiveDesired desired, ulong cookie)
    {
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(desired);
        var result = new List<ComparedFlow>(live.Count);
        foreach (var flow in live)
        {
            string tableRole = TableRole(desired.Kind, flow.TableId);
            if (flow.Cookie != cookie)
            {
                result.Add(new ComparedFlow(LiveFlowStatus.Foreign, flow, null, "-", tableRole));
                continue;
            }

            if (!desired.Flows.TryGet(new FlowKey(desired.BridgeName, flow.TableId, flow.Priority, flow.Match), out var wanted))
            {
                result.Add(new ComparedFlow(LiveFlowStatus.Stale, flow, null, "-", tableRole));
                continue;
            }

            var status = wanted.Instructions.Equals(flow.Instructions) ? LiveFlowStatus.Ok : LiveFlowStatus.Changed;
            result.Add(new ComparedFlow(status, flow, wanted, wanted.Owner.ToString(), wanted.Role));
        }

        return result;
    }

    /// <summary>"NAME: role" of a table of the bridge's pipeline, or "table N: not in the Dvr pipeline".</summary>
    public static string TableRole(BridgeKind kind, byte tableId)
    {
        var pipeline = PipelineSpec.For(kind);
        return pipeline.Contains(tableId) ? $"{pipeline[tableId].Name}: {pipeline[tableId].Role}" : $"table {tableId}: not in the Dvr {kind} pipeline";
    }

    /// <summary>Status word as printed: ok, changed, stale, foreign, missing.</summary>
    public static string StatusText(LiveFlowStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>
    /// diff's text: "- " lines are on the bridge and should not be (stale), "+ " lines are missing, a
    /// changed flow shows both ("- " live, "+ " desired), each followed by "#  owner, role".
    /// </summary>
    public static string FormatDiff(IReadOnlyList<ComparedFlow> flows, PortNames names)
    {
        ArgumentNullException.ThrowIfNull(flows);
        var output = new StringBuilder();
        foreach (var flow in flows)
        {
            output.Append('[').Append(StatusText(flow.Status)).Append("] ").Append(flow.Owner).Append(": ").Append(flow.Role).Append('\n');
            if (flow.Live is { } live)
            {
                output.Append("- ").Append(FlowStatsText.Format(live, names, FlowStatsText.Options.NoStats)).Append('\n');
            }

            if (flow.Desired is { } desired && flow.Status != LiveFlowStatus.Stale)
            {
                output.Append("+ ").Append(DesiredFlowText.Format(desired, names).TrimStart()).Append('\n');
            }
        }

        return output.ToString();
    }

    /// <summary>explain's text: each live flow as dump-flows --no-stats prints it, then "    # status owner: role".</summary>
    public static string FormatExplain(IReadOnlyList<ComparedFlow> flows, PortNames names)
    {
        ArgumentNullException.ThrowIfNull(flows);
        var output = new StringBuilder();
        foreach (var flow in flows)
        {
            output.Append(' ').Append(FlowStatsText.Format(flow.Live!, names, FlowStatsText.Options.NoStats)).Append('\n');
            output.Append("    # ");
            output.Append(flow.Status switch
            {
                LiveFlowStatus.Foreign => "FOREIGN (not Dvr's cookie) in ",
                LiveFlowStatus.Stale => "STALE (Dvr's cookie, not desired) in ",
                LiveFlowStatus.Changed => "CHANGED (actions differ from desired) ",
                _ => string.Empty,
            });
            output.Append(flow.Role);
            if (flow.Desired is not null)
            {
                output.Append(" [owner ").Append(flow.Owner).Append(']');
            }

            if (flow.Status == LiveFlowStatus.Changed && flow.Desired is { } desired)
            {
                output.Append("\n    # desired: ").Append(DesiredFlowText.Format(desired, names).TrimStart());
            }

            output.Append('\n');
        }

        return output.ToString();
    }

    /// <summary>JSON array for diff and explain: status, owner, role, live and desired flow text.</summary>
    public static string FormatJson(IReadOnlyList<ComparedFlow> flows, PortNames names) => SwitchDumps.Json(w =>
    {
        w.WriteStartArray();
        foreach (var flow in flows)
        {
            w.WriteStartObject();
            w.WriteString("status", StatusText(flow.Status));
            w.WriteString("owner", flow.Owner);
            w.WriteString("role", flow.Role);
            var any = flow.Live is { } l ? (l.TableId, l.Priority) : (flow.Desired!.TableId, flow.Desired.Priority);
            w.WriteNumber("table", any.TableId);
            w.WriteNumber("priority", any.Priority);
            if (flow.Live is { } live)
            {
                w.WriteString("live", FlowStatsText.Format(live, names, FlowStatsText.Options.NoStats));
            }

            if (flow.Desired is { } desired)
            {
                w.WriteString("desired", DesiredFlowText.Format(desired, names).TrimStart());
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    private static FlowEntry ToEntry(FlowStatsEntry flow) => new(flow.TableId, flow.Priority, flow.Match, flow.Cookie, flow.Instructions);

    private static DesiredFlow? DesiredOf(LiveDesired desired, FlowEntry entry) =>
        desired.Flows.TryGet(new FlowKey(desired.BridgeName, entry.TableId, entry.Priority, entry.Match), out var flow) ? flow : null;
}
