using Dvr.DvrFlows.Pipeline;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Messages.Flow;
using OfMatch = Dvr.OpenFlow.Match.Match;

namespace Dvr.DvrFlows.Desired;

/// <summary>
/// Identity of a flow on a switch: bridge + table + priority + match (OpenFlow 1.3.5 §6.4: an ADD with the
/// same match and priority replaces the flow). Cookie and instructions are not part of it.
/// </summary>
public readonly record struct FlowKey(string BridgeName, byte TableId, ushort Priority, OfMatch Match);

/// <summary>
/// A flow the compiler wants on a bridge, with the entity that owns it and a short role text
/// (e.g. "DVR_PROCESS: gateway-MAC drop for qr-red"). Built only through <see cref="FlowFactory"/>, which
/// checks the table and goto targets against the declared pipeline.
/// </summary>
public sealed record DesiredFlow(
    BridgeKind Bridge,
    string BridgeName,
    byte TableId,
    ushort Priority,
    OfMatch Match,
    InstructionList Instructions,
    ulong Cookie,
    FlowOwner Owner,
    string Role)
{
    public FlowKey Key => new(BridgeName, TableId, Priority, Match);

    /// <summary>
    /// <see cref="FlowOrder.SortKey"/> of this flow, computed once: a flow shared by many hosts (FlowMemo) is
    /// sorted once per host, and a bridge's sort then mostly compares these integers. A function of table,
    /// priority and match, so it never makes two equal flows differ.
    /// </summary>
    internal UInt128 OrderKey { get; } = FlowOrder.SortKey(TableId, Priority, Match.Entries);

    public TableSpec Table => PipelineSpec.For(Bridge)[TableId];

    /// <summary>
    /// The FLOW_MOD that installs (ADD, MODIFY*) or removes (DELETE_STRICT) this flow. Deletes carry the
    /// cookie with a full cookie_mask so they only ever touch flows Dvr owns (neutron-dvr-flows.md §1).
    /// </summary>
    public FlowMod ToFlowMod(FlowModCommand command)
    {
        bool delete = command is FlowModCommand.Delete or FlowModCommand.DeleteStrict;
        bool modify = command is FlowModCommand.Modify or FlowModCommand.ModifyStrict;
        return new FlowMod
        {
            Command = command,
            Cookie = Cookie,
            CookieMask = delete || modify ? ulong.MaxValue : 0,
            TableId = TableId,
            Priority = Priority,
            Match = Match,
            Instructions = delete ? InstructionList.Drop : Instructions,
        };
    }

    /// <summary>Same flow apart from the owner bookkeeping: key, instructions and cookie equal.</summary>
    public bool SameOnSwitch(DesiredFlow other) =>
        Key == other.Key && Cookie == other.Cookie && Instructions.Equals(other.Instructions);
}
