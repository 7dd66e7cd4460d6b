namespace Dvr.OpenFlow.Messages;

/// <summary>
/// An immutable byte string with value equality, for opaque message parts (echo payloads, packet data,
/// error data). Records compare arrays by reference, so messages hold this instead of byte[].
/// </summary>
public sealed class ByteData : IEquatable<ByteData>
{
    public static readonly ByteData Empty = new([]);

    private readonly byte[] _bytes;

    private ByteData(byte[] bytes) => _bytes = bytes;

    public static ByteData Copy(ReadOnlySpan<byte> bytes) => bytes.IsEmpty ? Empty : new ByteData(bytes.ToArray());

    public static ByteData FromHex(string hex) => Copy(Convert.FromHexString(hex));

    public int Length => _bytes.Length;

    public ReadOnlySpan<byte> Span => _bytes;

    public ReadOnlyMemory<byte> Memory => _bytes;

    public bool Equals(ByteData? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => obj is ByteData other && Equals(other);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }

    public override string ToString() => Convert.ToHexStringLower(_bytes);
}
