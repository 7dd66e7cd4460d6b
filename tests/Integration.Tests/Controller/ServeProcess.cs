using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Dvr.Integration.Tests.Controller;

/// <summary>
/// The built <c>dvrctl</c> run as a child process (optionally inside a network namespace through
/// <c>ip netns exec</c>, which execs in place so the PID stays ours), its console lines collected for
/// assertions, and stopped with SIGTERM by PID (SIGKILL only if it does not exit).
/// </summary>
public sealed class ServeProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private ServeProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Collect(e.Data);
        _process.ErrorDataReceived += (_, e) => Collect(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public IReadOnlyCollection<string> Lines => _lines;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The dvrctl.dll built next to this test assembly's configuration (src/Dvrctl/bin/CONFIG/net10.0).</summary>
    public static string DvrctlPath
    {
        get
        {
            var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string framework = testBin.Name;
            string configuration = testBin.Parent!.Name;
            var root = testBin;
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "Dvr.sln")))
            {
                root = root.Parent;
            }

            string path = Path.Combine(root?.FullName ?? throw new InvalidOperationException("Dvr.sln not found above the test directory"), "src", "Dvrctl", "bin", configuration, framework, "dvrctl.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"dvrctl is not built: {path}");
        }
    }

    /// <summary>Starts <c>dotnet dvrctl.dll ARGS</c>, inside <paramref name="netns"/> when given.</summary>
    public static ServeProcess Start(string? netns, params string[] args)
    {
        var start = new ProcessStartInfo(netns is null ? "dotnet" : "ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (netns is not null)
        {
            foreach (var arg in new[] { "netns", "exec", netns, "dotnet" })
            {
                start.ArgumentList.Add(arg);
            }
        }

        start.ArgumentList.Add(DvrctlPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Plain one-line console output, no colours, whatever the terminal.
        start.Environment["DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION"] = "0";
        start.Environment["NO_COLOR"] = "1";
        return new ServeProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start dvrctl"));
    }

    /// <summary>Runs dvrctl to completion (for one-shot commands); returns exit code and all output.</summary>
    public static (int ExitCode, string Output) Run(params string[] args)
    {
        using var serve = Start(null, args);
        if (!serve._process.WaitForExit(60_000))
        {
            serve.Dispose();
            throw new InvalidOperationException($"dvrctl {string.Join(' ', args)} did not finish in 60 s");
        }

        serve._process.WaitForExit();
        return (serve.ExitCode, string.Join('\n', serve.Lines));
    }

    /// <summary>A loopback TCP port that was free a moment ago.</summary>
    public static int FreeLoopbackPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    public bool Contains(string text) => _lines.Any(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>Sends SIGTERM (graceful shutdown) and waits; returns the exit code.</summary>
    public int Stop(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            OvsTestbed.Run("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)], acceptExitCodes: [0, 1]);
            if (!_process.WaitForExit(timeout))
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Stop(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
    }

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        if (Environment.GetEnvironmentVariable("DVR_TEST_LOG") == "1")
        {
            Console.Error.WriteLine($"dvrctl: {line}");
        }
    }
}
