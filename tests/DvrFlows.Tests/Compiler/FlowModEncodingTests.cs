using System.Text;
using System.Text.RegularExpressions;
using Dvr.DvrFlows.Compiler;
using Dvr.DvrFlows.Desired;
using Dvr.DvrFlows.Tests.Ovs;
using Dvr.OpenFlow.Messages.Flow;
using Dvr.OpenFlow.Text;
using NUnit.Framework;
using static Dvr.DvrFlows.Tests.Compiler.TestTopologies;

namespace Dvr.DvrFlows.Tests.Compiler;

/// <summary>
/// The FLOW_MODs the controller sends equal, byte for byte, what ovs-ofctl 3.1 encodes from the same flows' text
/// (<c>ovs-ofctl -O OpenFlow13 -mmmmm parse-flows FILE</c>, one process for all flows of a host).
/// </summary>
public partial class FlowModEncodingTests
{
    public static IEnumerable<TestCaseData> Hosts()
    {
        foreach (var (name, topology) in new[] { ("worked-example", WorkedExample()), ("mixed", Mixed()) })
        {
            foreach (var host in topology.Hosts)
            {
                yield return new TestCaseData(name, host.Name).SetName($"{{m}}({name},{host.Name})");
            }
        }
    }

    [TestCaseSource(nameof(Hosts))]
    public void ToFlowMod_Add_EncodesLikeOvsOfctl(string topologyName, string host)
    {
        var topology = topologyName == "mixed" ? Mixed() : WorkedExample();
        var flows = DvrFlowCompiler.Compile(topology, host, SyntheticPortMap.For(topology, host)).AllFlows.ToList();
        string file = Path.Combine(Path.GetTempPath(), $"dvrcmp-flows-{Environment.ProcessId}-{topologyName}-{host}.txt");
        File.WriteAllLines(file, flows.Select(f => DesiredFlowText.Format(f, PortNames.None)));
        string printed;
        try
        {
            printed = OvsSandbox.Run("ovs-ofctl", $"-O OpenFlow13 -mmmmm parse-flows {file}");
        }
        finally
        {
            File.Delete(file);
        }

        var expected = HexOfEachMessage(printed);
        var actual = flows.Select((f, i) => Convert.ToHexStringLower((f.ToFlowMod(FlowModCommand.Add) with { Xid = (uint)(i + 1) }).ToBytes())).ToList();

        Assert.That(actual, Is.EqualTo(expected));
    }

    [Test]
    public void ToFlowMod_DeleteStrict_MatchesOnlyOurCookie()
    {
        var topology = WorkedExample();
        var flow = DvrFlowCompiler.Compile(topology, "cn1", SyntheticPortMap.For(topology, "cn1"))["br-tun"].Flows[0];

        var delete = flow.ToFlowMod(FlowModCommand.DeleteStrict);

        Assert.Multiple(() =>
        {
            Assert.That((delete.Cookie, delete.CookieMask), Is.EqualTo((flow.Cookie, ulong.MaxValue)));
            Assert.That((delete.TableId, delete.Priority, delete.Match), Is.EqualTo((flow.TableId, flow.Priority, flow.Match)));
            Assert.That(delete.Instructions.Instructions, Is.Empty);
        });
    }

    /// <summary>Joins the "00000010  04 0e ...-... |...|" dump lines that follow each OFPT_FLOW_MOD line.</summary>
    private static List<string> HexOfEachMessage(string printed)
    {
        var messages = new List<string>();
        StringBuilder? current = null;
        foreach (string line in printed.Split('\n'))
        {
            if (line.StartsWith("OFPT_FLOW_MOD", StringComparison.Ordinal))
            {
                current = new StringBuilder();
                messages.Add(string.Empty);
                continue;
            }

            var dump = DumpLine().Match(line);
            if (current is not null && dump.Success)
            {
                current.Append(dump.Groups[1].Value.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal));
                messages[^1] = current.ToString();
            }
        }

        return messages;
    }

    [GeneratedRegex(@"^[0-9a-f]{8}  ([0-9a-f -]+?)\s*\|")]
    private static partial Regex DumpLine();
}
