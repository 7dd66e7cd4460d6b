using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Messages.Flow;
using Dvr.OpenFlow.Messages.Multipart;
using Dvr.OpenFlow.Text;
using OfMatch = Dvr.OpenFlow.Match.Match;

namespace Dvr.DvrFlows.Reconcile;

/// <summary>
/// Identity of a flow within one bridge: table + priority + match (OpenFlow 1.3.5 §6.4: an ADD with the same
/// match and priority replaces the flow, and the *_STRICT commands select exactly it). Cookie and
/// instructions are not part of it.
/// </summary>
public readonly record struct FlowIdentity(byte TableId, ushort Priority, OfMatch Match);

/// <summary>
/// One flow as the reconciler sees it, whether desired (from the compiler) or installed (from a flow-stats
/// reply): identity, cookie and instructions. Timeouts and flags are not modelled because Dvr never sets them.
/// </summary>
public sealed record FlowEntry(byte TableId, ushort Priority, OfMatch Match, ulong Cookie, InstructionList Instructions)
{
    public FlowIdentity Identity => new(TableId, Priority, Match);

    /// <summary>
    /// The FLOW_MOD for <paramref name="command"/>. MODIFY_STRICT and DELETE_STRICT carry our cookie with an
    /// all-ones cookie_mask, so they can only ever touch a flow that carries exactly that cookie
    /// (OVS include/openvswitch/ofp-flow.h, cookie rules); ADD sets the cookie.
    /// </summary>
    public FlowMod ToFlowMod(FlowModCommand command)
    {
        bool delete = command is FlowModCommand.Delete or FlowModCommand.DeleteStrict;
        return new FlowMod
        {
            Command = command,
            Cookie = Cookie,
            CookieMask = command == FlowModCommand.Add ? 0 : ulong.MaxValue,
            TableId = TableId,
            Priority = Priority,
            Match = Match,
            Instructions = delete ? InstructionList.Drop : Instructions,
        };
    }

    /// <summary>The flow as <c>ovs-ofctl -O OpenFlow13 dump-flows --no-stats</c> prints it.</summary>
    public string Format(PortNames? names = null) => FlowStatsText.Format(
        new FlowStatsEntry { TableId = TableId, Priority = Priority, Match = Match, Cookie = Cookie, Instructions = Instructions },
        names ?? PortNames.None,
        FlowStatsText.Options.NoStats);

    public override string ToString() => Format();
}
