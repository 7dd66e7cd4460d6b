using System.Buffers;
using System.Collections.Immutable;
using Dvr.OpenFlow.Messages.Bundle;
using Dvr.OpenFlow.Messages.Flow;

namespace Dvr.DvrFlows.Reconcile;

/// <summary>
/// What must change on one bridge to turn the installed flows into the desired ones (OVN ofctrl.c
/// update_installed_flows_by_compare): <see cref="Deletes"/> are installed flows nobody wants,
/// <see cref="Modifies"/> keep their identity and cookie but change instructions, <see cref="Adds"/> are
/// missing flows or flows whose cookie must change (a MODIFY cannot change a cookie).
/// </summary>
public sealed record FlowDiff(ImmutableArray<FlowEntry> Deletes, ImmutableArray<FlowEntry> Modifies, ImmutableArray<FlowEntry> Adds)
{
    public static readonly FlowDiff Empty = new([], [], []);

    public bool IsEmpty => Deletes.IsEmpty && Modifies.IsEmpty && Adds.IsEmpty;

    public int Count => Deletes.Length + Modifies.Length + Adds.Length;

    /// <summary>
    /// The flow mods in send order: deletes, then modifies, then adds (Faucet valve_flowreorder), so a batch
    /// never briefly holds both an old and a new flow that overlap. Each mod's entry is returned beside it so
    /// an error can name the flow. With <paramref name="firstXid"/> the mods are numbered from it, in send order.
    /// </summary>
    public IEnumerable<(FlowEntry Flow, FlowMod Mod)> ToFlowMods(uint firstXid = 0)
    {
        uint xid = firstXid;
        foreach (var flow in Deletes)
        {
            yield return (flow, flow.ToFlowMod(FlowModCommand.DeleteStrict, Next()));
        }

        foreach (var flow in Modifies)
        {
            yield return (flow, flow.ToFlowMod(FlowModCommand.ModifyStrict, Next()));
        }

        foreach (var flow in Adds)
        {
            yield return (flow, flow.ToFlowMod(FlowModCommand.Add, Next()));
        }

        uint Next() => firstXid == 0 ? 0 : xid++;
    }

    /// <summary>
    /// Appends the bundled FLOW_MODs at <paramref name="start"/>.. in <see cref="ToFlowMods"/>'s send order, numbered
    /// from <paramref name="firstXid"/>, until this call has written <paramref name="stopAtBytes"/> bytes or more, or
    /// every flow. Returns the index of the next flow to write (<see cref="Count"/> when done).
    /// </summary>
    public int EncodeBundled(IBufferWriter<byte> output, int start, uint firstXid, uint bundleId, BundleFlags flags, int stopAtBytes)
    {
        int index = start;
        for (long written = 0; index < Count && written < stopAtBytes; index++)
        {
            var (flow, command) = At(index);
            written += flow.EncodeBundled(output, command, firstXid + (uint)index, bundleId, flags);
        }

        return index;
    }

    /// <summary>The flow at <paramref name="index"/> in <see cref="ToFlowMods"/>'s send order and the command it is sent with.</summary>
    public (FlowEntry Flow, FlowModCommand Command) At(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        if (index < Deletes.Length)
        {
            return (Deletes[index], FlowModCommand.DeleteStrict);
        }

        index -= Deletes.Length;
        return index < Modifies.Length ? (Modifies[index], FlowModCommand.ModifyStrict) : (Adds[index - Modifies.Length], FlowModCommand.Add);
    }

    public override string ToString() => $"{Adds.Length} add(s), {Modifies.Length} modify(s), {Deletes.Length} delete(s)";
}
