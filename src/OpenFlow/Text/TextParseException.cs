namespace Dvr.OpenFlow.Text;

/// <summary>
/// A flow, match or action string that does not parse. The message names the offending token, as
/// ovs-ofctl's own errors do (e.g. "unknown keyword foo", "field eth_src: 'x' is not a MAC address").
/// </summary>
public sealed class TextParseException : FormatException
{
    public TextParseException()
    {
    }

    public TextParseException(string message)
        : base(message)
    {
    }

    public TextParseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
