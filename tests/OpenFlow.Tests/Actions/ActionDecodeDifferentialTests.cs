using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;
using NUnit.Framework;

namespace Dvr.OpenFlow.Tests.Actions;

/// <summary>
/// Decode differential tests against <c>ovs-ofctl parse-actions OpenFlow13</c> / <c>parse-instructions</c>: for good
/// bytes the same text (and the same bytes back when OVS re-encodes them unchanged); for bad bytes the same error.
/// </summary>
[TestFixture]
public class ActionDecodeDifferentialTests
{
    /// <summary>Action lists as hex: good ones and one per error class OVS reports.</summary>
    private static readonly string[] ActionHex =
    [
        // Good.
        "00000010000000010000000000000000",
        "00000010fffffffdffff000000000000",
        "00000010fffffff9000000000000000000000010fffffffa0000000000000000",
        "0011000881000000",
        "0011000888a80000",
        "0012000800000000",
        "0019001080000806fa163f0000010000",
        "00190010000100040000000500000000",
        "00190010800100080000000000000005",
        "000f000804000000",
        "0010000800000000",
        "0013000888470000",
        "0014000808000000",
        "0015000800000003",
        "0016000800000004",
        "0017000805000000",
        "0018000800000000",
        "ffff0010000023200001000500000000",
        "ffff0010000023200001fff800000000",
        "ffff001000002320000e0003ff000000",
        "ffff001000002320000efff804000000",
        "ffff001000002320002cfff802000000",
        "ffff0010000023200002000000000005",
        "ffff001800002320000900000000000000000000000000000005",
        "ffff0010000023200005000000000000",
        "ffff00180000232000060030000000000000040600000206",
        "ffff00180000232000070003000100040000000000000005",
        "ffff0018000023200007003f000120080000000000001234",
        "ffff0010000023200008010203000000",
        "ffff001800002320000f001f00010004ffff000000000000",
        "ffff00500000232000100000012c0001000000000000000000000a0000000000000c00000802000000000802000000300000040600000000020600000810000000020000000100040000000000000000",
        "ffff002000002320001000000000800000000000000000000000010000000000",
        "ffff0010000023200012000000000000",
        "ffff0010000023200014006400030000",
        "ffff0010000023200014ffff00000100",
        "ffff00180000232000150003000000000001000200030000",
        "ffff0010000023200022000200000005",

        // OFPBRC_BAD_LEN: list length not a multiple of 8.
        "0019000880000a020800",
        // OFPBAC_BAD_TYPE: unknown, and the OF1.3 types OVS 3.1 does not implement.
        "0063000800000000",
        "000b000800000000",
        "000c000800000000",
        "001a000888e70000",
        "001b000800000000",
        // OFPBAC_BAD_LEN.
        "00000018000000010000000000000000 0000000000000000",
        "0000000800000001",
        "0011001081000000 0000000000000000",
        "ffff000800002320",
        "ffff0018000023200001000500000000 0000000000000000",
        "00000010000000010000000000000000 0000002000000001",
        "0000000c00000001 00000000",
        // OFPBAC_BAD_VENDOR / OFPBAC_BAD_VENDOR_TYPE.
        "ffff001000001234 0000000000000000",
        "ffff0010000023200 0ff000000000000",
        "ffff001000002320 0000000000000000",
        // OFPBAC_BAD_OUT_PORT.
        "000000100000ff000000000000000000",
        "00000010ffffffff0000000000000000",
        // OFPBAC_BAD_ARGUMENT and set-field errors.
        "0011000808000000",
        "0013000808000000",
        "ffff001000002320000efff8ff000001",
        "ffff0010000023200022000100000005",
        "ffff0010000023200022030200000005",
        "ffff00180000232000070003000100040000000000000015",
        "ffff00180000232000060030000000000000040600001234",
        "0019001080000906fa163f0000010000",
        "001900108000ff06fa163f0000010000",
        "0019001080000806fa163f0000010001",
        "0019001080000c020005000000000000",
        "001900188000090cfa163f000001ffffffffffff00000000",
        "00190010800005020800000000000000",
        // Range, field and mask errors in Nicira actions.
        "ffff00180000232000060030000000000000040600ea0004",
        "ffff00180000232000060030000000000000050600000206",
        "ffff00180000232000060030000000100000040600000206",
        "ffff00180000232000060000000000000000040600000206",
        "ffff00180000232000060010000000000000040600000602",
        "ffff00180000232000070003000105040000000000000005",
        "ffff00180000232000070fc0000100040000000000000005",
        "ffff00180000232000070003000006020000000000000005",
        "ffff001800002320000f001f00ea0004ffff000000000000",
        "ffff001800002320000f001f00010004ffff000000000001",
        "ffff002800002320001000000000800000000000000000000000010000000000000c00000802000000000802000000000000",
        "ffff0028000023200010000000008000000000000000000000000100000000001c00000802000000000802000000000000",
        "ffff0028000023200010000000008000000000000000000000000100000000000c00ea0802000000000802000000000000",
        "ffff002800002320001000000000800000000000000000000000ff00000000000000000000000000000000000000000000",
        "ffff002000002320001000000000800000000000000000000008010000000000",
        "ffff0028000023200010000000008000000000000000000000000100000000000c00000802000000000802000000010000",
        "ffff0020000023200010000000008000000000000000000000000100000000000c00000802",
        // Conntrack and NAT, good and bad.
        "ffff00180000232000230001000000000005030000000000",
        "ffff00180000232000230000000000000000ff0000000000",
        "ffff00180000232000230004000000000000ff0000000000",
        "ffff0018000023200023000000010c04000fff0000000000",
        "ffff0018000023200023000000010c04001fff0000000000",
        "ffff00180000232000230000000000000000ff0000000015",
        "ffff00400000232000230001000000000000ff0000000000001900100001d6040000000100000000ffff001800002320000700070001d8100000000000000002",
        "ffff00300000232000230000000000000000ff0000000000001900100001d6040000000100000000",
        "ffff00280000232000230001000000000000ff000000000000000010000000010000000000000000",
        "ffff00380000232000230001000000000000ff0000000000ffff00200000232000240000001500330a0000010a000009006400c800000000",
        "ffff00280000232000230000000000000000ff0000000000ffff0010000023200024000000000000",
        "ffff00300000232000230001000000000000ff0000000000ffff00180000232000240000000300010102030400000000",
        "ffff00300000232000230001000000000000ff0000000000ffff00180000232000240000000100050102030400000000",
        "ffff00300000232000230001000000000000ff0000000000ffff00180000232000240000004000010102030400000000",
        "ffff00500000232000230001000000000000ff0000000000ffff003800002320002400000001003cfe800000000000000000000000000001fe800000000000000000000000000005000a001400000000",
        "ffff00180000232000240000000200010102030400000000",
    ];

