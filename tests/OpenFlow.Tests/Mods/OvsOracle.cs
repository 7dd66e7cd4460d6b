using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Tests.Mods;

/// <summary>
/// Runs the installed Open vSwitch 3.1 ovs-ofctl as the oracle. Many messages go through one
/// <c>ovs-ofctl ofp-parse FILE</c> run: each is preceded by an ECHO_REQUEST with a marker xid, so the
/// output splits back into one text per message. Missing tools fail the test (they are required).
/// </summary>
internal static class OvsOracle
{
    private const uint MarkerXid = 0x0d15ea5e;
    private const string MarkerLine = "OFPT_ECHO_REQUEST (OF1.3) (xid=0xd15ea5e): 0 bytes of payload";

    /// <summary>ovs-ofctl's ofp-print text for each message, each ending with exactly one newline.</summary>
    public static IReadOnlyList<string> OfpPrint(IReadOnlyList<byte[]> messages)
    {
        string file = Path.Combine(Path.GetTempPath(), $"dvr-mp-{Environment.ProcessId}-{Guid.NewGuid():N}.bin");
        try
        {
            using (var stream = File.Create(file))
            {
                Span<byte> echo = stackalloc byte[OfpHeader.Size];
                new OfpHeader(OfpHeader.Version13, OfpType.EchoRequest, OfpHeader.Size, MarkerXid).Write(echo);
                foreach (var message in messages)
                {
                    stream.Write(echo);
                    stream.Write(message);
                }
            }

            string output = Run("ofp-parse", file);
            var texts = new List<string>();
            StringBuilder? current = null;
            foreach (var line in output.Split('\n'))
            {
                if (line == MarkerLine)
                {
                    if (current is not null)
                    {
                        texts.Add(current.ToString());
                    }

                    current = new StringBuilder();
                }
                else if (current is not null && (line.Length > 0 || current.Length > 0))
                {
                    current.Append(line).Append('\n');
                }
            }

            if (current is not null)
            {
                texts.Add(current.ToString());
            }

            if (texts.Count != messages.Count)
            {
                throw new InvalidOperationException($"ovs-ofctl printed {texts.Count} message(s) for {messages.Count}:\n{output}");
            }

            return texts.Select(t => t.TrimEnd('\n') + "\n").ToList();
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The OpenFlow 1.3 GROUP_MOD bytes ovs-ofctl encodes for a group string (parse-group -mmmmm).</summary>
    public static byte[] ParseGroup(string group) => HexDump(Run("-O", "OpenFlow13", "-mmmmm", "parse-group", group));

    /// <summary>Reads the hex dump lines ("00000000  04 0f 00 50 ...-... |...|") that -mmmmm prints.</summary>
    private static byte[] HexDump(string output)
    {
        var bytes = new List<byte>();
        foreach (var line in output.Split('\n'))
        {
            if (line.Length < 10 || !line[..8].All(char.IsAsciiHexDigit) || line[8] != ' ')
            {
                continue;
            }

            int bar = line.IndexOf('|', StringComparison.Ordinal);
            string hex = line[10..(bar < 0 ? line.Length : bar)].Replace('-', ' ');
            foreach (var token in hex.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                bytes.Add(byte.Parse(token, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }
        }

        if (bytes.Count == 0)
        {
            throw new InvalidOperationException($"no hex dump in ovs-ofctl output:\n{output}");
        }

        return [.. bytes];
    }

    private static string Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("ovs-ofctl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start ovs-ofctl");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ovs-ofctl {string.Join(' ', arguments)} exited {process.ExitCode}: {stderr.Result}");
        }

        return stdout;
    }
}
