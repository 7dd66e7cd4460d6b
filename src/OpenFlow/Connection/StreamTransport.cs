using System.IO.Pipelines;
using Microsoft.Extensions.Logging;

namespace Dvr.OpenFlow.Connection;

/// <summary>
/// Builds a channel over any connected duplex stream (a socket's NetworkStream, or an SslStream wrapped
/// around it) with System.IO.Pipelines. The channel owns the stream: closing the channel disposes it.
/// </summary>
public static class StreamTransport
{
    /// <summary>
    /// Read side buffers segments of this size; OVS writes whole messages, and a 4 KiB segment holds a
    /// typical flow-stats reply part without splitting most frames.
    /// </summary>
    private const int MinimumSegmentSize = 4096;

    public static OpenFlowChannel CreateChannel(Stream stream, string peerName, OpenFlowChannelOptions? options, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: MinimumSegmentSize, minimumReadSize: 1024, leaveOpen: true));
        var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: MinimumSegmentSize, leaveOpen: true));
        return new OpenFlowChannel(new DuplexPipe(reader, writer), peerName, options, logger, stream);
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
