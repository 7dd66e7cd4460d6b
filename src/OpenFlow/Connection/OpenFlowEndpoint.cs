using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Dvr.OpenFlow.Connection;

/// <summary>Transport of an OpenFlow endpoint, named as in OVS's vconn/pvconn strings (lib/vconn.c).</summary>
public enum OpenFlowTransport
{
    Tcp,
    Unix,

    /// <summary>TLS over TCP (OVS <c>ssl:IP:PORT</c>), with certificates on both sides.</summary>
    Ssl,
}

/// <summary>
/// Where to listen or connect, written as OVS writes controller targets: <c>tcp:IP:PORT</c>,
/// <c>ssl:IP:PORT</c> and <c>unix:PATH</c> (<c>ptcp:PORT[:IP]</c>, <c>pssl:PORT[:IP]</c> and
/// <c>punix:PATH</c> are accepted as the switch-side spelling of the same address, for an active connection
/// to a switch that listens). IPv6 addresses go in brackets
/// (<c>tcp:[::1]:6653</c>), as in OVS.
/// </summary>
public sealed record OpenFlowEndpoint(OpenFlowTransport Transport, EndPoint EndPoint, string Text)
{
    /// <summary>IANA's OpenFlow port (OpenFlow 1.3.5 §6.3.1).</summary>
    public const int DefaultPort = 6653;

    public AddressFamily AddressFamily => EndPoint.AddressFamily;

    /// <summary>TCP or TLS over TCP: the socket is an IP stream socket.</summary>
    public bool IsIp => Transport != OpenFlowTransport.Unix;

    public override string ToString() => Text;

    public static OpenFlowEndpoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            throw new FormatException($"endpoint '{text}' has no transport (expected tcp:IP:PORT, ssl:IP:PORT or unix:PATH)");
        }

        string scheme = text[..colon];
        string rest = text[(colon + 1)..];
        switch (scheme)
        {
            case "unix":
            case "punix":
                if (rest.Length == 0)
                {
                    throw new FormatException($"endpoint '{text}' has no socket path");
                }

                return new OpenFlowEndpoint(OpenFlowTransport.Unix, new UnixDomainSocketEndPoint(rest), text);
            case "tcp":
                return new OpenFlowEndpoint(OpenFlowTransport.Tcp, ParseHostPort(text, rest), text);
            case "ssl":
                return new OpenFlowEndpoint(OpenFlowTransport.Ssl, ParseHostPort(text, rest), text);
            case "ptcp":
                return new OpenFlowEndpoint(OpenFlowTransport.Tcp, ParsePortFirst(text, rest), text);
            case "pssl":
                return new OpenFlowEndpoint(OpenFlowTransport.Ssl, ParsePortFirst(text, rest), text);
            default:
                throw new FormatException($"endpoint '{text}': transport '{scheme}' is not supported (use tcp:, ssl: or unix:)");
        }
    }

    /// <summary>OVS's passive form puts the port first: ptcp:PORT[:IP], pssl:PORT[:IP].</summary>
    private static IPEndPoint ParsePortFirst(string text, string rest)
    {
        int sep = rest.IndexOf(':', StringComparison.Ordinal);
        string port = sep < 0 ? rest : rest[..sep];
        string ip = sep < 0 ? "127.0.0.1" : rest[(sep + 1)..].Trim('[', ']');
        return new IPEndPoint(ParseAddress(text, ip), ParsePort(text, port));
    }

    private static IPEndPoint ParseHostPort(string text, string rest)
    {
        string host;
        string port;
        if (rest.StartsWith('['))
        {
            int close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException($"endpoint '{text}': missing ']' after the IPv6 address");
            }

            host = rest[1..close];
            port = rest.Length > close + 1 && rest[close + 1] == ':' ? rest[(close + 2)..] : string.Empty;
        }
        else
        {
            int sep = rest.LastIndexOf(':');
            host = sep < 0 ? rest : rest[..sep];
            port = sep < 0 ? string.Empty : rest[(sep + 1)..];
        }

        int portNumber = port.Length == 0 ? DefaultPort : ParsePort(text, port);
        return new IPEndPoint(ParseAddress(text, host), portNumber);
    }

    private static IPAddress ParseAddress(string text, string host) =>
        IPAddress.TryParse(host, out var address)
            ? address
            : throw new FormatException($"endpoint '{text}': '{host}' is not an IP address");

    private static int ParsePort(string text, string port) =>
        int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value is >= 0 and <= 65535
            ? value
            : throw new FormatException($"endpoint '{text}': '{port}' is not a port number 0..65535");
}
