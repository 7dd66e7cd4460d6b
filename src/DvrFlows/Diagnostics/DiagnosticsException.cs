namespace Dvr.DvrFlows.Diagnostics;

/// <summary>
/// A diagnostics command could not do its work: the target is unreachable or refused, the switch speaks
/// another OpenFlow version, a filter does not parse, the topology has no such host. The message is one line
/// that names what failed and where, ready to print after the command name (exit status 2).
/// </summary>
public sealed class DiagnosticsException : Exception
{
    public DiagnosticsException()
    {
    }

    public DiagnosticsException(string message)
        : base(message)
    {
    }

    public DiagnosticsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
