using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Match;
using Dvr.OpenFlow.Messages.Flow;
using OfMatch = Dvr.OpenFlow.Match.Match;

namespace Dvr.SwitchSim;

/// <summary>One installed flow: its identity (table, priority, match) and what a flow-stats reply reports.</summary>
public sealed record SimulatedFlow(byte TableId, ushort Priority, OfMatch Match, ulong Cookie, InstructionList Instructions, FlowModFlags Flags, ushort IdleTimeout, ushort HardTimeout);

/// <summary>
/// The flow tables of one simulated switch, with the FLOW_MOD semantics of Open vSwitch 3.1 for OpenFlow 1.3
/// (OpenFlow 1.3.5 §6.4, OVS ofproto/ofproto.c):
/// <list type="bullet">
/// <item>identity is table + priority + match; ADD replaces a flow with the same identity (new cookie,
/// instructions, flags);</item>
/// <item>MODIFY[_STRICT] changes only the instructions of the flows it selects (never the cookie: in 1.1+ OVS
/// keeps the cookie on modify) and adds nothing when none is selected;</item>
/// <item>DELETE[_STRICT] removes what it selects; neither reports an error when nothing matches;</item>
/// <item>selection: the *_STRICT commands take exactly the identity, the others every flow whose match is at
/// least as specific as the request's (priority ignored); table 255 (OFPTT_ALL) means every table for DELETE
/// (ADD and MODIFY with it fail with OFPFMFC_BAD_TABLE_ID); cookie and
/// cookie_mask filter ((flow.cookie ^ cookie) &amp; mask == 0); DELETE also honours out_port.</item>
/// </list>
/// Not modelled: idle/hard timeouts expiring, CHECK_OVERLAP, counters, per-table flow limits and the
/// set-field prerequisite checks OVS makes against the match (OFPBAC_MATCH_INCONSISTENT).
/// Not thread-safe: one switch processes its messages in order on its connection's read loop.
/// </summary>
public sealed class SimulatedFlowTable
{
    /// <summary>OVS 3.1 bridges have 255 tables (0..254); 255 is OFPTT_ALL.</summary>
    public const byte MaxTableId = 254;

    private Dictionary<FlowKey, SimulatedFlow> _flows;

    public SimulatedFlowTable() => _flows = [];

    private SimulatedFlowTable(Dictionary<FlowKey, SimulatedFlow> flows) => _flows = flows;

    public int Count => _flows.Count;

    public IReadOnlyCollection<SimulatedFlow> Flows => _flows.Values;

    /// <summary>A copy to stage a bundle on: the original is untouched until <see cref="ReplaceWith"/>.</summary>
    public SimulatedFlowTable Clone() => new(new Dictionary<FlowKey, SimulatedFlow>(_flows));

    /// <summary>Takes over <paramref name="staged"/>'s flows (the atomic switch-over of a bundle commit).</summary>
    public void ReplaceWith(SimulatedFlowTable staged) => _flows = staged._flows;

    /// <summary>
    /// The error OVS answers for <paramref name="mod"/> before touching any table, or null when it is valid.
    /// Decoding (unknown command, flag bits, bad match or actions) has already been checked by the codec.
    /// </summary>
    public static OfpError? Validate(FlowMod mod)
    {
        ArgumentNullException.ThrowIfNull(mod);

        // ADD and MODIFY[_STRICT] must name one table: OVS refuses OFPTT_ALL for them with OFPFMFC_BAD_TABLE_ID
        // (only DELETE may span all tables), as the differential test against OVS 3.1 shows.
        if (mod.Command is FlowModCommand.Add or FlowModCommand.Modify or FlowModCommand.ModifyStrict && mod.TableId > MaxTableId)
        {
            return OfpError.FlowModBadTableId;
        }

        foreach (var instruction in mod.Instructions.Instructions)
        {
            // goto_table must go forward (OpenFlow 1.3.5 §5.1, OVS ofpacts_check: OFPBIC_BAD_TABLE_ID).
            if (instruction is GotoTableInstruction go && (go.TableId > MaxTableId || (mod.TableId <= MaxTableId && go.TableId <= mod.TableId)))
            {
                return OfpError.BadInstructionTableId;
            }
        }

        return null;
    }

