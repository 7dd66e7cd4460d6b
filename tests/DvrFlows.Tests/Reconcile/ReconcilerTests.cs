using Dvr.DvrFlows.Reconcile;
using Dvr.OpenFlow;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Match;
using Dvr.OpenFlow.Messages.Flow;
using NUnit.Framework;

namespace Dvr.DvrFlows.Tests.Reconcile;

[TestFixture]
public class ReconcilerTests
{
    private const ulong Ours = 0x4456_5200_0000_0000UL;
    private const ulong Foreign = 0x1234UL;

    private static FlowEntry Flow(byte table, ushort priority, ushort vlan, uint outPort, ulong cookie = Ours) => new(
        table,
        priority,
        new MatchBuilder().VlanVid(vlan).Build(),
        cookie,
        new InstructionList(new ApplyActionsInstruction(new ActionList(new OutputAction(outPort)))));

    [Test]
    public void Compare_Identical_IsEmpty()
    {
        FlowEntry[] flows = [Flow(0, 1, 1, 1), Flow(1, 2, 2, 2)];

        var diff = Reconciler.Compare(flows, [.. flows]);

        Assert.That(diff.IsEmpty, Is.True, diff.ToString());
    }

    [Test]
    public void Compare_ExtraInstalled_EmitsDeleteStrictWithCookieMask()
    {
        var extra = Flow(0, 1, 7, 3);

        var diff = Reconciler.Compare([extra], []);
        var mods = diff.ToFlowMods().Select(m => m.Mod).ToList();

        Assert.That(mods, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(mods[0].Command, Is.EqualTo(FlowModCommand.DeleteStrict));
            Assert.That(mods[0].Cookie, Is.EqualTo(Ours));
            Assert.That(mods[0].CookieMask, Is.EqualTo(ulong.MaxValue));
            Assert.That(mods[0].Match, Is.EqualTo(extra.Match));
        });
    }

    [Test]
    public void Compare_ChangedInstructions_EmitsModifyStrict()
    {
        var diff = Reconciler.Compare([Flow(0, 1, 7, 3)], [Flow(0, 1, 7, 4)]);

        Assert.Multiple(() =>
        {
            Assert.That(diff.Modifies, Has.Length.EqualTo(1));
            Assert.That(diff.Adds, Is.Empty);
            Assert.That(diff.Deletes, Is.Empty);
            Assert.That(diff.ToFlowMods().Single().Mod.Command, Is.EqualTo(FlowModCommand.ModifyStrict));
        });
    }

    [Test]
    public void At_EveryIndex_NamesTheFlowAndCommandToFlowModsSendsThere()
    {
        var diff = new FlowDiff([Flow(0, 1, 1, 1), Flow(0, 1, 2, 1)], [Flow(1, 5, 3, 2)], [Flow(2, 9, 4, 3), Flow(2, 9, 5, 3), Flow(3, 1, 6, 1)]);

        var sent = diff.ToFlowMods(100).ToList();

        Assert.That(Enumerable.Range(0, diff.Count).Select(diff.At), Is.EqualTo(sent.Select(s => (s.Flow, s.Mod.Command))));
        Assert.That(() => diff.At(diff.Count), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Compare_ChangedCookie_EmitsAdd()
    {
        var diff = Reconciler.Compare([Flow(0, 1, 7, 3, cookie: Ours)], [Flow(0, 1, 7, 3, cookie: Ours + 1)]);

        Assert.Multiple(() =>
        {
            Assert.That(diff.Adds, Has.Length.EqualTo(1));
            Assert.That(diff.Modifies, Is.Empty);
            Assert.That(diff.Deletes, Is.Empty);
        });
    }

    [Test]
    public void Compare_MissingFlow_EmitsAddWithCookie()
    {
        var diff = Reconciler.Compare([], [Flow(3, 9, 1, 2)]);
        var mod = diff.ToFlowMods().Single().Mod;

        Assert.Multiple(() =>
        {
            Assert.That(mod.Command, Is.EqualTo(FlowModCommand.Add));
            Assert.That(mod.Cookie, Is.EqualTo(Ours));
            Assert.That(mod.TableId, Is.EqualTo(3));
            Assert.That(mod.Priority, Is.EqualTo(9));
        });
    }

    [Test]
    public void Compare_SamePriorityAndMatchInOtherTable_IsAnotherFlow()
    {
        var diff = Reconciler.Compare([Flow(0, 1, 7, 3)], [Flow(1, 1, 7, 3)]);

        Assert.Multiple(() =>
        {
            Assert.That(diff.Adds, Has.Length.EqualTo(1));
            Assert.That(diff.Deletes, Has.Length.EqualTo(1));
        });
    }

    [Test]
    public void Compare_DuplicateDesiredIdentity_ThrowsNamingTheFlow()
    {
        var ex = Assert.Throws<ArgumentException>(() => Reconciler.Compare([], [Flow(0, 1, 7, 3), Flow(0, 1, 7, 4)]));

        Assert.That(ex!.Message, Does.Contain("priority=1,dl_vlan=7"));
    }

    [Test]
    public void ToFlowMods_OrdersDeletesThenModifiesThenAdds()
    {
        var diff = Reconciler.Compare([Flow(0, 1, 1, 1), Flow(0, 1, 2, 1)], [Flow(0, 1, 2, 9), Flow(0, 1, 3, 1)]);

        var commands = diff.ToFlowMods().Select(m => m.Mod.Command).ToArray();

        Assert.That(commands, Is.EqualTo(new[] { FlowModCommand.DeleteStrict, FlowModCommand.ModifyStrict, FlowModCommand.Add }));
    }

    [Test]
    public void Apply_DiffNeverTouchesForeignCookie()
    {
        var foreign = Flow(0, 1, 7, 3, cookie: Foreign);
        var switchTable = new FakeFlowTable([foreign, Flow(0, 5, 1, 1)]);
        var desired = new[] { Flow(0, 6, 2, 2) };

        switchTable.Apply(Reconciler.Compare(switchTable.DumpByCookie(Ours), desired));

        Assert.That(switchTable.Snapshot(), Is.EquivalentTo(new[] { foreign, desired[0] }));
    }

    /// <summary>apply(diff(installed, desired)) == desired, for random tables (Faucet valve_test_lib).</summary>
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(4)]
    [TestCase(5)]
    public void Property_ApplyingDiffYieldsDesired_AndSecondDiffIsEmpty(int seed)
    {
        var random = new Random(seed);
        for (int round = 0; round < 200; round++)
        {
            var installed = RandomFlows(random, Ours);
            var foreign = RandomFlows(random, Foreign).Where(f => installed.All(i => i.Identity != f.Identity)).ToList();
            var desired = RandomFlows(random, Ours).Where(f => foreign.All(x => x.Identity != f.Identity)).ToList();
            var table = new FakeFlowTable(installed.Concat(foreign));

            table.Apply(Reconciler.Compare(table.DumpByCookie(Ours), desired));
            var second = Reconciler.Compare(table.DumpByCookie(Ours), desired);

            Assert.Multiple(() =>
            {
                Assert.That(table.DumpByCookie(Ours).ToHashSet(), Is.EquivalentTo(desired), $"seed {seed} round {round}");
                Assert.That(table.Snapshot().Where(f => f.Cookie == Foreign), Is.EquivalentTo(foreign), $"seed {seed} round {round}");
                Assert.That(second.IsEmpty, Is.True, $"seed {seed} round {round}: second diff {second}");
            });
        }
    }

    /// <summary>A change followed by its revert leaves the table as it was (Faucet update_and_revert_config).</summary>
    [TestCase(11)]
    [TestCase(12)]
    [TestCase(13)]
    public void Property_ChangeThenRevert_RestoresTableAndLeavesNothingToDo(int seed)
    {
        var random = new Random(seed);
        for (int round = 0; round < 100; round++)
        {
            var original = RandomFlows(random, Ours);
            var changed = Mutate(random, original);
            var table = new FakeFlowTable(original);
            var before = table.Snapshot();

            table.Apply(Reconciler.Compare(table.DumpByCookie(Ours), changed));
            table.Apply(Reconciler.Compare(table.DumpByCookie(Ours), original));

            Assert.Multiple(() =>
            {
                Assert.That(table.Snapshot(), Is.EquivalentTo(before), $"seed {seed} round {round}");
                Assert.That(Reconciler.Compare(table.DumpByCookie(Ours), original).IsEmpty, Is.True);
            });
        }
    }

    /// <summary>Re-applying the same batch is harmless (Faucet _verify_redundant_safe_offset_ofmsgs).</summary>
    [Test]
    public void Property_ReapplyingSameDiff_IsHarmless()
    {
        var random = new Random(21);
        for (int round = 0; round < 100; round++)
        {
            var installed = RandomFlows(random, Ours);
            var desired = RandomFlows(random, Ours);
            var table = new FakeFlowTable(installed);
            var diff = Reconciler.Compare(table.DumpByCookie(Ours), desired);

            table.Apply(diff);
            table.Apply(diff);

            Assert.That(table.Snapshot(), Is.EquivalentTo(desired), $"round {round}");
        }
    }

    private static List<FlowEntry> RandomFlows(Random random, ulong cookie)
    {
        // Small value ranges so installed and desired sets overlap often (same identity, other instructions).
        var flows = new Dictionary<FlowIdentity, FlowEntry>();
        int count = random.Next(0, 12);
        for (int i = 0; i < count; i++)
        {
            var flow = Flow((byte)random.Next(0, 3), (ushort)random.Next(0, 3), (ushort)random.Next(1, 5), (uint)random.Next(1, 4), cookie);
            flows.TryAdd(flow.Identity, flow);
        }

        return [.. flows.Values];
    }

    private static List<FlowEntry> Mutate(Random random, List<FlowEntry> flows)
    {
        var result = new List<FlowEntry>();
        foreach (var flow in flows)
        {
            switch (random.Next(0, 4))
            {
                case 0:
                    break; // removed
                case 1:
                    result.Add(flow with { Instructions = new InstructionList(new ApplyActionsInstruction(new ActionList(new OutputAction(99)))) });
                    break;
                default:
                    result.Add(flow);
                    break;
            }
        }

        var extra = Flow(5, 77, 9, 9);
        result.Add(extra);
        return result;
    }
}