    private static readonly string[] InstructionHex =
    [
        "0001000801000000",
        "00060008000000030004001800000000000000100000000100000000000000000005000800000000",
        "0002001800000000000000000000000500000000000000ff",
        "0003002000000000000000100000000200000000000000000015000800000001",
        "0001000803000000 0004001800000000 00000010000000010000000000000000",
        "0004000800000000",
        // Errors.
        "0001000801000000 0001000802000000",
        "0007000800000000",
        "ffff000800000000",
        "0001001001000000 0000000000000000",
        "000100080100",
        "0002001000000000 0000000000000005",
        "0004001800000000 0063000800000000 0000000000000000",
        "0004001000000000 0000000800000001",
        "0003001800000000 ffff0010000023200008010203000000",
        "0003001800000000 ffff001000002320000e0003ff000000",
        "0003002000000000 ffff00180000232000060030000000000000040600000206",
    ];

    private static string Normalize(string hex) => hex.Replace(" ", string.Empty, StringComparison.Ordinal);

    private static string OurErrorName(OpenFlowException e) => ActionErrors.Name(e.Error);

    /// <summary>OpenFlow 1.1 set-* action types (1-10, 13, 14) that OVS 3.1 still decodes in 1.3 and this codec does not.</summary>
    private static bool HasLegacyAction(byte[] bytes, bool instructions)
    {
        bool ScanActions(int start, int end)
        {
            for (int at = start; at + 4 <= end;)
            {
                int type = (bytes[at] << 8) | bytes[at + 1];
                int length = (bytes[at + 2] << 8) | bytes[at + 3];
                if (type is (>= 1 and <= 10) or 13 or 14)
                {
                    return true;
                }

                if (length < 8)
                {
                    return false;
                }

                at += length;
            }

            return false;
        }

        if (!instructions)
        {
            return ScanActions(0, bytes.Length);
        }

        for (int at = 0; at + 4 <= bytes.Length;)
        {
            int type = (bytes[at] << 8) | bytes[at + 1];
            int length = (bytes[at + 2] << 8) | bytes[at + 3];
            if (length < 8)
            {
                return false;
            }

            if (type is 3 or 4 && ScanActions(at + 8, Math.Min(bytes.Length, at + length)))
            {
                return true;
            }

            at += length;
        }

        return false;
    }

