using System.Globalization;
using System.Text.RegularExpressions;
using Dvr.DvrFlows.Compiler;
using Dvr.DvrFlows.Controller;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Diagnostics;
using Dvr.DvrFlows.Topology;
using Dvr.OpenFlow.Messages.Multipart;
using Dvr.TestSupport;
using NUnit.Framework;

namespace Dvr.Integration.Tests.Diagnostics;

/// <summary>
/// Diagnostics against a real OVS 3.1: cn1 of samples/worked-example.yaml compiled with port numbers that
/// differ from the synthetic map, loaded into br-int/br-tun/br-ex with ovs-ofctl, then every dump compared
/// byte for byte with ovs-ofctl's own output, the live trace with ofproto/trace, and diff/explain checked
/// after hand-made damage. Ordered: the damage comes last.
/// </summary>
[Category("Ovs")]
[NonParallelizable]
public sealed partial class LiveDiagnosticsTests
{
    private const ulong DvrCookie = 0x4456520000000000;
    private static readonly string Topology = LiveHost.WorkedExample;
    private Controller.OvsTestbed _ovs = null!;

    [OneTimeSetUp]
    public void LoadCn1()
    {
        _ovs = Controller.OvsTestbed.Start();
        LiveHost.Load(_ovs, TopologyLoader.Load(Topology), "cn1", portOffset: 20, firstDatapathId: 0x111);
    }

    [OneTimeTearDown]
    public void Stop() => _ovs?.Dispose();

    public static IEnumerable<TestCaseData> FlowDumps()
    {
        yield return new TestCaseData("br-tun", null, false, false).SetName("{m}(stats)");
        yield return new TestCaseData("br-tun", null, true, false).SetName("{m}(no-stats)");
        yield return new TestCaseData("br-tun", null, true, true).SetName("{m}(no-stats names)");
        yield return new TestCaseData("br-int", null, false, true).SetName("{m}(stats names)");
        yield return new TestCaseData("br-tun", "table=1", false, false).SetName("{m}(table filter)");
        yield return new TestCaseData("br-tun", "table=1", true, true).SetName("{m}(table filter names)");
        yield return new TestCaseData("br-int", $"cookie=0x{DvrCookie:x}/-1", false, false).SetName("{m}(cookie filter)");
        yield return new TestCaseData("br-tun", "dl_vlan=1", true, false).SetName("{m}(match filter)");
        yield return new TestCaseData("br-tun", "dl_vlan=1", false, false).SetName("{m}(match filter stats)");
        yield return new TestCaseData("br-tun", "in_port=patch-int", true, true).SetName("{m}(named match filter)");
        yield return new TestCaseData("br-tun", "out_port=21", true, false).SetName("{m}(out_port filter)");
        yield return new TestCaseData("br-int", "dl_dst=fa:16:3e:00:01:10", false, false).SetName("{m}(dl_dst filter stats)");
        yield return new TestCaseData("br-int", "table=60,dl_vlan=1,dl_dst=fa:16:3e:00:01:10", true, true).SetName("{m}(table and match filter names)");
        yield return new TestCaseData("br-int", "arp", true, false).SetName("{m}(protocol shorthand filter)");
        yield return new TestCaseData("br-int", "in_port=qvovm1", false, true).SetName("{m}(named in_port filter stats)");
        yield return new TestCaseData("br-tun", "cookie=0x4456520000000000/0xffff000000000000", true, false).SetName("{m}(partial cookie mask)");
        yield return new TestCaseData("br-tun", "table=255,out_port=patch-int", true, true).SetName("{m}(table 255 and named out_port)");
    }

