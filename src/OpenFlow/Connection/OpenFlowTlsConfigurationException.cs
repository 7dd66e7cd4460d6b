namespace Dvr.OpenFlow.Connection;

/// <summary>A TLS key, certificate or CA certificate file is missing, unreadable, malformed or mismatched; the message names the file.</summary>
public sealed class OpenFlowTlsConfigurationException : Exception
{
    public OpenFlowTlsConfigurationException()
        : base("invalid TLS configuration")
    {
    }

    public OpenFlowTlsConfigurationException(string message)
        : base(message)
    {
    }

    public OpenFlowTlsConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
