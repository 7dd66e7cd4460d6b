using System.Text.RegularExpressions;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Tests.Multipart;
using NUnit.Framework;

namespace Dvr.OpenFlow.Tests.Mods;

/// <summary>
/// Malformed messages must fail with the OpenFlow error OVS names for them: each hex message goes through
/// ovs-ofctl ofp-parse (one run), whose "***decode error: NAME***" is the expected error, and through our
/// decoder, whose OpenFlowException must carry that same error.
/// </summary>
[TestFixture]
public partial class BadInputTests
{
    private static readonly (string Name, string Hex)[] Cases =
    [
        // GROUP_MOD: bucket shorter than its header, longer than the message, trailing junk, bad watch port.
        ("group bucket len below 16", "040f0020000000010000010000000001" + "000800000000000300000000ffffffff"),
        ("group bucket len past end", "040f0020000000010000010000000001" + "00400000ffffffffffffffff00000000"),
        ("group leftover bytes", "040f0018000000010000010000000001" + "0000000000000000"),
        ("group bad watch port", "040f0030000000010000030000000001" + "00200000ffff0000ffffffff00000000" + "0000001000000001000000000000000000"[..32]),
        ("group bad type", "040f0010000000010000070000000001"),
        ("group bad command", "040f0010000000010007000000000001"),
        ("group delete with bucket", "040f0030000000010002000000000001" + "00200000ffffffffffffffff00000000" + "00000010000000010000000000000000"),
        ("group indirect two buckets", "040f0050000000010000020000000001" + "00200000ffffffffffffffff00000000" + "00000010000000010000000000000000" + "00200000ffffffffffffffff00000000" + "00000010000000020000000000000000"),
        ("group all with weight", "040f0030000000010000000000000001" + "00200005ffffffffffffffff00000000" + "00000010000000010000000000000000"),
        ("group all with watch", "040f0030000000010000000000000001" + "0020000000000003ffffffff00000000" + "00000010000000010000000000000000"),
        ("group ff without watch", "040f0030000000010000030000000001" + "00200000ffffffffffffffff00000000" + "00000010000000010000000000000000"),
        ("group bucket bad action", "040f0030000000010000010000000001" + "00200000ffffffffffffffff00000000" + "00630010000000010000000000000000"),
        ("group bucket ragged actions", "040f0024000000010000010000000001" + "00140000ffffffffffffffff00000000" + "00000000"),
        ("group truncated header", "040f000c0000000100000100"),

        // METER_MOD: bad command, kbps+pktps, bad band type/length, ragged length.
        ("meter bad command", "041d00100000000200030002000000010"[..32]),
        ("meter kbps and pktps", "041d0020000000020000000300000001" + "00010010000003e80000000000000000"),
        ("meter band experimenter", "041d0020000000020000000100000001" + "ffff00100000000a0000001400002320"),
        ("meter band unknown type", "041d0020000000020000000100000001" + "00070010000003e80000000000000000"),
        ("meter band len 24", "041d0028000000020000000100000001" + "00010018000003e8000000000000000000000000000000000"[..48]),
        ("meter ragged", "041d001c000000020000000100000001" + "00010010000003e800000000"),

        // PORT_MOD, TABLE_MOD, QUEUE_GET_CONFIG, async: wrong sizes and impossible ports.
        ("port mod short", "0410001800000002000000030000000000000000000000000"[..48]),
        ("port mod bad port", "04100028000000020000ff0000000000" + "0a0000000001000000000001000000010000000000000000"),
        ("table mod short", "0411000c0000000201000000"),
        ("queue request bad port", "041600100000000200ffff0000000000"),
        ("queue reply bad queue len", "04170020000000020000000100000000" + "00000001000000010008000000000000"),
        ("queue reply queue len past end", "04170020000000020000000100000000" + "00000001000000010040000000000000"),
        ("queue reply bad property len", "04170030000000020000000100000000" + "00000001000000010020000000000000" + "00010005000000000005000000000000"),
        ("get async reply short", "041b0018000000020000000700000000" + "0000000700000000"),
        ("set async long", "041c0028000000020000000300000001000000070000000000000000000000010000000000000000"),

        // Multipart bodies.
        ("group stats short entry", "0413001800000002000600000000000000280000000000010000000200000000"[..48]),
        ("group stats len past end", "04130038000000020006000000000000" + "00400000000000010000000200000000" + "000000000000000a00000000000003e80000000500000000"),
        ("group desc short", "04130014000000020007000000000000000c0100"),
        ("group desc bad bucket", "04130038000000020007000000000000" + "0030010000000005" + "00080000ffffffffffffffff00000000" + "00000010000000010000000000000000"),
        ("meter stats band len", "0413003c000000020009000000000000" + "00000001002c00000000000000000002" + "000000000000006400000000000007d0000000030000000000000000"),
        ("meter config band type", "04130028000000020000a000000000000"[..16] + "000a000000000000" + "00180001000000010007001000000001000000020000000000"[..48]),
        ("table stats ragged", "04130018000000020003000000000000" + "0000000000000005"),
        ("port stats short", "04130018000000020004000000000000" + "0000000100000000"),
        ("port stats bad port", "04130080000000020004000000000000" + "0000ff0000000000" + new string('0', 208)),
        ("queue stats short", "04130018000000020005000000000000" + "0000000100000002"),
        ("group features short", "04130018000000020008000000000000" + "0000000f0000000f"),
        ("meter features short", "04130018000000020009000000000000"[..24] + "000b000000000000" + "0000006400000006"),
    ];

    private static IReadOnlyList<string>? _ovsTexts;

    private static IReadOnlyList<string> OvsTexts => _ovsTexts ??= OvsOracle.OfpPrint(Cases.Select(c => Bytes(c.Hex)).ToList());

    /// <summary>The case's bytes with the header's length field set to the real length (the cases test bodies, not framing).</summary>
    private static byte[] Bytes(string hex)
    {
        byte[] bytes = Convert.FromHexString(hex);
        bytes[2] = (byte)(bytes.Length >> 8);
        bytes[3] = (byte)bytes.Length;
        return bytes;
    }

    [GeneratedRegex(@"\*\*\*decode error: (\S+)\*\*\*")]
    private static partial Regex DecodeError();

    private static IEnumerable<TestCaseData> Indexes() =>
        Cases.Select((c, i) => new TestCaseData(i).SetName($"Decode_{c.Name.Replace(' ', '_')}_FailsWithOvsError"));

    [TestCaseSource(nameof(Indexes))]
    public void Decode_BadInput_FailsWithOvsError(int index)
    {
        byte[] bytes = Bytes(Cases[index].Hex);
        var match = DecodeError().Match(OvsTexts[index]);
        Assert.That(match.Success, Is.True, $"ovs-ofctl decoded it: {OvsTexts[index]}");

        var error = Assert.Throws<OpenFlowException>(() => Decode(bytes));

        Assert.That(ErrorNames.Format(error!.Error), Is.EqualTo(match.Groups[1].Value));
    }

    private static void Decode(byte[] bytes)
    {
        if (bytes[1] is 18 or 19)
        {
            try
            {
                MultipartFrame.Decode(bytes, DecodeMode.Loose);
            }
            catch (OpenFlowException ex)
            {
                throw ex.WithOffending(bytes);
            }
        }
        else
        {
            MessageDecoder.Decode(bytes);
        }
    }
}
