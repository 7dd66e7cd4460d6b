using Dvr.DvrFlows.Topology;
using Dvr.Integration.Tests.Testbed;
using Dvr.OvsTestbed;
using NUnit.Framework;

namespace Dvr.Integration.Tests.EndToEnd;

/// <summary>
/// One cloud for every end-to-end fixture in this namespace (bringing one up costs seconds): samples/demo-3host.yaml on
/// the namespace testbed with the Dvr controller. Fixtures that change the topology put the sample back when done.
/// </summary>
[SetUpFixture]
public sealed class EndToEndCloud
{
    public const string Prefix = "e2e-";

    private static DvrCloud? s_cloud;

    public static DvrCloud Cloud => s_cloud ?? throw new InvalidOperationException("the end-to-end cloud is not up");

    /// <summary>The sample topology the cloud starts from.</summary>
    public static Topology SampleTopology { get; private set; } = null!;

    /// <summary>The sample's YAML text, for tests that write edited copies of the topology file.</summary>
    public static string SampleYaml { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartCloud()
    {
        string path = Path.Combine(TestbedFixtures.RepoRoot, "samples", "demo-3host.yaml");
        SampleYaml = await File.ReadAllTextAsync(path);
        SampleTopology = TopologyLoader.Load(path);
        s_cloud = await DvrCloud.StartAsync(SampleTopology, Prefix);
    }

    [OneTimeTearDown]
    public async Task StopCloud()
    {
        if (s_cloud is not null)
        {
            await s_cloud.DisposeAsync();
            s_cloud = null;
        }
    }
}