    [Test]
    [Order(1)]
    [TestCaseSource(nameof(FlowDumps))]
    public async Task DumpFlows_IsByteIdenticalToOvsOfctl(string bridge, string? filter, bool noStats, bool names)
    {
        string[] extra = [.. filter is null ? [] : new[] { filter }, .. noStats ? new[] { "--no-stats" } : [], .. names ? new[] { "--names" } : []];
        string theirs = _ovs.Ofctl("dump-flows", bridge, extra);
        await using var live = await LiveSwitch.ConnectAsync(_ovs.Mgmt(bridge));

        string ours = await SwitchDumps.DumpFlowsAsync(live, new DumpFlowsOptions(filter, noStats, names));

        Assert.That(theirs.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains("actions=", StringComparison.Ordinal)), Is.Not.Empty, "the oracle dump should hold flows");
        Assert.That(NormaliseDurations(ours), Is.EqualTo(NormaliseDurations(theirs)));
    }

    [Test]
    [Order(1)]
    public async Task OtherDumps_AreByteIdenticalToOvsOfctl()
    {
        foreach (string bridge in new[] { "br-int", "br-tun" })
        {
            string portsTheirs = _ovs.Ofctl("dump-ports-desc", bridge);
            string tablesTheirs = _ovs.Ofctl("dump-tables", bridge);
            string aggregateTheirs = _ovs.Ofctl("dump-aggregate", bridge);
            string aggregateFilteredTheirs = _ovs.Ofctl("dump-aggregate", bridge, "table=1");
            string showTheirs = _ovs.Ofctl("show", bridge);

            Assert.That(await With(bridge, l => SwitchDumps.DumpPortsDescAsync(l, DumpFormat.Text)), Is.EqualTo(portsTheirs), $"dump-ports-desc {bridge}");
            Assert.That(await With(bridge, l => SwitchDumps.DumpTablesAsync(l, DumpFormat.Text)), Is.EqualTo(tablesTheirs), $"dump-tables {bridge}");
            Assert.That(await With(bridge, l => SwitchDumps.DumpAggregateAsync(l, null, DumpFormat.Text)), Is.EqualTo(aggregateTheirs), $"dump-aggregate {bridge}");
            Assert.That(await With(bridge, l => SwitchDumps.DumpAggregateAsync(l, "table=1", DumpFormat.Text)), Is.EqualTo(aggregateFilteredTheirs), $"dump-aggregate table=1 {bridge}");
            Assert.That(await With(bridge, l => SwitchDumps.ShowAsync(l, DumpFormat.Text)), Is.EqualTo(showTheirs), $"show {bridge}");
        }
    }

    [Test]
    [Order(1)]
    public async Task DumpFlows_Json_HoldsTheSameFlowsAsTheText()
    {
        string text = await With("br-tun", l => SwitchDumps.DumpFlowsAsync(l, new DumpFlowsOptions(NoStats: true)));
        string json = await With("br-tun", l => SwitchDumps.DumpFlowsAsync(l, new DumpFlowsOptions(NoStats: true, Format: DumpFormat.Json)));

        using var document = System.Text.Json.JsonDocument.Parse(json);
        var lines = document.RootElement.EnumerateArray().Select(e => " " + e.GetProperty("text").GetString()).ToList();
        Assert.That(lines, Is.EqualTo(text.TrimEnd('\n').Split('\n')));
    }

    [Test]
    [Order(1)]
    public void Errors_AreOneLineNamingTheProblem()
    {
        var missing = Assert.ThrowsAsync<DiagnosticsException>(() => LiveSwitch.ConnectAsync($"unix:{_ovs.Directory}/nosuch.mgmt"));
        Assert.That(missing!.Message, Is.EqualTo($"connecting to unix:{_ovs.Directory}/nosuch.mgmt (No such file or directory)"));

        var refused = Assert.ThrowsAsync<DiagnosticsException>(() => LiveSwitch.ConnectAsync("tcp:127.0.0.1:1"));
        Assert.That(refused!.Message, Is.EqualTo("connecting to tcp:127.0.0.1:1 (Connection refused)"));

        _ovs.AddBridge("br-of10", 0x999);
        _ovs.Vsctl("set", "bridge", "br-of10", "protocols=OpenFlow10");
        var version = Assert.ThrowsAsync<DiagnosticsException>(() => LiveSwitch.ConnectAsync(_ovs.Mgmt("br-of10")));
        Assert.That(version!.Message, Does.StartWith($"{_ovs.Mgmt("br-of10")}: OpenFlow 1.3 negotiation failed").And.Not.Contain("\n"));

        var filter = Assert.ThrowsAsync<DiagnosticsException>(async () => await With("br-tun", l => SwitchDumps.DumpFlowsAsync(l, new DumpFlowsOptions("foo=1"))));
        Assert.That(filter!.Message, Is.EqualTo("flow filter 'foo=1': unknown keyword foo"));
    }

    public static IEnumerable<TestCaseData> Packets()
    {
        yield return new TestCaseData("in_port=patch-int,icmp,dl_vlan=2,dl_src=fa:16:3e:00:02:01,dl_dst=fa:16:3e:00:02:20,nw_src=10.0.1.10,nw_dst=10.0.2.20").SetName("{m}(routed to vm2)");
        yield return new TestCaseData("in_port=patch-int,icmp,dl_vlan=1,dl_src=fa:16:3e:00:01:10,dl_dst=fa:16:3e:00:01:01,nw_src=10.0.1.10,nw_dst=10.0.2.20").SetName("{m}(to gateway MAC)");
        yield return new TestCaseData("in_port=patch-int,arp,dl_vlan=1,dl_src=fa:16:3e:00:01:10,dl_dst=ff:ff:ff:ff:ff:ff,arp_op=1,arp_spa=10.0.1.10,arp_tpa=10.0.1.2,arp_sha=fa:16:3e:00:01:10").SetName("{m}(ARP responder)");
        yield return new TestCaseData("in_port=vxlan-c000020c,tun_id=0x3e9,icmp,dl_src=fa:16:3f:22:22:22,dl_dst=fa:16:3e:00:01:10,nw_src=10.0.2.20,nw_dst=10.0.1.10").SetName("{m}(routed from cn2 to vm1 across the patch)");
    }

    [Test]
    [Order(2)]
    [TestCaseSource(nameof(Packets))]
    public async Task LiveTrace_VisitsTheSameTablesAsOfprotoTrace(string flow)
    {
        var snapshots = new List<LiveBridgeSnapshot>();
        foreach (string bridge in new[] { "br-tun", "br-int", "br-ex" })
        {
            snapshots.Add(await With(bridge, l => LiveTrace.ReadAsync(l)) with { Host = "cn1" });
        }

        var result = LiveTrace.Trace(snapshots, flow, TopologyLoader.Load(Topology));
        string oracle = Controller.OvsTestbed.Run("ovs-appctl", ["-t", $"{_ovs.Directory}/ovs-vswitchd.ctl", "ofproto/trace", "br-tun", flow]);

        var ours = result.Hops.Select(h => $"{h.Bridge} {h.TableId} {(h.Flow is null ? "miss" : h.Flow.Priority.ToString(CultureInfo.InvariantCulture))}").ToList();
        Assert.That(ours, Is.EqualTo(OfprotoTraceReport.HopKeys(oracle)), oracle);
        Assert.That(result.Hops.Where(h => h.Flow is not null).Select(h => h.Flow!.Owner), Has.All.Not.Null.And.All.Not.EqualTo("-"), "every matched flow is a desired Dvr flow with an owner");
    }

    [Test]
    [Order(3)]
    public async Task DiffAndExplain_ReportHandMadeDamage()
    {
        var before = await Compare("br-int");
        Assert.That(before.Diff, Is.Empty, "freshly loaded flows equal the compiled ones");
        Assert.That(before.Explain.Select(f => f.Status), Has.All.EqualTo(LiveFlowStatus.Ok));

        var desired = before.Explain.Select(f => f.Desired!).ToList();
        var deleted = desired.First(f => f.TableId != 0 && f.Match.Entries.Length > 0);
        var modified = desired.Last(f => f.TableId != deleted.TableId && f.Match.Entries.Length > 0);
        _ovs.Ofctl("del-flows", "br-int", "--strict", Spec(deleted));
        _ovs.Ofctl("mod-flows", "br-int", "--strict", Spec(modified) + ",actions=drop");
        _ovs.Ofctl("add-flow", "br-int", "cookie=0x99,table=0,priority=7,dl_src=00:00:00:00:00:99 actions=drop");
        _ovs.Ofctl("add-flow", "br-int", $"cookie=0x{DvrCookie:x},table=0,priority=8,dl_src=00:00:00:00:00:98 actions=drop");

        var after = await Compare("br-int");

        Assert.That(after.Diff.Select(f => (f.Status, f.Owner)), Is.EquivalentTo(new[]
        {
            (LiveFlowStatus.Missing, deleted.Owner.ToString()),
            (LiveFlowStatus.Changed, modified.Owner.ToString()),
            (LiveFlowStatus.Stale, "-"),
        }));
        Assert.That(after.Diff.Single(f => f.Status == LiveFlowStatus.Missing).Role, Is.EqualTo(deleted.Role));
        Assert.That(after.Explain.Single(f => f.Live!.Cookie == 0x99).Status, Is.EqualTo(LiveFlowStatus.Foreign));
        Assert.That(after.Explain.Single(f => f.Live!.Priority == 8 && f.Live.TableId == 0).Status, Is.EqualTo(LiveFlowStatus.Stale));
        Assert.That(after.Explain.Count(f => f.Status == LiveFlowStatus.Changed), Is.EqualTo(1));
        Assert.That(after.Explain.Where(f => f.Status == LiveFlowStatus.Ok).Select(f => f.Owner), Has.All.Not.EqualTo("-"));
        string text = LiveComparison.FormatExplain(after.Explain, after.Desired.Names);
        Assert.That(text, Does.Contain("# FOREIGN (not Dvr's cookie) in ").And.Contain("# STALE (Dvr's cookie, not desired) in "));
    }

    private async Task<(IReadOnlyList<ComparedFlow> Diff, IReadOnlyList<ComparedFlow> Explain, LiveDesired Desired)> Compare(string bridge)
    {
        await using var live = await LiveSwitch.ConnectAsync(_ovs.Mgmt(bridge));
        var (_, ports) = await live.PortDescAsync();
        var desired = LiveComparison.Compile(Topology, "cn1", bridge, ports);
        var (_, ours) = await live.DumpFlowsAsync(new FlowStatsRequest { Cookie = DvrCookie, CookieMask = ulong.MaxValue });
        var (_, all) = await live.DumpFlowsAsync(new FlowStatsRequest());
        return (LiveComparison.Diff(ours, desired), LiveComparison.Explain(all, desired, DvrCookie), desired);
    }

    private async Task<T> With<T>(string bridge, Func<LiveSwitch, Task<T>> action)
    {
        await using var live = await LiveSwitch.ConnectAsync(_ovs.Mgmt(bridge));
        return await action(live);
    }

    /// <summary>table, priority and match of a flow in ovs-ofctl syntax, for --strict del-flows/mod-flows.</summary>
    private static string Spec(DesiredFlow flow) =>
        $"table={flow.TableId},priority={flow.Priority}" + (flow.Match.Entries.Length > 0 ? "," + Dvr.OpenFlow.Text.MatchText.ToText(flow.Match, Dvr.OpenFlow.Text.PortNames.None) : string.Empty);

    private static string NormaliseDurations(string text) => Duration().Replace(text, "duration=Xs");

    [GeneratedRegex(@"duration=[0-9.]+s")]
    private static partial Regex Duration();
}