    private static readonly List<string> skipped = [];

    private static List<string> Compare(IReadOnlyList<string> hexLists, bool instructions)
    {
        var ovs = ActionOracle.Decode(hexLists, instructions);
        var failures = new List<string>();
        skipped.Clear();
        foreach (var result in ovs)
        {
            var bytes = Convert.FromHexString(result.Hex);
            string? text = null;
            string? error = null;
            byte[]? reencoded = null;
            try
            {
                var reader = new SpanReader(bytes);
                if (instructions)
                {
                    var list = InstructionCodec.DecodeList(ref reader, DecodeMode.Strict);
                    text = ActionDifferentialTests.Format(list);
                    reencoded = ActionDifferentialTests.Encode(list);
                }
                else
                {
                    var list = ActionCodec.DecodeList(ref reader, DecodeMode.Strict);
                    text = list.ToString();
                    var buffer = new byte[list.EncodedLength];
                    var writer = new SpanWriter(buffer);
                    list.Encode(ref writer);
                    reencoded = buffer;
                }
            }
            catch (OpenFlowException e)
            {
                error = OurErrorName(e);
            }

            if (result.Error is "OFPBAC_MATCH_INCONSISTENT" or "OFPBIC_BAD_TABLE_ID"
                || (result.Text?.Contains("TUN_METADATA", StringComparison.Ordinal) ?? false) || (error == "OFPBAC_BAD_VENDOR_TYPE" && result.Error != error)
                || (error == "OFPBAC_BAD_TYPE" && result.Error != error && HasLegacyAction(bytes, instructions))
                || (error == "OFPBAC_BAD_SET_LEN" && result.Error == "OFPBAC_BAD_SET_TYPE"))
            {
                // OVS checks actions against a catch-all match in table 0 after decoding (our codec has neither the
                // match nor the table here: consistency and goto_table direction belong to the flow), it knows the
                // variable-length tunnel metadata fields, and
                // it implements Nicira subtypes (multipath, bundle, sample, ...) and OpenFlow 1.1 set-* actions
                // this codec does not; for an unknown set_field OXM it says BAD_SET_TYPE or BAD_SET_LEN depending on
                // its field hash table (we always say BAD_SET_LEN).
                skipped.Add(result.Hex);
                continue;
            }

            if (result.Error is not null)
            {
                if (error != result.Error)
                {
                    failures.Add($"{result.Hex}: OVS {result.Error}, ours {error ?? "decoded: " + text}");
                }
            }
            else if (text != result.Text)
            {
                failures.Add($"{result.Hex}: OVS text {result.Text}, ours {error ?? text}");
            }
            else if (!result.ReencodeDiffers && !reencoded!.AsSpan().SequenceEqual(bytes))
            {
                failures.Add($"{result.Hex}: re-encoded as {Convert.ToHexStringLower(reencoded!)}");
            }
        }

        return failures;
    }

    [Test]
    public void Decode_HandPickedActionBytes_MatchOvsTextAndErrors()
    {
        var failures = Compare([.. ActionHex.Select(Normalize)], instructions: false);
        Assert.That(failures, Is.Empty, string.Join('\n', failures));
    }

