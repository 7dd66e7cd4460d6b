using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Dvr.OpenFlow.Connection;

/// <summary>Builds a channel over a connected socket (TCP or Unix domain) with System.IO.Pipelines.</summary>
public static class SocketTransport
{
    /// <summary>
    /// Read side buffers segments of this size; OVS writes whole messages, and a 4 KiB segment holds a
    /// typical flow-stats reply part without splitting most frames.
    /// </summary>
    private const int MinimumSegmentSize = 4096;

    public static OpenFlowChannel CreateChannel(Socket socket, string peerName, OpenFlowChannelOptions? options, ILogger? logger)
    {
        if (socket.ProtocolType == ProtocolType.Tcp)
        {
            // OpenFlow is request/response with small messages: Nagle's delay would add up to 40 ms per reply.
            socket.NoDelay = true;
        }

        var stream = new NetworkStream(socket, ownsSocket: true);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: MinimumSegmentSize, minimumReadSize: 1024, leaveOpen: true));
        var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: MinimumSegmentSize, leaveOpen: true));
        return new OpenFlowChannel(new DuplexPipe(reader, writer), peerName, options, logger, stream);
    }

    public static string Describe(Socket socket, OpenFlowEndpoint endpoint) =>
        endpoint.Transport == OpenFlowTransport.Tcp ? $"tcp:{socket.RemoteEndPoint}" : $"unix:{endpoint.EndPoint}";

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
