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
        endpoint.Transport == OpenFlowTransport.Tcp ? $"tcp:{socket.RemoteEndPoint}" : $"unix:{endpoint.EndPoint}";
}
