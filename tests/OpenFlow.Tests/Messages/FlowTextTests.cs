using System.Text;
using Dvr.OpenFlow.Messages.Flow;
using Dvr.OpenFlow.Messages.Multipart;
using Dvr.OpenFlow.Text;
using NUnit.Framework;

namespace Dvr.OpenFlow.Tests.Messages;

[TestFixture]
public class FlowTextTests
{
    private static readonly string[] Flows =
    [
        "table=1,priority=2,dl_vlan=5,dl_src=fa:16:3e:00:00:01 actions=mod_dl_src:fa:16:3f:00:00:01,goto_table:2",
        "table=0,priority=1,in_port=1,actions=goto_table:1",
        "table=0,priority=0,actions=drop",
        "table=1,priority=3,arp,dl_vlan=1,arp_tpa=10.0.1.1,actions=drop",
        "table=2,priority=1,dl_vlan=1,actions=pop_vlan,set_field:1001->tun_id,output:102",
        "table=4,priority=1,tun_id=1001,actions=push_vlan:0x8100,set_field:4097->vlan_vid,output:1",
        "cookie=0x1234,idle_timeout=10,hard_timeout=20,send_flow_rem,check_overlap,reset_counts,no_packet_counts,no_byte_counts,priority=5 actions=output:3",
        "priority=10,ip,in_port=1,dl_vlan=5,nw_dst=10.0.0.0/24 actions=resubmit(,5),set_field:fa:16:3f:00:00:01->eth_src,goto_table:2",
        "tcp,tp_dst=80 actions=NORMAL",
        "ipv6,ipv6_dst=2001:db8::/32 action=CONTROLLER:65535",
    ];

