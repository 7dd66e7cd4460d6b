using Dvr.DvrFlows.Topology;
using NUnit.Framework;
using YamlDotNet.RepresentationModel;
using static Dvr.DvrFlows.Tests.Topology.TopologyTestFiles;

namespace Dvr.DvrFlows.Tests.Topology;

/// <summary>The order things are written in never changes the loaded topology.</summary>
[TestFixture]
public sealed class TopologyOrderIndependenceTests
{
    private static readonly string[] TopLevelLists = ["hosts", "networks", "subnets", "routers", "ports"];

    /// <summary>
    /// Rewrites <paramref name="yaml"/> with every top-level list shuffled and every mapping's keys shuffled.
    /// fixed_ips keep their order: Neutron treats the first address as the primary one.
    /// </summary>
    private static string Shuffle(string yaml, Random random)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var shuffled = new YamlStream(new YamlDocument(ShuffleNode(root, random, topLevel: true)));
        using var writer = new StringWriter();
        shuffled.Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    private static YamlNode ShuffleNode(YamlNode node, Random random, bool topLevel) => node switch
    {
        YamlMappingNode mapping => new YamlMappingNode(mapping.Children
            .Select(kv => new KeyValuePair<YamlNode, YamlNode>(kv.Key, ShuffleChild(kv.Key, kv.Value, random, topLevel)))
            .OrderBy(_ => random.Next())),
        _ => node,
    };

    private static YamlNode ShuffleChild(YamlNode key, YamlNode value, Random random, bool topLevel)
    {
        if (value is YamlSequenceNode sequence)
        {
            var items = sequence.Children.Select(c => ShuffleNode(c, random, topLevel: false));
            bool reorder = topLevel && key is YamlScalarNode { Value: { } name } && TopLevelLists.Contains(name);
            return new YamlSequenceNode(reorder ? items.OrderBy(_ => random.Next()) : items);
        }

        return ShuffleNode(value, random, topLevel: false);
    }

    [TestCase("demo-3host.yaml")]
    [TestCase("worked-example.yaml")]
    public void Load_ShuffledLists_GiveAnEqualTopology(string sample)
    {
        string yaml = File.ReadAllText(Sample(sample));
        var expected = TopologyLoader.LoadFromString(yaml, sample);

        for (int seed = 1; seed <= 10; seed++)
        {
            string shuffled = Shuffle(yaml, new Random(seed));

            var actual = TopologyLoader.LoadFromString(shuffled, "shuffled.yaml");

            Assert.That(shuffled, Is.Not.EqualTo(yaml));
            Assert.That(actual, Is.EqualTo(expected), $"seed {seed}");
            Assert.That(actual.GetHashCode(), Is.EqualTo(expected.GetHashCode()), $"seed {seed}");
            foreach (var host in expected.Hosts)
            {
                Assert.That(LocalVlanAllocator.LocalVlans(actual, host.Name), Is.EqualTo(LocalVlanAllocator.LocalVlans(expected, host.Name)), $"seed {seed}, host {host.Name}");
            }
        }
    }

    [Test]
    public void Load_ShuffledHostsWithoutDvrMacs_AllocateTheSameMacs()
    {
        string yaml = File.ReadAllText(Sample("demo-3host.yaml"))
            .ReplaceOnce("    dvr_mac: fa:16:3f:00:00:01\n", string.Empty)
            .ReplaceOnce("    dvr_mac: fa:16:3f:00:00:03\n", string.Empty);
        var expected = TopologyLoader.LoadFromString(yaml, "a.yaml");

        var actual = TopologyLoader.LoadFromString(Shuffle(yaml, new Random(42)), "b.yaml");

        Assert.That(actual.Hosts.Select(h => h.DvrMac), Is.EqualTo(expected.Hosts.Select(h => h.DvrMac)));
        Assert.That(actual, Is.EqualTo(expected));
    }

    [Test]
    public void Equals_DifferentContent_IsNotEqual()
    {
        string yaml = File.ReadAllText(Sample("demo-3host.yaml"));
        var original = TopologyLoader.LoadFromString(yaml, "a.yaml");

        var changedIp = TopologyLoader.LoadFromString(yaml.ReplaceOnce("ip: 10.0.3.60", "ip: 10.0.3.61"), "a.yaml");
        var changedPin = TopologyLoader.LoadFromString(yaml.ReplaceOnce("      external: { name: br-ex, datapath_id: 0x301 }\n", "      external: { name: br-ex, datapath_id: 0x301 }\n    local_vlans: { red: 5 }\n"), "a.yaml");

        Assert.That(changedIp, Is.Not.EqualTo(original));
        Assert.That(changedPin, Is.Not.EqualTo(original));
    }
}
