using System.Text.RegularExpressions;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Messages.Multipart;
using Dvr.OpenFlow.Tests.Mods;
using NUnit.Framework;

namespace Dvr.OpenFlow.Tests.Multipart;

/// <summary>
/// TABLE_FEATURES against the real thing: the replies a private ovs-vswitchd 3.1 sends are decoded, re-encoded
/// byte for byte and printed exactly as ovs-ofctl prints them; synthetic tables check the property rules
/// (strict vs loose) and OVS's field-list shorthand against ovs-ofctl.
/// </summary>
[TestFixture]
public class TableFeaturesFromOvsVswitchdTests
{
    private IReadOnlyList<byte[]> _switchReplies = [];

    [OneTimeSetUp]
    public void CaptureFromOvsVswitchd()
    {
        using var ovs = OvsSwitchCapture.Start();
        _switchReplies = ovs.RequestTableFeatures();
    }

    [Test]
    public void Decode_OvsVswitchdReplies_RoundTripToSameBytes()
    {
        Assert.That(_switchReplies, Has.Count.GreaterThan(1));
        Assert.Multiple(() =>
        {
            int tables = 0;
            foreach (var bytes in _switchReplies)
            {
                var reply = (MultipartReply)MessageDecoder.Decode(bytes, DecodeMode.Loose);

                tables += ((TableFeaturesReply)reply.Body).Tables.Count;
                Assert.That(reply.ToBytes(), Is.EqualTo(bytes));
            }

            Assert.That(tables, Is.EqualTo(254), "ovs-vswitchd describes tables 0..253");
        });
    }

    [Test]
    public void Format_OvsVswitchdReplies_MatchOvsOfctl()
    {
        var ovs = OvsOracle.OfpPrint(_switchReplies);

        var ours = _switchReplies.Select(b => MessageDecoder.Decode(b, DecodeMode.Loose).ToText()).ToList();

        Assert.That(ours, Is.EqualTo(ovs));
    }

}

/// <summary>Synthetic TABLE_FEATURES: property rules (strict vs loose) and OVS's text shorthands against ovs-ofctl.</summary>
[TestFixture]
public partial class TableFeaturesTests
{
    private static TableFeatureProperty Empty(TableFeaturePropertyType type) => type switch
    {
        TableFeaturePropertyType.Instructions or TableFeaturePropertyType.InstructionsMiss => new InstructionsProperty(type, ValueList<FeatureId>.Empty),
        TableFeaturePropertyType.NextTables or TableFeaturePropertyType.NextTablesMiss => new NextTablesProperty(type, ValueList<byte>.Empty),
        TableFeaturePropertyType.WriteActions or TableFeaturePropertyType.ApplyActions
            or TableFeaturePropertyType.WriteActionsMiss or TableFeaturePropertyType.ApplyActionsMiss => new ActionsProperty(type, ValueList<FeatureId>.Empty),
        _ => new OxmProperty(type, ValueList<OxmId>.Empty),
    };

    private static readonly TableFeaturePropertyType[] Required =
    [
        TableFeaturePropertyType.Instructions, TableFeaturePropertyType.NextTables, TableFeaturePropertyType.WriteActions,
        TableFeaturePropertyType.ApplyActions, TableFeaturePropertyType.Wildcards, TableFeaturePropertyType.WriteSetField,
        TableFeaturePropertyType.ApplySetField,
    ];

    private static OxmId Id(string name)
    {
        var field = TableFeatureFieldCatalog.Fields.Single(f => f.Name == name);
        return new OxmId(field.Header, field.Experimenter);
    }

    /// <summary>One table whose match property lists <paramref name="names"/> (OVS field order) and nothing else.</summary>
    private static TableFeatures MatchOnly(byte table, IEnumerable<string> names, params TableFeatureProperty[] extra)
    {
        var properties = Required.Select(Empty).ToList();
        properties.Add(new OxmProperty(TableFeaturePropertyType.Match, new ValueList<OxmId>(names.Select(Id))));
        properties.AddRange(extra);
        return new TableFeatures(table, "", 0, 0, 0, 0, new ValueList<TableFeatureProperty>(properties));
    }

    private static OpenFlowMessage Reply(params TableFeatures[] tables) => Mp.Reply(new TableFeaturesReply(new ValueList<TableFeatures>(tables)));

