using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Dvr.OpenFlow.Tests.Actions;

/// <summary>What ovs-ofctl made of one flow: its printed actions and the FLOW_MOD's instruction bytes, or its error.</summary>
internal sealed record OvsFlow(string Match, string Actions, string? Error, string? Text, byte[]? Instructions);

/// <summary>What ovs-ofctl parse-actions/parse-instructions made of one hex list: text, error name, and re-encode diff.</summary>
internal sealed record OvsDecode(string Hex, string? Text, string? Error, bool ReencodeDiffers);

/// <summary>
/// Runs Open vSwitch 3.1's ovs-ofctl as the oracle, batched: one <c>parse-flows</c> process for many flows and one
/// <c>parse-actions</c>/<c>parse-instructions</c> process for many hex lists. A missing tool is a test failure.
/// </summary>
internal static partial class ActionOracle
{
    private static (int ExitCode, string Stdout, string Stderr) Run(string arguments, string? stdin = null)
    {
        var info = new ProcessStartInfo("ovs-ofctl", arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start ovs-ofctl");
        var stderrTask = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }

        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderrTask.Result);
    }

    [GeneratedRegex(@"^ovs-ofctl: .*?:(\d+): (.*)$", RegexOptions.Multiline)]
    private static partial Regex LineError();

    /// <summary>A re-encode difference printed by parse-actions: " 7: 01 -> 00".</summary>
    [GeneratedRegex(@"^\s*\d+: \S+ -> ")]
    private static partial Regex DiffLine();

    /// <summary>
    /// Parses each flow with <c>ovs-ofctl -O OpenFlow13 -mmmmm parse-flows FILE</c>. A flow OVS rejects stops the
    /// whole file, so it is recorded with its error and the rest is run again.
    /// </summary>
    public static List<OvsFlow> ParseFlows(IReadOnlyList<(string Match, string Actions)> flows)
    {
        var results = new OvsFlow?[flows.Count];
        var pending = Enumerable.Range(0, flows.Count).ToList();
        string file = Path.Combine(Path.GetTempPath(), $"dvr-action-oracle-{Environment.ProcessId}-{Guid.NewGuid():N}.txt");
        try
        {
            while (pending.Count > 0)
            {
                File.WriteAllLines(file, pending.Select(i => $"{flows[i].Match} actions={flows[i].Actions}"));
                var (exit, stdout, stderr) = Run($"-O OpenFlow13 -mmmmm parse-flows {file}");
                if (exit == 0)
                {
                    var parsed = ParseFlowOutput(stdout);
                    if (parsed.Count != pending.Count)
                    {
                        throw new InvalidOperationException($"ovs-ofctl printed {parsed.Count} flows for {pending.Count} inputs");
                    }

                    for (int k = 0; k < pending.Count; k++)
                    {
                        var (match, actions) = flows[pending[k]];
                        results[pending[k]] = parsed[k].Text.StartsWith("OFPT_FLOW_MOD", StringComparison.Ordinal)
                            ? new OvsFlow(match, actions, parsed[k].Text, null, null)
                            : new OvsFlow(match, actions, null, parsed[k].Text, parsed[k].Instructions);
                    }

                    break;
                }

                var error = LineError().Match(stderr);
                if (error.Success)
                {
                    // Everything before the bad line parsed: run that prefix on its own (one more process), record
                    // the error, and go on with the rest, so each flow is parsed about once.
                    int line = int.Parse(error.Groups[1].Value, CultureInfo.InvariantCulture) - 1;
                    int index = pending[line];
                    results[index] = new OvsFlow(flows[index].Match, flows[index].Actions, error.Groups[2].Value.Trim(), null, null);
                    if (line > 0)
                    {
                        var prefix = pending.Take(line).ToList();
                        var prefixResults = ParseFlows([.. prefix.Select(i => flows[i])]);
                        for (int k = 0; k < prefix.Count; k++)
                        {
                            results[prefix[k]] = prefixResults[k];
                        }
                    }

                    pending.RemoveRange(0, line + 1);
                    continue;
                }

                if (pending.Count == 1)
                {
                    results[pending[0]] = new OvsFlow(flows[pending[0]].Match, flows[pending[0]].Actions, stderr.Trim(), null, null);
                    break;
                }

                foreach (int index in pending)
                {
                    results[index] = ParseFlows([flows[index]])[0];
                }

                break;
            }
        }
        finally
        {
            File.Delete(file);
        }

        return [.. results.Select(r => r!)];
    }

    private static List<(string Text, byte[] Instructions)> ParseFlowOutput(string stdout)
    {
        var flows = new List<(string Text, byte[] Instructions)>();
        string? text = null;
        var hex = new StringBuilder();

        void Flush()
        {
            if (text is not null)
            {
                flows.Add((text, InstructionsOf(Convert.FromHexString(hex.ToString()))));
            }

            hex.Clear();
        }

        foreach (string line in stdout.Split('\n'))
        {
            if (line.StartsWith("OFPT_FLOW_MOD", StringComparison.Ordinal))
            {
                Flush();
                // "***decode error: OFPBAC_...***" when OVS cannot decode what it just encoded.
                int at = line.IndexOf(" actions=", StringComparison.Ordinal);
                text = at < 0 ? line : line[(at + " actions=".Length)..];
            }
            else if (line.Length > 10 && char.IsAsciiHexDigit(line[0]) && line[8] == ' ')
            {
                // "00000000  04 0e 00 50 00 00 00 01-00 00 ... |ascii|"
                string bytes = line[10..Math.Min(line.Length, 58)];
                hex.Append(bytes.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal));
            }
        }

        Flush();
        return flows;
    }

    /// <summary>The instructions of an OF1.3 FLOW_MOD: after the 48-byte fixed part and the 8-aligned match.</summary>
    private static byte[] InstructionsOf(byte[] flowMod)
    {
        int matchLength = (flowMod[50] << 8) | flowMod[51];
        int start = 48 + ((matchLength + 7) / 8 * 8);
        return flowMod[start..];
    }

    /// <summary>Runs <c>ovs-ofctl parse-actions OpenFlow13</c> (or parse-instructions) on many hex lists in one process.</summary>
    public static List<OvsDecode> Decode(IReadOnlyList<string> hexLists, bool instructions)
    {
        string command = instructions ? "parse-instructions" : "parse-actions";
        var (_, stdout, _) = Run($"{command} OpenFlow13", string.Join('\n', hexLists) + "\n");

        // Each input gives "actions=TEXT" or "bad OpenFlow13 actions: ERROR", optionally followed by diff lines
        // (" 7: 01 -> 00") and a blank line.
        var results = new List<OvsDecode>();
        string? text = null;
        string? error = null;
        bool differs = false;
        int index = 0;

        void Flush()
        {
            if (text is not null || error is not null)
            {
                results.Add(new OvsDecode(hexLists[index++], text, error, differs));
            }

            text = null;
            error = null;
            differs = false;
        }

        foreach (string line in stdout.Split('\n'))
        {
            if (line.StartsWith("actions=", StringComparison.Ordinal))
            {
                Flush();
                text = line["actions=".Length..];
            }
            else if (line.StartsWith("bad OpenFlow13 ", StringComparison.Ordinal))
            {
                Flush();
                error = line[(line.IndexOf(": ", StringComparison.Ordinal) + 2)..].Trim();
            }
            else if (text is not null && DiffLine().IsMatch(line))
            {
                differs = true;
            }
        }

        Flush();
        if (results.Count != hexLists.Count)
        {
            throw new InvalidOperationException($"ovs-ofctl {command} answered {results.Count} of {hexLists.Count} inputs");
        }

        return results;
    }
}
