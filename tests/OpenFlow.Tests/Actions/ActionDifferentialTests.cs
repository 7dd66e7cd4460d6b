using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;
using NUnit.Framework;

namespace Dvr.OpenFlow.Tests.Actions;

/// <summary>
/// Differential tests against ovs-ofctl 3.1: for each action string OVS accepts, our parse must encode to OVS's
/// bytes and print OVS's text, and OVS's bytes must decode to OVS's text and re-encode byte for byte.
/// </summary>
[TestFixture]
public class ActionDifferentialTests
{
    internal static byte[] Encode(InstructionList instructions)
    {
        var buffer = new byte[instructions.EncodedLength];
        var writer = new SpanWriter(buffer);
        instructions.Encode(ref writer);
        Assert.That(writer.Position, Is.EqualTo(buffer.Length), "EncodedLength disagrees with bytes written");
        return buffer;
    }

    internal static InstructionList Decode(byte[] bytes)
    {
        var reader = new SpanReader(bytes);
        return InstructionCodec.DecodeList(ref reader, DecodeMode.Strict);
    }

    internal static string Format(InstructionList instructions)
    {
        var sb = new StringBuilder();
        instructions.Format(sb, PortNames.None);
        return sb.ToString();
    }

    /// <summary>Compares one OVS-accepted flow both ways; returns a description of each mismatch.</summary>
    private static IEnumerable<string> Compare(OvsFlow flow)
    {
        string ovsHex = Convert.ToHexStringLower(flow.Instructions!);
        string label = $"[{flow.Match} actions={flow.Actions}]";
        InstructionList? parsed = null;
        string? parseError = null;
        try
        {
            // As a whole flow: some OpenFlow 1.0-era actions (mod_vlan_vid, mod_tp_src) encode by the match.
            parsed = FlowModText.ParseFlow($"{flow.Match} actions={flow.Actions}", PortNames.None).Instructions;
        }
        catch (TextParseException e)
        {
            parseError = e.Message;
        }

        if (parsed is null)
        {
            yield return $"{label} we reject what OVS accepts: {parseError}";
        }
        else
        {
            string ourHex = Convert.ToHexStringLower(Encode(parsed));
            if (ourHex != ovsHex)
            {
                yield return $"{label} encode\n   ours {ourHex}\n   ovs  {ovsHex}";
            }

            string ourText = Format(parsed);
            if (ourText != flow.Text)
            {
                yield return $"{label} format of parse\n   ours {ourText}\n   ovs  {flow.Text}";
            }
        }

        InstructionList? decoded = null;
        string? decodeError = null;
        try
        {
            decoded = Decode(flow.Instructions!);
        }
        catch (OpenFlowException e)
        {
            decodeError = e.Message;
        }

        if (decoded is null)
        {
            yield return $"{label} we cannot decode OVS's bytes {ovsHex}: {decodeError}";
            yield break;
        }

        string decodedText = Format(decoded);
        if (decodedText != flow.Text)
        {
            yield return $"{label} format of decode\n   ours {decodedText}\n   ovs  {flow.Text}";
        }

        string reencoded = Convert.ToHexStringLower(Encode(decoded));
        if (reencoded != ovsHex)
        {
            yield return $"{label} decode→encode\n   ours {reencoded}\n   ovs  {ovsHex}";
        }

        if (parsed is not null && !parsed.Equals(decoded) && Convert.ToHexStringLower(Encode(parsed)) == ovsHex)
        {
            yield return $"{label} parsed and decoded lists encode alike but are not Equal";
        }
    }

    private static void AssertAllMatch(IEnumerable<OvsFlow> accepted)
    {
        var failures = accepted.SelectMany(Compare).ToList();
        Assert.That(failures, Is.Empty, $"{failures.Count} mismatch(es):\n" + string.Join('\n', failures.Take(25)));
    }

    [Test]
    public void ParseEncodeFormat_HandPickedActions_MatchOvs()
    {
        // Arrange
        var flows = ActionOracle.ParseFlows(ActionCorpus.HandPicked);

        // Act / Assert
        var rejected = flows.Where(f => f.Error is not null).Select(f => $"{f.Actions}: {f.Error}").ToList();
        Assert.That(rejected, Is.Empty, "hand-picked corpus entries that OVS rejects:\n" + string.Join('\n', rejected));
        AssertAllMatch(flows);
    }

    [Test]
    public void ParseEncodeFormat_GeneratedActionLists_MatchOvs()
    {
        // Arrange
        var flows = ActionOracle.ParseFlows(ActionCorpus.Generated(1500, seed: 20261123));

        // Act
        var accepted = flows.Where(f => f.Error is null).ToList();

        // Assert: OVS accepts most of the corpus (else it tests little), and every accepted one matches.
        Assert.That(accepted, Has.Count.GreaterThan(1200), string.Join('\n', flows.Where(f => f.Error is not null).Take(10).Select(f => $"{f.Actions}: {f.Error}")));
        AssertAllMatch(accepted);
    }

    [Test]
    public void Parse_ActionsOvsRejects_ThrowsTextParseException()
    {
        // Arrange
        var flows = ActionOracle.ParseFlows(ActionCorpus.Invalid);

        // Act / Assert
        var accepted = flows.Where(f => f.Error is null).Select(f => f.Actions).ToList();
        Assert.That(accepted, Is.Empty, "invalid corpus entries that OVS accepts");
        var wronglyAccepted = new List<string>();
        foreach (var flow in flows)
        {
            try
            {
                FlowModText.ParseFlow($"{flow.Match} actions={flow.Actions}", PortNames.None);
                wronglyAccepted.Add($"{flow.Actions} (OVS: {flow.Error})");
            }
            catch (TextParseException)
            {
            }
        }

        Assert.That(wronglyAccepted, Is.Empty, "we accept what OVS rejects:\n" + string.Join('\n', wronglyAccepted));
    }
}