    private static readonly string[][] FieldLists =
    [
        ["reg0", "reg1"],
        ["reg0", "reg1", "reg2"],
        ["reg0", "reg2", "reg3", "reg4"],
        ["eth_src"],
        ["tun_ipv6_src", "tun_ipv6_dst"],
        ["tun_src", "tun_ipv6_src"],
        ["nsh_c1", "nsh_c2", "nsh_c3"],
        ["nsh_c1", "nsh_c2", "nsh_c3", "nsh_ttl"],
        ["ct_nw_src", "ct_nw_dst", "ct_ipv6_src"],
        ["ct_state", "ct_nw_src", "ct_nw_dst"],
        ["tun_erspan_idx", "tun_erspan_ver", "tun_metadata0", "tun_metadata1", "tun_metadata2"],
        ["in_port", "eth_src", "eth_dst", "vlan_vid", "ip_src", "ip_dst", "tcp_src", "tcp_dst", "metadata", "reg3"],
    ];

    [Test]
    public void Format_FieldListShorthand_MatchesOvsOfctl()
    {
        var order = TableFeatureFieldCatalog.Fields.Select((f, i) => (f.Name, i)).ToDictionary(x => x.Name, x => x.i);
        var messages = FieldLists.Select(l => Reply(MatchOnly(0, l.OrderBy(n => order[n])))).ToList();
        var ovs = OvsOracle.OfpPrint(messages.Select(m => m.ToBytes()).ToList());

        var ours = messages.Select(m => m.ToText()).ToList();

        Assert.That(ours, Is.EqualTo(ovs));
    }

    [Test]
    public void Format_SeveralTablesWithDittoAndMissDifferences_MatchesOvsOfctl()
    {
        var instructions = new InstructionsProperty(TableFeaturePropertyType.Instructions, [new FeatureId(1), new FeatureId(4), new FeatureId(6)]);
        var missInstructions = new InstructionsProperty(TableFeaturePropertyType.InstructionsMiss, [new FeatureId(4)]);
        var write = new ActionsProperty(TableFeaturePropertyType.WriteActions, [new FeatureId(0), new FeatureId(22)]);
        TableFeatures Table(byte id, string name = "", params TableFeatureProperty[] extra)
        {
            var properties = new List<TableFeatureProperty>
            {
                instructions,
                new NextTablesProperty(TableFeaturePropertyType.NextTables, new ValueList<byte>(Enumerable.Range(id + 1, 10 - id).Select(i => (byte)i))),
                write,
                new ActionsProperty(TableFeaturePropertyType.ApplyActions, [new FeatureId(0), new FeatureId(17), new FeatureId(25)]),
                new OxmProperty(TableFeaturePropertyType.Match, [Id("in_port"), new OxmId(Id("eth_src").Header | 0x100 | 6, 0), Id("vlan_vid")]),
                new OxmProperty(TableFeaturePropertyType.Wildcards, [Id("in_port")]),
                new OxmProperty(TableFeaturePropertyType.WriteSetField, [Id("eth_src")]),
                new OxmProperty(TableFeaturePropertyType.ApplySetField, [Id("eth_src"), Id("reg0")]),
            };
            properties.AddRange(extra);
            return new TableFeatures(id, name, 0xff, 0, 0, 1000, new ValueList<TableFeatureProperty>(properties));
        }

        var messages = new[]
        {
            Reply(Table(0), Table(1), Table(2), Table(3, "named"), Table(4), Table(5, "", missInstructions)),
            Reply(Table(7)),
        };
        var ovs = OvsOracle.OfpPrint(messages.Select(m => m.ToBytes()).ToList());

        var ours = messages.Select(m => m.ToText()).ToList();

        Assert.That(ours, Is.EqualTo(ovs));
    }

    [Test]
    public void Decode_ExperimenterProperty_LooseKeepsItStrictRefusesIt()
    {
        var table = MatchOnly(1, ["eth_src"], new ExperimenterProperty(TableFeaturePropertyType.Experimenter, 0x2320, 7, [1, 2, 3, 4]));
        var request = Mp.Request(new TableFeaturesRequest([table]));
        byte[] bytes = request.ToBytes();

        var loose = MessageDecoder.Decode(bytes, DecodeMode.Loose);
        var strict = Assert.Throws<OpenFlowException>(() => MessageDecoder.Decode(bytes, DecodeMode.Strict));

        Assert.Multiple(() =>
        {
            Assert.That(loose, Is.EqualTo(request));
            Assert.That(loose.ToBytes(), Is.EqualTo(bytes));
            Assert.That(strict!.Error, Is.EqualTo(OfpError.BadPropertyExperimenter));
        });
    }

