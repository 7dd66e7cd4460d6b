namespace Dvr.DvrFlows.Tests.Golden;

/// <summary>Finds files of the repository from the test's output directory (walks up to Dvr.sln).</summary>
internal static class RepoPaths
{
    public static string Root
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Dvr.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new DirectoryNotFoundException($"no Dvr.sln above {AppContext.BaseDirectory}");
        }
    }

    public static string Sample(string name) => Path.Combine(Root, "samples", name);

    public static IEnumerable<string> Samples => Directory.GetFiles(Path.Combine(Root, "samples"), "*.yaml").Order(StringComparer.Ordinal);
}
