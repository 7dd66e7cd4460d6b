using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Dvr.OpenFlow.Tests.Match;

/// <summary>One flow as Open vSwitch 3.1 encoded and printed it.</summary>
internal sealed record OracleFlow(string Input, string Printed, byte[] Message);

/// <summary>
/// Runs the installed ovs-ofctl as the oracle: many flows through one
/// <c>ovs-ofctl -O OpenFlow13 -mmmmm parse-flows FILE</c>, which prints each FLOW_MOD (decoded from the bytes it
/// encoded) followed by a hex dump of those bytes. Missing tools fail the test (they are a requirement).
/// </summary>
internal static class MatchOracle
{
    public static IReadOnlyList<OracleFlow> ParseFlows(IReadOnlyList<string> flows)
    {
        string file = Path.Combine(Path.GetTempPath(), $"dvr-match-oracle-{Environment.ProcessId}-{Guid.NewGuid():N}.txt");
        File.WriteAllLines(file, flows);
        try
        {
            var (exitCode, stdout, stderr) = Run("-O", "OpenFlow13", "-mmmmm", "parse-flows", file);
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"ovs-ofctl parse-flows failed ({exitCode}): {stderr.Trim().Split('\n')[^1]}");
            }

            var results = ParseOutput(stdout);
            if (results.Count != flows.Count)
            {
                throw new InvalidOperationException($"ovs-ofctl printed {results.Count} flow(s) for {flows.Count} input(s)");
            }

            return [.. results.Select((r, i) => r with { Input = flows[i] })];
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Runs one flow through parse-flow and returns ovs-ofctl's error text, or null when it was accepted.</summary>
    public static string? ParseFlowError(string flow)
    {
        var (exitCode, _, stderr) = Run("-O", "OpenFlow13", "parse-flow", flow);
        return exitCode == 0 ? null : stderr.Trim();
    }

    /// <summary>
    /// Decodes binary messages back to back with one <c>ovs-ofctl ofp-parse FILE</c>; returns the first printed
    /// line of each (the decoded message, or "***decode error: OFPBMC_...***").
    /// </summary>
    public static IReadOnlyList<string> OfpParse(IReadOnlyList<byte[]> messages)
    {
        string file = Path.Combine(Path.GetTempPath(), $"dvr-match-oracle-{Environment.ProcessId}-{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(file, [.. messages.SelectMany(m => m)]);
        try
        {
            var (exitCode, stdout, stderr) = Run("ofp-parse", file);
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"ovs-ofctl ofp-parse failed ({exitCode}): {stderr.Trim()}");
            }

            var lines = stdout.Split('\n').Where(l => l.StartsWith("OFPT_", StringComparison.Ordinal)).ToList();
            if (lines.Count != messages.Count)
            {
                throw new InvalidOperationException($"ovs-ofctl printed {lines.Count} message(s) for {messages.Count}");
            }

            return lines;
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>ovs-ofctl ofp-print of one message: the first line of the decode (or its decode error).</summary>
    public static string OfpPrint(byte[] message)
    {
        var (_, stdout, _) = Run("ofp-print", Convert.ToHexStringLower(message));
        return stdout.Split('\n')[0];
    }

    private static List<OracleFlow> ParseOutput(string stdout)
    {
        var results = new List<OracleFlow>();
        string? printed = null;
        var bytes = new List<byte>();
        foreach (var line in stdout.Split('\n'))
        {
            if (line.StartsWith("OFPT_FLOW_MOD", StringComparison.Ordinal))
            {
                if (printed is not null)
                {
                    results.Add(new OracleFlow("", printed, [.. bytes]));
                }

                printed = line;
                bytes.Clear();
            }
            else if (printed is not null && line.Length > 10 && char.IsAsciiHexDigit(line[0]) && line[8] == ' ')
            {
                int bar = line.IndexOf('|', StringComparison.Ordinal);
                foreach (var token in line[10..(bar < 0 ? line.Length : bar)].Replace('-', ' ').Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    bytes.Add(byte.Parse(token, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                }
            }
        }

        if (printed is not null)
        {
            results.Add(new OracleFlow("", printed, [.. bytes]));
        }

        return results;
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("ovs-ofctl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start ovs-ofctl (is Open vSwitch installed?)");
        var stderrTask = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderrTask.GetAwaiter().GetResult());
    }
}
