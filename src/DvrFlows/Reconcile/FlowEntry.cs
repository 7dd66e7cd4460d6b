using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Messages.Flow;
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

    /// <summary>ovs-ofctl-like text of the flow ("cookie=0x..., table=1, priority=3, arp,... actions=drop").</summary>
    public string Format(PortNames? names = null)
    {
        names ??= PortNames.None;
        var text = new StringBuilder();
        text.Append("cookie=0x").Append(Cookie.ToString("x", CultureInfo.InvariantCulture))
            .Append(", table=").Append(TableId)
            .Append(", priority=").Append(Priority);
        foreach (var entry in Match.Entries)
        {
            text.Append(',').Append(entry.Field.Name).Append('=');
            FieldFormat.AppendValue(text, entry.Field, entry.Value, names);
            if (entry.HasMask)
            {
                text.Append('/');
                FieldFormat.AppendValue(text, entry.Field, entry.Mask, PortNames.None);
            }
        }

        text.Append(" actions=");
        Instructions.Format(text, names);
        return text.ToString();
    }

    public override string ToString() => Format();
}