    [Test]
    public void Decode_UnknownPropertyType_LooseKeepsItStrictRefusesIt()
    {
        var table = MatchOnly(1, ["eth_src"], new ExperimenterProperty((TableFeaturePropertyType)9, 0, 0, [9, 9]));
        var request = Mp.Request(new TableFeaturesRequest([table]));
        byte[] bytes = request.ToBytes();

        var loose = MessageDecoder.Decode(bytes, DecodeMode.Loose);
        var strict = Assert.Throws<OpenFlowException>(() => MessageDecoder.Decode(bytes, DecodeMode.Strict));

        Assert.Multiple(() =>
        {
            Assert.That(loose.ToBytes(), Is.EqualTo(bytes));
            Assert.That(strict!.Error, Is.EqualTo(OfpError.BadPropertyType));
        });
    }

    [Test]
    public void Decode_UnknownFieldAndInstruction_StrictRefusesThem()
    {
        var unknownField = MatchOnly(1, ["eth_src"], new OxmProperty(TableFeaturePropertyType.ApplySetFieldMiss, [new OxmId(0x80007e04)]));
        var unknownInstruction = MatchOnly(1, ["eth_src"], new InstructionsProperty(TableFeaturePropertyType.InstructionsMiss, [new FeatureId(0x55)]));

        var fieldError = Assert.Throws<OpenFlowException>(() => MessageDecoder.Decode(Mp.Request(new TableFeaturesRequest([unknownField])).ToBytes(), DecodeMode.Strict));
        var instructionError = Assert.Throws<OpenFlowException>(() => MessageDecoder.Decode(Mp.Request(new TableFeaturesRequest([unknownInstruction])).ToBytes(), DecodeMode.Strict));

        Assert.Multiple(() =>
        {
            Assert.That(fieldError!.Error, Is.EqualTo(OfpError.BadField));
            Assert.That(instructionError!.Error, Is.EqualTo(OfpError.UnknownInstruction));
        });
    }

    [GeneratedRegex(@"\*\*\*decode error: (\S+)\*\*\*")]
    private static partial Regex DecodeError();

    [Test]
    public void Decode_BadTables_FailWithOvsErrors()
    {
        var good = MatchOnly(3, ["in_port"]);
        byte[] Bytes(TableFeatures table) => Reply(table).ToBytes();
        var cases = new List<byte[]>
        {
            Bytes(good with { TableId = 255 }),
            Bytes(good with { Properties = new ValueList<TableFeatureProperty>(good.Properties.Skip(1)) }),
            Bytes(good with { Properties = new ValueList<TableFeatureProperty>(good.Properties.Where(p => p.PropertyType != TableFeaturePropertyType.NextTables).Append(new NextTablesProperty(TableFeaturePropertyType.NextTables, [4, 255]))) }),
        };
        byte[] badPropertyLength = Bytes(good);
        badPropertyLength[16 + 64 + 3] = 0xf0;
        cases.Add(badPropertyLength);
        byte[] badTableLength = Bytes(good);
        badTableLength[16 + 1] = 0x44;
        cases.Add(badTableLength);
        var ovs = OvsOracle.OfpPrint(cases);

        Assert.Multiple(() =>
        {
            for (int i = 0; i < cases.Count; i++)
            {
                var expected = DecodeError().Match(ovs[i]);
                Assert.That(expected.Success, Is.True, ovs[i]);
                var error = Assert.Throws<OpenFlowException>(() => MessageDecoder.Decode(cases[i], DecodeMode.Loose));
                // OFPTFFC_BAD_FEATURES has no OpenFlow 1.3 code, so it has no 1.3 name in ErrorNames.
                string ours = error!.Error == OfpError.TableFeaturesBadFeatures ? "OFPTFFC_BAD_FEATURES" : ErrorNames.Format(error.Error);
                Assert.That(ours, Is.EqualTo(expected.Groups[1].Value), $"case {i}");
            }
        });
    }
}
