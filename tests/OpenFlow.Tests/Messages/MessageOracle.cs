using System.Diagnostics;
using System.Text;

namespace Dvr.OpenFlow.Tests.Messages;

/// <summary>
/// Runs Open vSwitch's ovs-ofctl as the oracle for message text. Many messages go through one
/// <c>ovs-ofctl ofp-parse FILE</c> process, separated by marker BARRIER_REQUESTs whose xids (0xfeedXXXX)
/// no test message uses. A missing ovs-ofctl makes the calling test fail, never skip.
/// </summary>
internal static class MessageOracle
{
    private const uint MarkerBase = 0xfeed0000;

    /// <summary>ovs-ofctl ofp-print output for each message (each well-framed), in order.</summary>
    public static IReadOnlyList<string> PrintAll(IReadOnlyList<byte[]> messages)
    {
        string file = Path.Combine(Path.GetTempPath(), $"dvr-msg-oracle-{Guid.NewGuid():N}.bin");
        try
        {
            using (var stream = File.Create(file))
            {
                for (int i = 0; i <= messages.Count; i++)
                {
                    stream.Write(Marker((uint)i));
                    if (i < messages.Count)
                    {
                        stream.Write(messages[i]);
                    }
                }
            }

            string output = Run("ofp-parse", file);
            var results = new List<string>(messages.Count);
            for (int i = 0; i < messages.Count; i++)
            {
                string start = MarkerLine((uint)i);
                string end = MarkerLine((uint)i + 1);
                int from = output.IndexOf(start, StringComparison.Ordinal);
                int to = output.IndexOf(end, StringComparison.Ordinal);
                if (from < 0 || to < 0)
                {
                    throw new InvalidOperationException($"ovs-ofctl output lost the marker around message {i}:\n{output}");
                }

                results.Add(output[(from + start.Length)..to]);
            }

            return results;
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>ovs-ofctl ofp-print HEX for one (possibly malformed) message.</summary>
    public static string Print(ReadOnlySpan<byte> message) => Run("ofp-print", Convert.ToHexStringLower(message));

    /// <summary>Runs ovs-ofctl with the arguments and returns stdout (stderr warnings are ignored).</summary>
    public static string Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("ovs-ofctl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start ovs-ofctl");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        _ = stderr.Result;
        return stdout;
    }

    /// <summary>The bytes of the hex dump that ovs-ofctl -mmmmm / compose-packet print ("00000000  04 0e ...").</summary>
    public static byte[] ParseHexDump(string output)
    {
        var hex = new StringBuilder();
        foreach (string line in output.Split('\n'))
        {
            if (line.Length > 10 && line[8] == ' ' && line[9] == ' ' && IsHex(line.AsSpan(0, 8)))
            {
                string bytes = line.Length > 58 ? line[10..58] : line[10..];
                int bar = bytes.IndexOf('|', StringComparison.Ordinal);
                if (bar >= 0)
                {
                    bytes = bytes[..bar];
                }

                hex.Append(bytes.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal));
            }
        }

        return Convert.FromHexString(hex.ToString());
    }

    private static bool IsHex(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static byte[] Marker(uint index)
    {
        uint xid = MarkerBase + index;
        return [0x04, 0x14, 0x00, 0x08, (byte)(xid >> 24), (byte)(xid >> 16), (byte)(xid >> 8), (byte)xid];
    }

    private static string MarkerLine(uint index) => $"OFPT_BARRIER_REQUEST (OF1.3) (xid=0x{MarkerBase + index:x}):\n";
}
