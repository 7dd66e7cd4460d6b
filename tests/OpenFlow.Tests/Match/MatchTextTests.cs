using System.Text;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Match;
using Dvr.OpenFlow.Text;
using NUnit.Framework;

namespace Dvr.OpenFlow.Tests.Match;

[TestFixture]
public class MatchTextTests
{
    private static readonly PortNames Names = new(new Dictionary<uint, string>
    {
        [1] = "tap1",
        [2] = "patch-tun",
        [3] = "my port",
        [4] = "qvovm1",
    });

    private static List<KeyValuePair<string, string?>> Pairs(params string[] items) =>
        [.. items.Select(i => i.Contains('=', StringComparison.Ordinal)
            ? new KeyValuePair<string, string?>(i[..i.IndexOf('=', StringComparison.Ordinal)], i[(i.IndexOf('=', StringComparison.Ordinal) + 1)..])
            : new KeyValuePair<string, string?>(i, null))];

    [TestCase("in_port=tap1", 1u)]
    [TestCase("in_port=patch-tun", 2u)]
    [TestCase("in_port=\"my port\"", 3u)]
    [TestCase("in_port=LOCAL", OfpPort.Local)]
    [TestCase("in_port=local", OfpPort.Local)]
    [TestCase("in_port=65534", OfpPort.Local)]
    [TestCase("in_port=7", 7u)]
    public void Parse_InPort_ResolvesNamesAndReservedPorts(string pair, uint expected)
    {
        var match = MatchText.Parse(Pairs(pair), Names);

        Assert.That(match.Get(OxmFields.InPort)?.Value, Is.EqualTo((UInt128)expected));
    }

    [TestCase(1u, "in_port=tap1")]
    [TestCase(2u, "in_port=\"patch-tun\"")]
    [TestCase(3u, "in_port=\"my port\"")]
    [TestCase(4u, "in_port=qvovm1")]
    [TestCase(9u, "in_port=9")]
    [TestCase(OfpPort.Local, "in_port=LOCAL")]
    public void Format_InPort_UsesNamesWithOvsQuoting(uint port, string expected)
    {
        var match = new MatchBuilder().InPort(port).Build();

        Assert.That(MatchText.ToText(match, Names), Is.EqualTo(expected));
    }

    [Test]
    public void Format_WithPriority_PutsItFirst()
    {
        var match = MatchText.Parse(Pairs("tcp", "tp_dst=80"), PortNames.None);

        var output = new StringBuilder();
        MatchText.Format(output, match, PortNames.None, priority: 10);

        Assert.That(output.ToString(), Is.EqualTo("priority=10,tcp,tp_dst=80"));
    }

    [Test]
    public void Format_DefaultPriority_IsLeftOut()
    {
        var match = MatchText.Parse(Pairs("arp"), PortNames.None);

        Assert.That(MatchText.ToText(match, PortNames.None, MatchText.DefaultPriority), Is.EqualTo("arp"));
    }

    [TestCase("ip")]
    [TestCase("arp")]
    [TestCase("icmp6")]
    [TestCase("tcp6")]
    [TestCase("eth")]
    [TestCase("dl_src")]
    [TestCase("eth_src")]
    [TestCase("nw_src")]
    [TestCase("ip_src")]
    [TestCase("arp_spa")]
    [TestCase("tun_id")]
    [TestCase("tunnel_id")]
    [TestCase("reg7")]
    [TestCase("xreg3")]
    [TestCase("ct_state")]
    [TestCase("dl_vlan")]
    [TestCase("vlan_tci")]
    [TestCase("dl_vlan_pcp")]
    [TestCase("nw_tos")]
    [TestCase("ip_dscp")]
    [TestCase("nd_target")]
    [TestCase("in_port")]
    [TestCase("tp_src")]
    public void IsMatchKey_OvsKeywords_AreKeys(string key)
    {
        Assert.That(MatchText.IsMatchKey(key), Is.True);
    }

    [TestCase("actions")]
    [TestCase("priority")]
    [TestCase("table")]
    [TestCase("cookie")]
    [TestCase("ipv4_src")]
    [TestCase("icmp4")]
    [TestCase("igmp")]
    [TestCase("NXM_OF_ETH_SRC")]
    [TestCase("idle_timeout")]
    public void IsMatchKey_OtherWords_AreNotKeys(string key)
    {
        Assert.That(MatchText.IsMatchKey(key), Is.False);
    }

    [Test]
    public void Parse_UnknownKeyword_NamesIt()
    {
        var error = Assert.Throws<TextParseException>(() => MatchText.Parse(Pairs("ipv4_src=1.2.3.4"), PortNames.None));

        Assert.That(error!.Message, Does.Contain("ipv4_src"));
    }

    [Test]
    public void Parse_FieldWithoutValue_NamesIt()
    {
        var error = Assert.Throws<TextParseException>(() => MatchText.Parse(Pairs("dl_src"), PortNames.None));

        Assert.That(error!.Message, Does.Contain("dl_src"));
    }

    [Test]
    public void Parse_BadValue_NamesFieldAndValue()
    {
        var error = Assert.Throws<TextParseException>(() => MatchText.Parse(Pairs("ip", "nw_src=10.0.0.300"), PortNames.None));

        Assert.That(error!.Message, Does.Contain("ip_src").And.Contain("10.0.0.300"));
    }

    [Test]
    public void Parse_MaskOnUnmaskableField_IsRejected()
    {
        var error = Assert.Throws<TextParseException>(() => MatchText.Parse(Pairs("ip", "nw_proto=6/0xf"), PortNames.None));

        Assert.That(error!.Message, Does.Contain("nw_proto"));
    }

    [Test]
    public void Parse_UnknownPortName_IsRejected()
    {
        var error = Assert.Throws<TextParseException>(() => MatchText.Parse(Pairs("in_port=nosuch"), Names));

        Assert.That(error!.Message, Does.Contain("nosuch"));
    }

    [Test]
    public void Parse_DvrRewriteMatch_EqualsBuilderMatch()
    {
        var built = new MatchBuilder().VlanVid(5).EthSrc(MacAddress.Parse("fa:16:3e:00:00:01")).Build();

        var parsed = MatchText.Parse(Pairs("dl_vlan=5", "dl_src=fa:16:3e:00:00:01"), PortNames.None);

        Assert.That(parsed, Is.EqualTo(built));
    }
}
