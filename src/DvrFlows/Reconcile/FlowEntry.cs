using System.Buffers;
using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Messages.Bundle;
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
    /// <param name="command">ADD, MODIFY_STRICT or DELETE_STRICT (or the loose forms).</param>
    /// <param name="xid">The transaction id; a bundled FLOW_MOD must carry its BUNDLE_ADD's xid, and setting it here
    /// saves copying the message to renumber it.</param>
    public FlowMod ToFlowMod(FlowModCommand command, uint xid = 0) => new()
    {
        Xid = xid,
        Command = command,
        Cookie = Cookie,
        CookieMask = CookieMaskFor(command),
        TableId = TableId,
        Priority = Priority,
        Match = Match,
        Instructions = InstructionsFor(command),
    };

    /// <summary>
    /// Appends the ONFT_BUNDLE_ADD_MESSAGE carrying <see cref="ToFlowMod"/>'s FLOW_MOD: the same bytes, without
    /// building the two messages (the controller's bundle encoder; see <see cref="BundleAddMessage.EncodeFlowMod"/>).
    /// </summary>
    public int EncodeBundled(IBufferWriter<byte> output, FlowModCommand command, uint xid, uint bundleId, BundleFlags flags) =>
        BundleAddMessage.EncodeFlowMod(output, xid, bundleId, flags, command, Cookie, CookieMaskFor(command), TableId, Priority, Match, InstructionsFor(command));

    private static ulong CookieMaskFor(FlowModCommand command) => command == FlowModCommand.Add ? 0 : ulong.MaxValue;

    private InstructionList InstructionsFor(FlowModCommand command) =>
        command is FlowModCommand.Delete or FlowModCommand.DeleteStrict ? InstructionList.Drop : Instructions;

    /// <summary>
    /// The flow as <c>ovs-ofctl -O OpenFlow13 dump-flows --no-stats</c> prints it
    /// ("cookie=0x4456520000000000, table=1, priority=100,dl_dst=fa:16:3e:00:00:01 actions=output:3").
    /// </summary>
    public string Format(PortNames? names = null)
    {
        names ??= PortNames.None;
        var text = new StringBuilder();
        if (Cookie != 0)
        {
            text.Append("cookie=0x").Append(Cookie.ToString("x", CultureInfo.InvariantCulture)).Append(", ");
        }

        if (TableId != 0)
        {
            text.Append("table=").Append(TableId).Append(", ");
        }

        MatchText.Format(text, Match, names, Priority);
        if (text.Length > 0 && text[^1] != ' ')
        {
            text.Append(' ');
        }

        text.Append("actions=");
        Instructions.Format(text, names);
        return text.ToString();
    }

    public override string ToString() => Format();
}
