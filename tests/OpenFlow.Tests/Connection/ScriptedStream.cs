namespace Dvr.OpenFlow.Tests.Connection;

/// <summary>
/// A duplex stream standing in for a socket whose peer behaves as scripted: reads return the given bytes
/// and then end of stream; writes succeed until <see cref="FailWritesAfter"/> writes, then fail with
/// IOException the way a reset TCP connection does. After Dispose every call throws
/// ObjectDisposedException, like NetworkStream.
/// </summary>
internal sealed class ScriptedStream(byte[] incoming) : Stream
{
    private readonly MemoryStream _incoming = new(incoming);
    private bool _disposed;

    public int FailWritesAfter { get; init; } = int.MaxValue;

    public int Writes { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _incoming.Read(buffer, offset, count);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return ValueTask.FromResult(_incoming.Read(buffer.Span));
    }

    public override void Write(byte[] buffer, int offset, int count) => WriteCore();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        WriteCore();
        return ValueTask.CompletedTask;
    }

    public override void Flush() => ObjectDisposedException.ThrowIf(_disposed, this);

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Task.CompletedTask;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        base.Dispose(disposing);
    }

    private void WriteCore()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (++Writes > FailWritesAfter)
        {
            throw new IOException("Connection reset by peer");
        }
    }
}
