using System.Globalization;
using Dvr.OvsTestbed.Exec;

namespace Dvr.OvsTestbed;

/// <summary>What <see cref="Testbed.DownAsync(TestbedOptions, CancellationToken)"/> removed.</summary>
public sealed record TeardownReport(
    IReadOnlyList<int> SignalledProcesses,
    IReadOnlyList<int> KilledProcesses,
    IReadOnlyList<string> DeletedNamespaces,
    IReadOnlyList<string> DeletedRootLinks,
    bool RemovedRunDirectory)
{
    public bool NothingFound =>
        SignalledProcesses.Count == 0 && DeletedNamespaces.Count == 0 && DeletedRootLinks.Count == 0 && !RemovedRunDirectory;

    public override string ToString() =>
        $"stopped {SignalledProcesses.Count} daemons ({KilledProcesses.Count} needed SIGKILL), deleted {DeletedNamespaces.Count} namespaces " +
        $"and {DeletedRootLinks.Count} root links, run directory {(RemovedRunDirectory ? "removed" : "absent")}";
}

/// <summary>
/// Removes one prefix's testbed, also after a crash: it ends only the daemons whose command line names this testbed's
/// run directory, deletes only namespaces and root links with this prefix, then the run directory.
/// </summary>
internal static class Teardown
{
    public static async Task<TeardownReport> RunAsync(TestbedOptions options, CancellationToken ct)
    {
        options.Validate();
        string baseDir = options.ResolvedBaseDirectory;
        var pids = FindOwnDaemons(baseDir);
        var killed = await StopAsync(pids, options.StopTimeout, ct).ConfigureAwait(false);

        var namespaces = (await ListNamespacesAsync(ct).ConfigureAwait(false)).Where(n => TestbedNames.IsOwnNamespace(options.Prefix, n)).ToList();
        if (namespaces.Count > 0)
        {
            await CommandRunner.RunAsync("ip", ["-force", "-batch", "-"], string.Concat(namespaces.Select(n => $"netns del {n}\n")), cancellationToken: ct)
                .ConfigureAwait(false);
        }

        var links = (await ListRootLinksAsync(ct).ConfigureAwait(false)).Where(l => TestbedNames.IsOwnRootLink(options.Prefix, l)).ToList();
        if (links.Count > 0)
        {
            await CommandRunner.RunAsync("ip", ["-force", "-batch", "-"], string.Concat(links.Select(l => $"link del {l}\n")), cancellationToken: ct)
                .ConfigureAwait(false);
        }

        bool removedDir = Directory.Exists(baseDir);
        if (removedDir)
        {
            Directory.Delete(baseDir, recursive: true);
        }

        var leftNamespaces = (await ListNamespacesAsync(ct).ConfigureAwait(false)).Where(n => TestbedNames.IsOwnNamespace(options.Prefix, n)).ToList();
        var leftLinks = (await ListRootLinksAsync(ct).ConfigureAwait(false)).Where(l => TestbedNames.IsOwnRootLink(options.Prefix, l)).ToList();
        var leftPids = pids.Where(IsAlive).ToList();
        if (leftNamespaces.Count > 0 || leftLinks.Count > 0 || leftPids.Count > 0)
        {
            throw new TestbedCommandException(
                $"testbed '{options.Prefix}' teardown left namespaces [{string.Join(", ", leftNamespaces)}], " +
                $"root links [{string.Join(", ", leftLinks)}], processes [{string.Join(", ", leftPids)}]");
        }

        return new TeardownReport(pids, killed, namespaces, links, removedDir);
    }

    /// <summary>
    /// PIDs from the pidfiles under <paramref name="baseDir"/>, plus (after a crash that lost the pidfiles) any process
    /// whose command line carries --pidfile= inside it. Each must name the run directory in /proc/PID/cmdline before it is
    /// signalled, so a recycled PID is never hit.
    /// </summary>
    public static List<int> FindOwnDaemons(string baseDir)
    {
        var candidates = new SortedSet<int>();
        if (Directory.Exists(baseDir))
        {
            foreach (string pidFile in Directory.EnumerateFiles(baseDir, "*.pid", SearchOption.AllDirectories))
            {
                if (int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                {
                    candidates.Add(pid);
                }
            }
        }

        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                && ReadCommandLine(pid)?.Contains($"--pidfile={baseDir}/", StringComparison.Ordinal) == true)
            {
                candidates.Add(pid);
            }
        }

        return candidates.Where(pid => IsOwn(pid, baseDir)).ToList();
    }

    private static bool IsOwn(int pid, string baseDir) =>
        IsAlive(pid) && ReadCommandLine(pid)?.Contains($"{baseDir}/", StringComparison.Ordinal) == true;

    /// <summary>SIGTERM all at once (an OVS daemon takes 1-2 s to exit), SIGKILL whatever is left after the timeout.</summary>
    private static async Task<List<int>> StopAsync(List<int> pids, TimeSpan timeout, CancellationToken ct)
    {
        if (pids.Count == 0)
        {
            return [];
        }

        await CommandRunner.RunAsync("kill", ["-TERM", .. pids.Select(p => p.ToString(CultureInfo.InvariantCulture))], cancellationToken: ct)
            .ConfigureAwait(false);
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && pids.Any(IsAlive))
        {
            await Task.Delay(50, ct).ConfigureAwait(false);
        }

        var survivors = pids.Where(IsAlive).ToList();
        if (survivors.Count > 0)
        {
            await CommandRunner.RunAsync("kill", ["-KILL", .. survivors.Select(p => p.ToString(CultureInfo.InvariantCulture))], cancellationToken: ct)
                .ConfigureAwait(false);
            var killDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
            while (DateTime.UtcNow < killDeadline && survivors.Any(IsAlive))
            {
                await Task.Delay(50, ct).ConfigureAwait(false);
            }
        }

        return survivors;
    }

    /// <summary>Running, not a zombie: a detached daemon's parent may be a PID 1 that never reaps.</summary>
    internal static bool IsAlive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            int close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    internal static string? ReadCommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static async Task<List<string>> ListNamespacesAsync(CancellationToken ct)
    {
        var result = await CommandRunner.RunCheckedAsync("ip", ["netns", "list"], cancellationToken: ct).ConfigureAwait(false);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ', 2)[0])
            .ToList();
    }

    public static async Task<List<string>> ListRootLinksAsync(CancellationToken ct)
    {
        var result = await CommandRunner.RunCheckedAsync("ip", ["-o", "link", "show"], cancellationToken: ct).ConfigureAwait(false);
        var names = new List<string>();
        foreach (string line in result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "12: dvr-c1@if11: <BROADCAST,...": the name is the second field, without ":" and "@peer".
            string[] fields = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 2)
            {
                names.Add(fields[1].TrimEnd(':').Split('@')[0]);
            }
        }

        return names;
    }
}