    [Test]
    public void Decode_HandPickedInstructionBytes_MatchOvsTextAndErrors()
    {
        var failures = Compare([.. InstructionHex.Select(Normalize)], instructions: true);
        Assert.That(failures, Is.Empty, string.Join('\n', failures));
    }

    [Test]
    public void Decode_MutatedOvsInstructions_MatchOvsTextAndErrors()
    {
        // Arrange: OVS's own encodings of the generated corpus, each with one byte changed at a random place.
        var flows = ActionOracle.ParseFlows(ActionCorpus.Generated(300, seed: 7)).Where(f => f.Error is null).ToList();
        var random = new Random(11);
        var mutated = new List<string>();
        foreach (var flow in flows)
        {
            var bytes = flow.Instructions!.ToArray();
            if (bytes.Length == 0)
            {
                continue;
            }

            int at = random.Next(bytes.Length);
            bytes[at] = random.Next(3) == 0 ? (byte)0 : (byte)random.Next(256);
            mutated.Add(Convert.ToHexStringLower(bytes));
        }

        // Act
        var failures = Compare(mutated, instructions: true);

        // Assert
        Assert.That(failures, Is.Empty, $"{failures.Count} of {mutated.Count}:\n" + string.Join('\n', failures.Take(30)));
    }

    [Test]
    public void Decode_EveryPrefixOfValidBytes_ThrowsOnlyOpenFlowException()
    {
        // Arrange
        var bytes = Convert.FromHexString(Normalize(InstructionHex[1]) + "0003002000000000000000100000000200000000000000000015000800000001");

        // Act / Assert: truncations never escape as another exception type and never hang.
        for (int length = 0; length < bytes.Length; length++)
        {
            var prefix = bytes[..length];
            try
            {
                var reader = new SpanReader(prefix);
                InstructionCodec.DecodeList(ref reader, DecodeMode.Strict);
            }
            catch (OpenFlowException)
            {
            }
        }

        Assert.Pass();
    }

    [Test]
    public void Decode_NiciraActionsNotImplemented_FailWithBadVendorType()
    {
        // Arrange: OVS's own OpenFlow 1.3 encodings of Nicira actions this codec does not implement
        // (NXAST_CLONE, NXAST_MULTIPATH, NXAST_BUNDLE, NXAST_SAMPLE2, NXAST_CONTROLLER2).
        (string Match, string Actions)[] unimplemented =
        [
            ("priority=1", "clone(output:1)"),
            ("priority=1", "multipath(eth_src,50,modulo_n,1,0,NXM_NX_REG0[])"),
            ("priority=1", "bundle(eth_src,0,active_backup,ofport,members:1,2)"),
            ("priority=1", "sample(probability=100,collector_set_id=1)"),
            ("priority=1", "controller(userdata=01.02,pause)"),
        ];
        var flows = ActionOracle.ParseFlows(unimplemented);
        Assert.That(flows.Where(f => f.Error is not null).Select(f => f.Actions), Is.Empty, "OVS must accept every input");

        // Act / Assert: each is the typed OFPBAC_BAD_VENDOR_TYPE error, never another exception.
        foreach (var flow in flows)
        {
            var error = Assert.Throws<OpenFlowException>(() => ActionDifferentialTests.Decode(flow.Instructions!), flow.Actions);
            Assert.That(error!.Error, Is.EqualTo(OfpError.BadActionExperimenterType), flow.Actions);
        }
    }

    [Test]
    public void Decode_StackPushWithNonZeroPadding_FailsWithMustBeZero()
    {
        // Arrange: apply_actions(push:NXM_NX_REG0[]) with a non-zero byte in the action's zero padding.
        var bytes = Convert.FromHexString("0004002000000000" + "ffff001800002320001b" + "0000" + "00010004" + "0020" + "000000000001");

        // Act
        var error = Assert.Throws<OpenFlowException>(() => ActionDifferentialTests.Decode(bytes));

        // Assert
        Assert.That(error!.Error, Is.EqualTo(ActionErrors.MustBeZero));
    }
}
