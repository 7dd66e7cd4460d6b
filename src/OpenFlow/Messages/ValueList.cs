using System.Collections;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;

namespace Dvr.OpenFlow.Messages;

/// <summary>
/// An immutable list with value equality, so records that hold lists (buckets, bands, stats entries)
/// compare by content: a message decoded from bytes equals the message those bytes were encoded from.
/// </summary>
[CollectionBuilder(typeof(ValueList), nameof(ValueList.Create))]
public sealed class ValueList<T> : IReadOnlyList<T>, IEquatable<ValueList<T>>
{
    public static readonly ValueList<T> Empty = new(ImmutableArray<T>.Empty);

    public ValueList(ImmutableArray<T> items) => Items = items.IsDefault ? ImmutableArray<T>.Empty : items;

    public ValueList(IEnumerable<T> items) => Items = [.. items];

    public ImmutableArray<T> Items { get; }

    public int Count => Items.Length;

    public T this[int index] => Items[index];

    public static implicit operator ValueList<T>(T[] items) => new(ImmutableArray.Create(items));

    public bool Equals(ValueList<T>? other) =>
        other is not null && (ReferenceEquals(this, other) || Items.SequenceEqual(other.Items));

    public override bool Equals(object? obj) => obj is ValueList<T> other && Equals(other);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var item in Items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)Items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Builds <see cref="ValueList{T}"/> from collection expressions (<c>[a, b]</c>).</summary>
public static class ValueList
{
    public static ValueList<T> Create<T>(ReadOnlySpan<T> items) => new(ImmutableArray.Create(items));
}
