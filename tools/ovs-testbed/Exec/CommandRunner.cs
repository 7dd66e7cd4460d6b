using System.Diagnostics;
using System.Text;

namespace Dvr.OvsTestbed.Exec;

/// <summary>What a finished command printed and returned.</summary>
public sealed record CommandResult(string CommandLine, int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Returns this result, or throws <see cref="TestbedCommandException"/> with the command and its stderr.</summary>
    public CommandResult EnsureSuccess() => Succeeded ? this : throw new TestbedCommandException(this);

    public override string ToString() => $"{CommandLine} → exit {ExitCode}";
}

/// <summary>A command the testbed ran failed; the message names the command line, exit code and stderr.</summary>
public sealed class TestbedCommandException : Exception
{
    public TestbedCommandException(CommandResult result)
        : base($"'{result.CommandLine}' failed with exit code {result.ExitCode}: {FirstLines(result.Stderr, result.Stdout)}")
    {
        Result = result;
    }

    public TestbedCommandException(string message)
        : base(message)
    {
    }

    public TestbedCommandException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public TestbedCommandException()
    {
    }

    public CommandResult? Result { get; }

    private static string FirstLines(string stderr, string stdout)
    {
        string text = string.IsNullOrWhiteSpace(stderr) ? stdout : stderr;
        text = text.Trim();
        return text.Length > 2000 ? text[..2000] + "…" : text;
    }
}

/// <summary>
/// Runs external commands (ip, ovs-vsctl, ...) without a shell: arguments are passed as a list, so names never need
/// quoting. Output is captured; optional text is written to stdin.
/// </summary>
public static class CommandRunner
{
    public static async Task<CommandResult> RunAsync(
        string program,
        IEnumerable<string> arguments,
        string? stdin = null,
        IReadOnlyDictionary<string, string>? environment = null,
        CancellationToken cancellationToken = default)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                psi.Environment[key] = value;
            }
        }

        string commandLine = FormatCommandLine(program, psi.ArgumentList);
        long started = Stopwatch.GetTimestamp();
        using var process = new Process { StartInfo = psi };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new TestbedCommandException($"cannot start '{commandLine}': {e.Message} (is {program} installed?)", e);
        }

        var stdoutTask = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderrTask = process.StandardError.ReadToEndAsync(cancellationToken);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin.AsMemory(), cancellationToken).ConfigureAwait(false);
            process.StandardInput.Close();
        }

        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var result = new CommandResult(commandLine, process.ExitCode, await stdoutTask.ConfigureAwait(false), await stderrTask.ConfigureAwait(false));
        if (TraceFile is { } trace)
        {
            // DVR_TESTBED_TRACE=FILE: one line per command with its wall time, to see where a bring-up or apply spends it.
            string line = $"{DateTime.UtcNow:HH:mm:ss.fff} {Stopwatch.GetElapsedTime(started).TotalMilliseconds,7:0.0} ms exit {result.ExitCode} {commandLine}\n";
            lock (TraceLock)
            {
                File.AppendAllText(trace, line.Length > 400 ? line[..400] + "…\n" : line);
            }
        }

        return result;
    }

    private static readonly string? TraceFile = System.Environment.GetEnvironmentVariable("DVR_TESTBED_TRACE");

    private static readonly Lock TraceLock = new();

    /// <summary>Runs the command and throws <see cref="TestbedCommandException"/> unless it exits 0.</summary>
    public static async Task<CommandResult> RunCheckedAsync(
        string program,
        IEnumerable<string> arguments,
        string? stdin = null,
        IReadOnlyDictionary<string, string>? environment = null,
        CancellationToken cancellationToken = default) =>
        (await RunAsync(program, arguments, stdin, environment, cancellationToken).ConfigureAwait(false)).EnsureSuccess();

    /// <summary>Runs an <c>ip -batch</c> (one ip command per line), in namespace <paramref name="ns"/> or the root one.</summary>
    public static Task<CommandResult> IpBatchAsync(string? ns, IEnumerable<string> lines, CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder();
        foreach (string line in lines)
        {
            text.Append(line).Append('\n');
        }

        string[] args = ns is null ? ["-batch", "-"] : ["-n", ns, "-batch", "-"];
        return RunCheckedAsync("ip", args, text.ToString(), cancellationToken: cancellationToken);
    }

    private static string FormatCommandLine(string program, IEnumerable<string> arguments)
    {
        var sb = new StringBuilder(program);
        foreach (string argument in arguments)
        {
            sb.Append(' ');
            bool plain = argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,@+%".Contains(c, StringComparison.Ordinal));
            sb.Append(plain ? argument : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'");
        }

        return sb.ToString();
    }
}
