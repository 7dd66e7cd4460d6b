using Dvr.DvrFlows.Topology;

namespace Dvr.Cli.Commands;

/// <summary>
/// Loading the topology file of an offline command (compile, validate, trace), with one way of reporting
/// failure: every validation error on its own line as <c>file:line:col: path: message</c> followed by one
/// summary line, exit <see cref="ExitInvalid"/>; an unreadable file as one line, exit <see cref="ExitUnreadable"/>.
/// </summary>
internal static class TopologyFile
{
    /// <summary>The topology has errors.</summary>
    public const int ExitInvalid = 1;

    /// <summary>The file could not be read.</summary>
    public const int ExitUnreadable = 2;

    /// <summary>
    /// Loads <paramref name="path"/>, or writes why it cannot to <paramref name="error"/> and returns null with
    /// the exit status in <paramref name="exitCode"/>. <paramref name="invalidSummary"/> words the line after
    /// the errors (given the error count); by default "dvrctl COMMAND: PATH is invalid (N errors)".
    /// </summary>
    public static Topology? TryLoad(string command, string path, TextWriter error, out int exitCode, Func<int, string>? invalidSummary = null)
    {
        try
        {
            exitCode = 0;
            return TopologyLoader.Load(path);
        }
        catch (TopologyValidationException e)
        {
            foreach (var topologyError in e.Errors)
            {
                error.WriteLine(topologyError.ToString());
            }

            int count = e.Errors.Count;
            error.WriteLine(invalidSummary?.Invoke(count) ?? $"dvrctl {command}: {path} is invalid ({Errors(count)})");
            exitCode = ExitInvalid;
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string reason = e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message;
            error.WriteLine($"dvrctl {command}: cannot read topology '{path}': {reason}");
            exitCode = ExitUnreadable;
            return null;
        }
    }

    /// <summary>"1 error", "11 errors".</summary>
    public static string Errors(int count) => count == 1 ? "1 error" : $"{count} errors";
}
