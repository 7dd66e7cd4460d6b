using System.Buffers.Binary;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Messages.Symmetric;
using NUnit.Framework;

namespace Dvr.OpenFlow.Tests.Messages;

[TestFixture]
public class ErrorNamesTests
{
    [Test]
    public void Format_EveryNamedError_EqualsOvsName()
    {
        // Arrange: one ERROR per named error, printed by ovs-ofctl in one batch.
        var errors = ErrorNames.All.ToList();
        var messages = errors.Select((pair, i) => new ErrorMessage { Xid = (uint)i + 1, Error = pair.Key }.ToBytes()).ToList();

        // Act
        var printed = MessageOracle.PrintAll(messages);

        // Assert
        Assert.Multiple(() =>
        {
            for (int i = 0; i < errors.Count; i++)
            {
                string firstLine = printed[i].Split('\n')[0];
                Assert.That(firstLine, Does.EndWith(" " + errors[i].Value), errors[i].Key.ToString());
            }
        });
    }

    [Test]
    public void All_CoversEveryStandardErrorOvsKnows()
    {
        // Arrange: every (type, code) with type 0..13 and code 0..31; OVS names some, reports the rest as decode errors.
        var candidates = new List<OfpError>();
        for (int type = 0; type <= 13; type++)
        {
            for (ushort code = 0; code < 32; code++)
            {
                candidates.Add(new OfpError((OfpErrorType)type, code));
            }
        }

        var printed = MessageOracle.PrintAll([.. candidates.Select(e => new ErrorMessage { Xid = 1, Error = e }.ToBytes())]);

        // Act / Assert
        Assert.Multiple(() =>
        {
            for (int i = 0; i < candidates.Count; i++)
            {
                bool ovsKnows = !printed[i].Contains("decode error", StringComparison.Ordinal);
                Assert.That(ErrorNames.TryGetName(candidates[i]) is not null, Is.EqualTo(ovsKnows), candidates[i].ToString());
            }
        });
    }

    [Test]
    public void TryParse_OvsName_ReturnsTypeAndCode()
    {
        bool found = ErrorNames.TryParse("OFPBFC_MSG_BAD_XID", out var error);

        Assert.Multiple(() =>
        {
            Assert.That(found, Is.True);
            Assert.That(error, Is.EqualTo(OfpError.BundleMessageBadXid));
        });
    }

    [Test]
    public void Encode_ExperimenterError_WritesExpTypeThenExperimenter()
    {
        var bytes = new ErrorMessage { Xid = 0x12345678, Error = new OfpError(OfpErrorType.Experimenter, 2600, OfpError.OnfExperimenter) }.ToBytes();

        Assert.Multiple(() =>
        {
            Assert.That(BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(8)), Is.EqualTo(0xffff));
            Assert.That(BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(10)), Is.EqualTo(2600));
            Assert.That(BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(12)), Is.EqualTo(OfpError.OnfExperimenter));
        });
    }
}
