using System.Text;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Text;
using NUnit.Framework;

namespace Dvr.OpenFlow.Tests.Messages;

/// <summary>
/// Our ofp-print text must equal <c>ovs-ofctl ofp-print</c>'s for every message family we implement,
/// for well-formed messages (batched through one ofp-parse process) and for malformed ones.
/// </summary>
[TestFixture]
public class OfpPrintDifferentialTests
{
    [Test]
    public void Format_EveryCorpusMessage_EqualsOvsOfctl()
    {
        // Arrange
        var messages = MessageCorpus.AllBytes();

        // Act
        var expected = MessageOracle.PrintAll(messages);

        // Assert
        var mismatches = new StringBuilder();
        for (int i = 0; i < messages.Length; i++)
        {
            string actual = OfpPrint.Format(messages[i]);
            if (actual != expected[i])
            {
                mismatches.Append("--- ").Append(Convert.ToHexStringLower(messages[i])).Append("\nexpected:\n").Append(expected[i]).Append("actual:\n").Append(actual);
            }
        }

        Assert.That(mismatches.ToString(), Is.Empty);
    }

    [Test]
    public void Append_EveryCorpusMessageIntoOneBuilder_EqualsOvsOfctlConcatenated()
    {
        // Arrange: every corpus message, printed back to back as ofp-parse prints a file.
        var messages = MessageCorpus.AllBytes().ToArray();
        string expected = string.Concat(MessageOracle.PrintAll(messages));

        // Act
        var output = new StringBuilder("previous text ");
        foreach (var message in messages)
        {
            OfpPrint.Append(output, message, PortNames.None);
        }

        // Assert
        Assert.That(output.ToString(), Is.EqualTo("previous text " + expected));
    }

    private static readonly string[] MalformedHex =
    [
        "",
        "040000",
        "04000008000000",
        "0400000900000001",
        "04000010000000010001",
        "0405000900000001ff",
        "040600100000000100000000",
        "0401000c0000000100010063",
        "0401000c00000001ffff0001",
        "0418001800000001000000070000000000000000000000000",
        "04180018000000010000000700000000ffffffffffffffff",
        "0413001000000001000d000000000000aa",
        "0413001000000001009900000000000",
        "04130010000000010099000000000000",
        "0404001000000006aabbccdd00000001",
        "04040010000000064f4e460000000999",
        "04040020000000064f4e4600000008fd00000000000000030414000800000006",
        "04040018000000074f4e4600000008fc0000000000090003",
        "04040018000000074f4e4600000008fc00000005000500ff",
        "04ff000800000001",
        "0500000800000001",
        "010000080000000100",
        "0402000800000001",
        "0409000c0000000100000080",
        "040c004800000001030000000000000000000001000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
        "040c004800000001030000000000000000000001000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    ];

    [Test]
    public void Format_MalformedMessages_EqualsOvsOfctl()
    {
        // Arrange
        var inputs = MalformedHex.Where(h => h.Length % 2 == 0).Select(Convert.FromHexString).ToArray();

        // Act / Assert
        Assert.Multiple(() =>
        {
            foreach (var input in inputs)
            {
                Assert.That(OfpPrint.Format(input), Is.EqualTo(MessageOracle.Print(input)), Convert.ToHexStringLower(input));
            }
        });
    }
}
