using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Match;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Messages.Flow;
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

    private static readonly (string Name, OpenFlowMessage Frame)[] Cases =
    [
        ("desc request", Mp.Request(new DescRequest())),
        ("desc reply", Mp.Reply(new DescReply("Nicira, Inc.", "Open vSwitch", "3.1.0", "None", "br-int"))),
        ("table request", Mp.Request(new TableStatsRequest())),
        ("table reply", Mp.Reply(new TableStatsReply([new TableStats(0, 5, 100, 50), new TableStats(1, 0, 0, 0), new TableStats(7, 3, 10, 4)]))),
        ("table reply empty", Mp.Reply(new TableStatsReply(ValueList<TableStats>.Empty))),
        ("table reply more", Mp.Reply(new TableStatsReply([new TableStats(254, 1, 2, 1)]), flags: 1, xid: 0x1234)),
        ("port request any", Mp.Request(new PortStatsRequest())),
        ("port request 5", Mp.Request(new PortStatsRequest(5))),
        ("port request local", Mp.Request(new PortStatsRequest(OfpPort.Local))),
        ("port reply", Mp.Reply(new PortStatsReply([
            new PortStats(1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 500000000),
            new PortStats(12, 100, 200, 3000, 4000, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0),
            new PortStats(OfpPort.Local, 0, 0, 0, 0, Na, 0, 0, 0, Na, Na, Na, 0, uint.MaxValue, uint.MaxValue),
        ]))),
        ("port reply one", Mp.Reply(new PortStatsReply([new PortStats(3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)]))),
        ("queue request all", Mp.Request(new QueueStatsRequest())),
        ("queue request one", Mp.Request(new QueueStatsRequest(1, 10))),
        ("queue reply", Mp.Reply(new QueueStatsReply([
            new QueueStats(1, 2, 100, 10, 0, 3, 4000000),
            new QueueStats(2, 0, 0, 0, Na, uint.MaxValue, uint.MaxValue),
            new QueueStats(OfpPort.Local, 7, Na, Na, 1, 0, 0),
        ]))),
        ("group request all", Mp.Request(new GroupStatsRequest())),
        ("group request any", Mp.Request(new GroupStatsRequest(GroupIds.Any))),
        ("group request 5", Mp.Request(new GroupStatsRequest(5))),
        ("group reply", Mp.Reply(new GroupStatsReply([
            new GroupStats(1, 2, 10, 1000, 5, 6000000, [new BucketCounter(1, 2), new BucketCounter(3, 4)]),
            new GroupStats(2, 0, 0, 0, uint.MaxValue, uint.MaxValue, ValueList<BucketCounter>.Empty),
            new GroupStats(3, 1, 7, 8, 1, 0, [new BucketCounter(Na, 5), new BucketCounter(6, 7)]),
        ]))),
        ("group desc request", Mp.Request(new GroupDescRequest())),
        ("group desc reply", Mp.Reply(new GroupDescReply([
            new GroupDesc(1, 5, [new Bucket(new ActionList(new OutputAction(1)), 10, 3), new Bucket(new ActionList(new OutputAction(2)), 1)]),
            new GroupDesc(0, 6, [new Bucket(new ActionList(new PopVlanAction(), new OutputAction(OfpPort.InPort)))]),
            new GroupDesc(3, 7, [new Bucket(new ActionList(new OutputAction(4)), 0, OfpPort.Local, 9), new Bucket(ActionList.Empty, 0, 5)]),
            new GroupDesc(2, 8, ValueList<Bucket>.Empty),
            new GroupDesc(9, 9, ValueList<Bucket>.Empty),
        ]))),
        ("group features request", Mp.Request(new GroupFeaturesRequest())),
        ("group features reply", Mp.Reply(new GroupFeaturesReply(0xf, 0xf, [0xffffff00, 0xffffff00, 0xffffff00, 0xffffff00], [0x3fff801, 0x3fff801, 0x3fff801, 0x3fff801]))),
        ("group features partial", Mp.Reply(new GroupFeaturesReply(0x5, 0x3, [0, 16, 0, 0], [0x1, 0, 0x400000, 0]))),
        ("meter request all", Mp.Request(new MeterRequest())),
        ("meter request 7", Mp.Request(new MeterRequest(7))),
        ("meter config request controller", Mp.Request(new MeterRequest(MeterIds.Controller, ForConfig: true))),
        ("meter config request slowpath", Mp.Request(new MeterRequest(MeterIds.Slowpath, ForConfig: true))),
        ("meter reply", Mp.Reply(new MeterStatsReply([
            new MeterStats(1, 2, 100, 2000, 3, 4000, ValueList<MeterBandStats>.Empty),
            new MeterStats(2, 0, 5, 6, 0, 0, [new MeterBandStats(5, 6), new MeterBandStats(7, 8)]),
        ]))),
        ("meter config reply", Mp.Reply(new MeterConfigReply([
            new MeterConfig(MeterFlags.Kbps | MeterFlags.Burst | MeterFlags.Stats, 1, [MeterBand.Drop(1000, 100), MeterBand.DscpRemark(500, 2, 50)]),
            new MeterConfig(MeterFlags.Pktps, 2, [MeterBand.Drop(10)]),
            new MeterConfig((MeterFlags)0x30, 3, ValueList<MeterBand>.Empty),
        ]))),
        ("meter features request", Mp.Request(new MeterFeaturesRequest())),
        ("meter features reply", Mp.Reply(new MeterFeaturesReply(100, 0x6, 0xf, 3, 16))),
        ("meter features odd bits", Mp.Reply(new MeterFeaturesReply(0, 0x1e, 0x13, 0, 0))),
        ("meter features none", Mp.Reply(new MeterFeaturesReply(0, 0, 0, 0, 0))),
        ("flow reply durations and counters", Mp.Reply(new FlowStatsReply
        {
            // Every form OVS's ofp_print_duration takes: whole milliseconds, leading-zero milliseconds, trimmed
            // nanoseconds, one nanosecond, nanosecond fields past one second; counters at their extremes.
            Entries =
            [
                FlowEntry(12, 345_000_000, cookie: 0x4456520000000000, packets: 7, bytes: 686),
                FlowEntry(0, 1_230_000, packets: ulong.MaxValue, bytes: 1),
                FlowEntry(3, 123_456_780),
                FlowEntry(uint.MaxValue, 1),
                FlowEntry(0, uint.MaxValue),
                FlowEntry(0, 4_000_000_000),
                FlowEntry(0, 0, idle: 10, hard: 300, table: 0),
                FlowEntry(5, 0, flags: FlowModFlags.SendFlowRemoved | FlowModFlags.ResetCounts),
                new FlowStatsEntry(),
                new FlowStatsEntry { TableId = 3, Priority = 0 },
            ],
        })),
    ];

    private static FlowStatsEntry FlowEntry(uint seconds, uint nanoseconds, ulong cookie = 0, ulong packets = 0, ulong bytes = 0,
        ushort idle = 0, ushort hard = 0, byte table = 60, FlowModFlags flags = 0) => new()
    {
        TableId = table, Priority = 20, Cookie = cookie, DurationSeconds = seconds, DurationNanoseconds = nanoseconds,
        PacketCount = packets, ByteCount = bytes, IdleTimeout = idle, HardTimeout = hard, Flags = flags,
        Match = new MatchBuilder().InPort(3).Build(),
        Instructions = new InstructionList(new ApplyActionsInstruction(new ActionList(new PopVlanAction(), new OutputAction(3)))),
    };

    private static IReadOnlyList<string>? _ovsTexts;

    private static IReadOnlyList<string> OvsTexts => _ovsTexts ??= OvsOracle.OfpPrint(Cases.Select(c => c.Frame.ToBytes()).ToList());

    private static IEnumerable<TestCaseData> Indexes() => Cases.Select((c, i) => new TestCaseData(i).SetName($"Format_{c.Name.Replace(' ', '_')}_MatchesOvsOfctl"));

    [TestCaseSource(nameof(Indexes))]
    public void Format_MatchesOvsOfctl(int index)
    {
        var frame = Cases[index].Frame;

        string ours = frame.ToText();

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

                var decoded = MessageDecoder.Decode(bytes, DecodeMode.Loose);

                Assert.That(decoded, Is.EqualTo(frame), name);
                Assert.That(decoded.ToBytes(), Is.EqualTo(bytes), name);
            }
        });
    }
}
