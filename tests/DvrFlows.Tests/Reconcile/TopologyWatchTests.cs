using Dvr.DvrFlows.Apply;
using Dvr.DvrFlows.Controller;
using Dvr.DvrFlows.Topology;
using NUnit.Framework;

namespace Dvr.DvrFlows.Tests.Reconcile;

/// <summary>
/// Topology edits through <see cref="TopologyFileWatcher"/> with the real compiler and fake switches for
/// cn1's br-int and br-tun (samples/demo-3host.yaml): a valid edit sends only the difference, an invalid
/// one is rejected whole and sends nothing.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(30_000)]
public class TopologyWatchTests
{
    private string _dir = null!;
    private string _file = null!;
    private string _yaml = null!;

    [SetUp]
    public void CopySample()
    {
        _dir = Directory.CreateTempSubdirectory("dvrc-topo-").FullName;
        _file = Path.Combine(_dir, "topology.yaml");
        _yaml = File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../../samples/demo-3host.yaml"));
        File.WriteAllText(_file, _yaml);
    }

    [TearDown]
    public void Remove() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task ValidEdit_SendsOnlyTheDifference_InvalidEditIsRejectedWhole()
    {
        var controller = new DvrController(TopologyLoader.Load(_file), CompilerFlowSource.Instance, new BridgeSessionOptions { AuditInterval = TimeSpan.FromHours(1) });
        using var watcher = new TopologyFileWatcher(_file, controller, TimeSpan.FromMilliseconds(50));
        var brInt = new FakeSwitchConnection(0x101);
        var brTun = new FakeSwitchConnection(0x201);
        var runs = new[] { controller.RunSwitchAsync(brInt, CancellationToken.None), controller.RunSwitchAsync(brTun, CancellationToken.None) };
        await WaitInSync(controller, 2);
        var firstTun = brTun.Table.Snapshot();
        int appliesBefore = brInt.Applies + brTun.Applies;

        File.WriteAllText(_file, _yaml.Replace("segmentation_id: 1001", "segmentation_id: 1001, bogus_key: [", StringComparison.Ordinal));
        string? rejection = watcher.Reload();
        await WaitInSync(controller, 2);
        int appliesAfterInvalid = brInt.Applies + brTun.Applies;

        File.WriteAllText(_file, _yaml.Replace("segmentation_id: 1001", "segmentation_id: 1011", StringComparison.Ordinal));
        string? accepted = watcher.Reload();
        await WaitInSync(controller, 2);
        var expectedTun = CompilerFlowSource.Instance.Compute(controller.Topology, controller.Topology.Hosts.Single(h => h.Name == "cn1"), HostPortMap.Empty)["br-tun"];

        Assert.Multiple(() =>
        {
            Assert.That(rejection, Is.Not.Null);
            Assert.That(appliesAfterInvalid, Is.EqualTo(appliesBefore), "an invalid edit sends nothing");
            Assert.That(accepted, Is.Null);
            Assert.That(brTun.Table.Snapshot(), Is.EquivalentTo(expectedTun));
            Assert.That(brTun.Table.Snapshot(), Is.Not.EquivalentTo(firstTun), "the VNI change reached br-tun");
            Assert.That(brTun.AppliedDiffs[^1].Count, Is.LessThan(expectedTun.Count), "only the difference is sent");
        });
        brInt.Close();
        brTun.Close();
        await Task.WhenAll(runs);
    }

    [Test]
    public async Task FileChange_IsPickedUpByTheWatcher()
    {
        var controller = new DvrController(TopologyLoader.Load(_file), CompilerFlowSource.Instance);
        using var watcher = new TopologyFileWatcher(_file, controller, TimeSpan.FromMilliseconds(50));

        File.WriteAllText(_file, _yaml.Replace("segmentation_id: 1001", "segmentation_id: 1011", StringComparison.Ordinal));
        while (watcher.Applied == 0)
        {
            await Task.Delay(20);
        }

        Assert.That(controller.Topology.Networks.Single(n => n.Name == "red").SegmentationId, Is.EqualTo(1011));
    }

    private static async Task WaitInSync(DvrController controller, int sessions)
    {
        while (controller.Sessions.Count < sessions || controller.Sessions.Any(s => s.State != BridgeState.InSync))
        {
            await Task.Delay(10);
        }

        foreach (var session in controller.Sessions)
        {
            await session.WhenIdleAsync();
        }
    }
}