    /// <summary>ovs-ofctl -O OpenFlow13 -mmmmm parse-flows: every flow's FLOW_MOD bytes, one process.</summary>
    private static List<byte[]> OvsEncode(IEnumerable<string> flows)
    {
        string file = Path.Combine(Path.GetTempPath(), $"dvr-flows-{Guid.NewGuid():N}.txt");
        File.WriteAllLines(file, flows);
        try
        {
            string output = MessageOracle.Run("-O", "OpenFlow13", "-mmmmm", "parse-flows", file);
            var result = new List<byte[]>();
            foreach (string block in output.Split("OFPT_FLOW_MOD").Skip(1))
            {
                result.Add(MessageOracle.ParseHexDump(block));
            }

            return result;
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void ParseFlow_AddFlows_EncodeToOvsBytes()
    {
        // Arrange
        var expected = OvsEncode(Flows);

        // Act / Assert
        Assert.That(expected, Has.Count.EqualTo(Flows.Length));
        Assert.Multiple(() =>
        {
            for (int i = 0; i < Flows.Length; i++)
            {
                var mod = FlowModText.ParseFlow(Flows[i], PortNames.None) with { Xid = (uint)i + 1 };
                Assert.That(Convert.ToHexStringLower(mod.ToBytes()), Is.EqualTo(Convert.ToHexStringLower(expected[i])), Flows[i]);
            }
        });
    }

    [Test]
    public void ParseFlow_DeleteWithCookieMaskAndOutPort_SetsMatchingFields()
    {
        var names = new PortNames(new Dictionary<uint, string> { [7] = "tapvm11" });

        var mod = FlowModText.ParseFlow("cookie=0x1f/0xff,out_port=tapvm11,out_group=3,table=2,in_port=5", names, FlowModCommand.Delete);

        Assert.Multiple(() =>
        {
            Assert.That(mod.Cookie, Is.EqualTo(0x1fUL));
            Assert.That(mod.CookieMask, Is.EqualTo(0xffUL));
            Assert.That(mod.OutPort, Is.EqualTo(7u));
            Assert.That(mod.OutGroup, Is.EqualTo(3u));
            Assert.That(mod.TableId, Is.EqualTo(2));
            Assert.That(mod.ToText(), Is.EqualTo("OFPT_FLOW_MOD (OF1.3) (xid=0x0): DEL table:2 in_port=5 cookie:0x1f/0xff out_port:7 actions=drop\n"));
        });
    }

    [Test]
    public void ParseFlow_DeleteWithoutTable_TargetsAllTables()
    {
        var mod = FlowModText.ParseFlow("cookie=0x5/0xffffffffffffffff", PortNames.None, FlowModCommand.DeleteStrict);

        Assert.That(mod.TableId, Is.EqualTo(FlowMod.AllTables));
    }

    [TestCase("priority=1", "must specify an action")]
    [TestCase("cookie=0x1/0xff actions=drop", "cookie mask")]
    [TestCase("out_port=1 actions=drop", "unknown keyword out_port")]
    [TestCase("bogus=1 actions=drop", "unknown keyword bogus")]
    [TestCase("priority=70000 actions=drop", "priority")]
    [TestCase("table=x actions=drop", "table")]
    public void ParseFlow_InvalidAdd_ThrowsNamingTheProblem(string flow, string expected)
    {
        var ex = Assert.Throws<TextParseException>(() => FlowModText.ParseFlow(flow, PortNames.None));

        Assert.That(ex!.Message, Does.Contain(expected));
    }

    [Test]
    public void ParseFlow_DeleteWithActions_Throws()
    {
        Assert.Throws<TextParseException>(() => FlowModText.ParseFlow("in_port=1 actions=drop", PortNames.None, FlowModCommand.Delete));
    }

    /// <summary>
    /// Expected lines were captured from <c>ovs-ofctl -O OpenFlow13 dump-flows [--no-stats] [--names]</c> (Open vSwitch 3.1)
    /// on a netdev bridge holding these flows, with ports 1 = p1 and 12 = tap-x.2.
    /// </summary>
    [Test]
    public void DumpFlowsLine_MatchesOvsDumpFlowsWithAndWithoutStatsAndNames()
    {
        // Arrange
        var names = new PortNames(new Dictionary<uint, string> { [1] = "p1", [12] = "tap-x.2" });
        FlowStatsEntry Entry(string flow, uint seconds, uint nanoseconds)
        {
            var mod = FlowModText.ParseFlow(flow, names);
            return new FlowStatsEntry
            {
                TableId = mod.TableId, Priority = mod.Priority, Cookie = mod.Cookie, IdleTimeout = mod.IdleTimeout,
                HardTimeout = mod.HardTimeout, Flags = mod.Flags, Match = mod.Match, Instructions = mod.Instructions,
                DurationSeconds = seconds, DurationNanoseconds = nanoseconds,
            };
        }

        var entries = new[]
        {
            Entry("table=0,priority=7,ip,nw_dst=10.0.0.0/8 actions=output:1", 0, 379_000_000),
            Entry("priority=0,idle_timeout=50,hard_timeout=60,send_flow_rem actions=drop", 0, 640_000_000),
            Entry("table=1,priority=2,dl_vlan=5,in_port=p1,cookie=0x1f actions=output:\"tap-x.2\",goto_table:2", 0, 767_000_000),
            Entry("table=3,in_port=12,cookie=0 actions=NORMAL", 0, 525_000_000),
        };

        // Act
        string Dump(PortNames n, FlowStatsText.Options o) => string.Join('\n', entries.Select(e => FlowStatsText.DumpFlowsLine(e, n, o)));

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(Dump(names, FlowStatsText.Options.NoStats), Is.EqualTo(
                " priority=7,ip,nw_dst=10.0.0.0/8 actions=output:p1\n" +
                " idle_timeout=50, hard_timeout=60, send_flow_rem priority=0 actions=drop\n" +
                " cookie=0x1f, table=1, priority=2,in_port=p1,dl_vlan=5 actions=output:\"tap-x.2\",goto_table:2\n" +
                " table=3, in_port=\"tap-x.2\" actions=NORMAL"));
            Assert.That(Dump(PortNames.None, FlowStatsText.Options.NoStats), Is.EqualTo(
                " priority=7,ip,nw_dst=10.0.0.0/8 actions=output:1\n" +
                " idle_timeout=50, hard_timeout=60, send_flow_rem priority=0 actions=drop\n" +
                " cookie=0x1f, table=1, priority=2,in_port=1,dl_vlan=5 actions=output:12,goto_table:2\n" +
                " table=3, in_port=12 actions=NORMAL"));
            Assert.That(Dump(names, FlowStatsText.Options.WithStats), Is.EqualTo(
                " cookie=0x0, duration=0.379s, table=0, n_packets=0, n_bytes=0, priority=7,ip,nw_dst=10.0.0.0/8 actions=output:p1\n" +
                " cookie=0x0, duration=0.640s, table=0, n_packets=0, n_bytes=0, idle_timeout=50, hard_timeout=60, send_flow_rem priority=0 actions=drop\n" +
                " cookie=0x1f, duration=0.767s, table=1, n_packets=0, n_bytes=0, priority=2,in_port=p1,dl_vlan=5 actions=output:\"tap-x.2\",goto_table:2\n" +
                " cookie=0x0, duration=0.525s, table=3, n_packets=0, n_bytes=0, in_port=\"tap-x.2\" actions=NORMAL"));
        });
    }

    [TestCase(0u, 0u, "0s")]
    [TestCase(5u, 6_000_000u, "5.006s")]
    [TestCase(3u, 4_000u, "3.000004s")]
    [TestCase(1u, 123_456_789u, "1.123456789s")]
    public void AppendDuration_FormatsAsOvs(uint seconds, uint nanoseconds, string expected)
    {
        var sb = new StringBuilder();

        FlowStatsText.AppendDuration(sb, seconds, nanoseconds);

        Assert.That(sb.ToString(), Is.EqualTo(expected));
    }
}
