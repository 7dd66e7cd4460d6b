using System.Collections.Immutable;
using Dvr.DvrFlows.Pipeline;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Instructions;
using OfMatch = Dvr.OpenFlow.Match.Match;

namespace Dvr.DvrFlows.Desired;

/// <summary>
/// Builds <see cref="DesiredFlow"/>s for one bridge and checks each one when it is built (Faucet's
/// ValveTable._verify_flowmod): the table must belong to the bridge's pipeline, a goto_table must target a
/// table the spec lists as next (always a later one), and goto_table must be the last instruction.
/// </summary>
public sealed class FlowFactory
{
    public FlowFactory(BridgeKind bridge, string bridgeName, ulong cookie)
    {
        Bridge = bridge;
        BridgeName = bridgeName;
        Cookie = cookie;
        Pipeline = PipelineSpec.For(bridge);
    }

    public BridgeKind Bridge { get; }

    public string BridgeName { get; }

    public ulong Cookie { get; }

    public PipelineSpec Pipeline { get; }

    public DesiredFlow Flow(TableSpec table, ushort priority, OfMatch match, InstructionList instructions, FlowOwner owner, string role)
    {
        if (!Pipeline.Contains(table.Id) || !ReferenceEquals(Pipeline[table.Id], table))
        {
            throw new InvalidOperationException($"{BridgeName}: table {table} is not part of the {Bridge} pipeline ({role})");
        }

        for (int i = 0; i < instructions.Instructions.Length; i++)
        {
            if (instructions.Instructions[i] is GotoTableInstruction gotoTable)
            {
                if (!table.MayGoto(gotoTable.TableId))
                {
                    throw new InvalidOperationException(
                        $"{BridgeName} table {table}: goto_table:{gotoTable.TableId} is not a declared next table ({role})");
                }

                if (i != instructions.Instructions.Length - 1)
                {
                    throw new InvalidOperationException($"{BridgeName} table {table}: goto_table must be the last instruction ({role})");
                }
            }
        }

        return new DesiredFlow(Bridge, BridgeName, table.Id, priority, match, instructions, Cookie, owner, role);
    }
}

/// <summary>Instruction lists as the Neutron agent writes them: apply-actions, then an optional goto_table.</summary>
public static class Instr
{
    public static InstructionList Drop => InstructionList.Drop;

    // One shared list per target table id: instruction lists are immutable, and goto_table alone is the most
    // common instruction list of a compiled host (port security, table misses).
    private static readonly InstructionList?[] GotoByTable = new InstructionList?[256];

    public static InstructionList Goto(TableSpec table) =>
        Volatile.Read(ref GotoByTable[table.Id]) ?? Interlocked.CompareExchange(ref GotoByTable[table.Id], new(new GotoTableInstruction(table.Id)), null) ?? GotoByTable[table.Id]!;

    // Spans and ImmutableArray.Create: one array per list (the params-array constructors copied theirs again).
    public static InstructionList Apply(params ReadOnlySpan<OfpAction> actions) => Apply(ImmutableArray.Create(actions));

    public static InstructionList Apply(ImmutableArray<OfpAction> actions) =>
        new(ImmutableArray.Create<OfpInstruction>(new ApplyActionsInstruction(new ActionList(actions))));

    public static InstructionList ApplyThenGoto(TableSpec table, params ReadOnlySpan<OfpAction> actions) =>
        new(ImmutableArray.Create<OfpInstruction>(new ApplyActionsInstruction(new ActionList(ImmutableArray.Create(actions))), Goto(table).Instructions[0]));
}