    /// <summary>Validates and applies one FLOW_MOD; returns the error OVS would send, or null.</summary>
    public OfpError? Apply(FlowMod mod)
    {
        if (Validate(mod) is { } error)
        {
            return error;
        }

        switch (mod.Command)
        {
            case FlowModCommand.Add:
                _flows[new FlowKey(mod.TableId, mod.Priority, mod.Match)] =
                    new SimulatedFlow(mod.TableId, mod.Priority, mod.Match, mod.Cookie, mod.Instructions, mod.Flags, mod.IdleTimeout, mod.HardTimeout);
                break;
            case FlowModCommand.Modify:
            case FlowModCommand.ModifyStrict:
                foreach (var flow in Select(mod, mod.Command == FlowModCommand.ModifyStrict, honourOutPort: false))
                {
                    _flows[new FlowKey(flow.TableId, flow.Priority, flow.Match)] = flow with { Instructions = mod.Instructions };
                }

                break;
            case FlowModCommand.Delete:
            case FlowModCommand.DeleteStrict:
                foreach (var flow in Select(mod, mod.Command == FlowModCommand.DeleteStrict, honourOutPort: true))
                {
                    _flows.Remove(new FlowKey(flow.TableId, flow.Priority, flow.Match));
                }

                break;
            default:
                return OfpError.BadCommand;
        }

        return null;
    }

    /// <summary>
    /// The flows a flow-stats request selects (OpenFlow 1.3.5 §7.3.5.2): non-strict match, table (255 = all),
    /// cookie/cookie_mask and out_port filters, ordered by table, then priority (highest first).
    /// </summary>
    public IEnumerable<SimulatedFlow> Query(byte tableId, ulong cookie, ulong cookieMask, OfMatch match, uint outPort) =>
        _flows.Values
            .Where(f => (tableId > MaxTableId || f.TableId == tableId)
                        && ((f.Cookie ^ cookie) & cookieMask) == 0
                        && (outPort == OfpPort.Any || OutputsTo(f.Instructions, outPort))
                        && Covers(match, f.Match))
            .OrderBy(f => f.TableId)
            .ThenByDescending(f => f.Priority);

    private List<SimulatedFlow> Select(FlowMod mod, bool strict, bool honourOutPort)
    {
        var selected = new List<SimulatedFlow>();
        if (strict && mod.TableId <= MaxTableId)
        {
            if (_flows.TryGetValue(new FlowKey(mod.TableId, mod.Priority, mod.Match), out var exact) && Filter(exact))
            {
                selected.Add(exact);
            }

            return selected;
        }

        foreach (var flow in _flows.Values)
        {
            if ((mod.TableId > MaxTableId || flow.TableId == mod.TableId)
                && (strict ? flow.Priority == mod.Priority && flow.Match.Equals(mod.Match) : Covers(mod.Match, flow.Match))
                && Filter(flow))
            {
                selected.Add(flow);
            }
        }

        return selected;

        bool Filter(SimulatedFlow flow) =>
            ((flow.Cookie ^ mod.Cookie) & mod.CookieMask) == 0
            && (!honourOutPort || mod.OutPort == OfpPort.Any || OutputsTo(flow.Instructions, mod.OutPort));
    }

    /// <summary>
    /// True when every packet <paramref name="flow"/> matches is also matched by <paramref name="filter"/>
    /// (OVS minimatch "loose" comparison): for each field of the filter the flow matches the same bits or more,
    /// with the same values on the filter's bits.
    /// </summary>
    internal static bool Covers(OfMatch filter, OfMatch flow)
    {
        foreach (var wanted in filter.Entries)
        {
            if (flow.Get(wanted.Field) is not { } have)
            {
                return false;
            }

            if ((have.Mask & wanted.Mask) != wanted.Mask || (have.Value & wanted.Mask) != (wanted.Value & wanted.Mask))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>out_port filter: an output action to the port in the flow's apply or write actions (OVS ofpacts_output_to_port).</summary>
    private static bool OutputsTo(InstructionList instructions, uint port)
    {
        foreach (var instruction in instructions.Instructions)
        {
            var actions = instruction switch
            {
                ApplyActionsInstruction apply => apply.Actions,
                WriteActionsInstruction write => write.Actions,
                _ => null,
            };
            if (actions is not null && actions.Actions.Any(a => a is OutputAction output && output.Port == port))
            {
                return true;
            }
        }

        return false;
    }

    private readonly record struct FlowKey(byte TableId, ushort Priority, OfMatch Match);
}
