using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Dvr.OpenFlow.Connection;

/// <summary>Builds a channel over a connected socket (TCP or Unix domain) with System.IO.Pipelines.</summary>
public static class SocketTransport
{
    public static OpenFlowChannel CreateChannel(Socket socket, string peerName, OpenFlowChannelOptions? options, ILogger? logger)
    {
        if (socket.ProtocolType == ProtocolType.Tcp)
        {
            // OpenFlow is request/response with small messages: Nagle's delay would add up to 40 ms per reply.
            socket.NoDelay = true;
        }

        return StreamTransport.CreateChannel(new NetworkStream(socket, ownsSocket: true), peerName, options, logger);
    }

    public static string Describe(Socket socket, OpenFlowEndpoint endpoint) =>
        endpoint.Transport switch
        {
            OpenFlowTransport.Tcp => $"tcp:{socket.RemoteEndPoint}",
            OpenFlowTransport.Ssl => $"ssl:{socket.RemoteEndPoint}",
            _ => $"unix:{endpoint.EndPoint}",
        };

    /// <summary>A stream socket for the endpoint's transport (IP for tcp:/ssl:, Unix domain for unix:).</summary>
    public static Socket CreateSocket(OpenFlowEndpoint endpoint) =>
        endpoint.IsIp
            ? new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
}
