using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Messages.Group;
using Dvr.OpenFlow.Messages.Meter;
using Dvr.OpenFlow.Messages.Multipart;
using Dvr.OpenFlow.Tests.Mods;
using NUnit.Framework;

namespace Dvr.OpenFlow.Tests.Multipart;

/// <summary>
/// Differential tests: every multipart body of this family is encoded by us, printed by ovs-ofctl (one
/// ofp-parse run for the whole set) and by us, and the two texts must be equal; the bytes must also decode
/// back to an equal object that re-encodes to the same bytes.
/// </summary>
[TestFixture]
public class MultipartTextTests
{
    private static readonly ulong Na = ulong.MaxValue;

    private static readonly (string Name, MultipartFrame Frame)[] Cases =
    [
        ("desc request", new(false, 0, new DescRequest())),
        ("desc reply", new(true, 0, new DescReply("Nicira, Inc.", "Open vSwitch", "3.1.0", "None", "br-int"))),
        ("table request", new(false, 3, new TableStatsRequest())),
        ("table reply", new(true, 3, new TableStatsReply([new TableStats(0, 5, 100, 50), new TableStats(1, 0, 0, 0), new TableStats(7, 3, 10, 4)]))),
        ("table reply empty", new(true, 3, new TableStatsReply(ValueList<TableStats>.Empty))),
        ("table reply more", new(true, 3, new TableStatsReply([new TableStats(254, 1, 2, 1)]), Flags: 1, Xid: 0x1234)),
        ("port request any", new(false, 4, new PortStatsRequest())),
        ("port request 5", new(false, 4, new PortStatsRequest(5))),
        ("port request local", new(false, 4, new PortStatsRequest(OfpPort.Local))),
        ("port reply", new(true, 4, new PortStatsReply([
            new PortStats(1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 500000000),
            new PortStats(12, 100, 200, 3000, 4000, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0),
            new PortStats(OfpPort.Local, 0, 0, 0, 0, Na, 0, 0, 0, Na, Na, Na, 0, uint.MaxValue, uint.MaxValue),
        ]))),
        ("port reply one", new(true, 4, new PortStatsReply([new PortStats(3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)]))),
        ("queue request all", new(false, 5, new QueueStatsRequest())),
        ("queue request one", new(false, 5, new QueueStatsRequest(1, 10))),
        ("queue reply", new(true, 5, new QueueStatsReply([
            new QueueStats(1, 2, 100, 10, 0, 3, 4000000),
            new QueueStats(2, 0, 0, 0, Na, uint.MaxValue, uint.MaxValue),
            new QueueStats(OfpPort.Local, 7, Na, Na, 1, 0, 0),
        ]))),
        ("group request all", new(false, 6, new GroupStatsRequest())),
        ("group request any", new(false, 6, new GroupStatsRequest(GroupIds.Any))),
        ("group request 5", new(false, 6, new GroupStatsRequest(5))),
        ("group reply", new(true, 6, new GroupStatsReply([
            new GroupStats(1, 2, 10, 1000, 5, 6000000, [new BucketCounter(1, 2), new BucketCounter(3, 4)]),
            new GroupStats(2, 0, 0, 0, uint.MaxValue, uint.MaxValue, ValueList<BucketCounter>.Empty),
            new GroupStats(3, 1, 7, 8, 1, 0, [new BucketCounter(Na, 5), new BucketCounter(6, 7)]),
        ]))),
        ("group desc request", new(false, 7, new GroupDescRequest())),
        ("group desc reply", new(true, 7, new GroupDescReply([
            new GroupDesc(1, 5, [new Bucket(new ActionList(new OutputAction(1)), 10, 3), new Bucket(new ActionList(new OutputAction(2)), 1)]),
            new GroupDesc(0, 6, [new Bucket(new ActionList(new PopVlanAction(), new OutputAction(OfpPort.InPort)))]),
            new GroupDesc(3, 7, [new Bucket(new ActionList(new OutputAction(4)), 0, OfpPort.Local, 9), new Bucket(ActionList.Empty, 0, 5)]),
            new GroupDesc(2, 8, ValueList<Bucket>.Empty),
            new GroupDesc(9, 9, ValueList<Bucket>.Empty),
        ]))),
        ("group features request", new(false, 8, new GroupFeaturesRequest())),
        ("group features reply", new(true, 8, new GroupFeaturesReply(0xf, 0xf, [0xffffff00, 0xffffff00, 0xffffff00, 0xffffff00], [0x3fff801, 0x3fff801, 0x3fff801, 0x3fff801]))),
        ("group features partial", new(true, 8, new GroupFeaturesReply(0x5, 0x3, [0, 16, 0, 0], [0x1, 0, 0x400000, 0]))),
        ("meter request all", new(false, 9, new MeterRequest())),
        ("meter request 7", new(false, 9, new MeterRequest(7))),
        ("meter config request controller", new(false, 10, new MeterRequest(MeterIds.Controller))),
        ("meter config request slowpath", new(false, 10, new MeterRequest(MeterIds.Slowpath))),
        ("meter reply", new(true, 9, new MeterStatsReply([
            new MeterStats(1, 2, 100, 2000, 3, 4000, ValueList<MeterBandStats>.Empty),
            new MeterStats(2, 0, 5, 6, 0, 0, [new MeterBandStats(5, 6), new MeterBandStats(7, 8)]),
        ]))),
        ("meter config reply", new(true, 10, new MeterConfigReply([
            new MeterConfig(MeterFlags.Kbps | MeterFlags.Burst | MeterFlags.Stats, 1, [MeterBand.Drop(1000, 100), MeterBand.DscpRemark(500, 2, 50)]),
            new MeterConfig(MeterFlags.Pktps, 2, [MeterBand.Drop(10)]),
            new MeterConfig((MeterFlags)0x30, 3, ValueList<MeterBand>.Empty),
        ]))),
        ("meter features request", new(false, 11, new MeterFeaturesRequest())),
        ("meter features reply", new(true, 11, new MeterFeaturesReply(100, 0x6, 0xf, 3, 16))),
        ("meter features odd bits", new(true, 11, new MeterFeaturesReply(0, 0x1e, 0x13, 0, 0))),
        ("meter features none", new(true, 11, new MeterFeaturesReply(0, 0, 0, 0, 0))),
    ];

    private static IReadOnlyList<string>? _ovsTexts;

    private static IReadOnlyList<string> OvsTexts => _ovsTexts ??= OvsOracle.OfpPrint(Cases.Select(c => c.Frame.ToBytes()).ToList());

    private static IEnumerable<TestCaseData> Indexes() => Cases.Select((c, i) => new TestCaseData(i).SetName($"Format_{c.Name.Replace(' ', '_')}_MatchesOvsOfctl"));

    [TestCaseSource(nameof(Indexes))]
    public void Format_MatchesOvsOfctl(int index)
    {
        var frame = Cases[index].Frame;

        string ours = frame.Text();

        Assert.That(ours, Is.EqualTo(OvsTexts[index]));
    }

    [Test]
    public void Decode_EveryCase_RoundTripsToSameBytesAndEqualBody()
    {
        Assert.Multiple(() =>
        {
            foreach (var (name, frame) in Cases)
            {
                byte[] bytes = frame.ToBytes();

                var decoded = MultipartFrame.Decode(bytes, DecodeMode.Loose);

                Assert.That(decoded, Is.EqualTo(frame), name);
                Assert.That(decoded.ToBytes(), Is.EqualTo(bytes), name);
            }
        });
    }
}
