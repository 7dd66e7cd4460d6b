using System.Collections.Immutable;
using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Messages.Port;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Multipart;

/// <summary>
/// One entry of a statistics reply whose body is a run of entries back to back (OpenFlow 1.3.5 §A.3.5.6 port,
/// §A.3.5.8 queue, §A.3.5.9 group stats): each knows its wire length, how to encode, decode and print itself.
/// </summary>
public interface IStatsEntry<TSelf>
    where TSelf : IStatsEntry<TSelf>
{
    /// <summary>Bytes of this entry on the wire.</summary>
    int EncodedLength { get; }

    void Encode(ref SpanWriter writer);

    /// <summary>Appends what ovs-ofctl prints for this entry.</summary>
    void Format(StringBuilder output, PortNames names);

    /// <summary>Decodes one entry from the front of <paramref name="reader"/>.</summary>
    static abstract TSelf Decode(ref SpanReader reader);
}

/// <summary>A statistics reply body that is a run of <typeparamref name="T"/> entries (port, queue, group stats).</summary>
public abstract record StatsReplyBody<T> : MultipartReplyBody
    where T : IStatsEntry<T>
{
    public override int BodyLength => StatsEntries.EncodedLength(Entries);

    /// <summary>The entries, in wire order.</summary>
    protected abstract ValueList<T> Entries { get; }

    /// <summary>The noun of ofp-print's <c> N noun</c> count line, or null when it prints none.</summary>
    protected virtual string? CountNoun => null;

    public override void WriteBody(ref SpanWriter writer) => StatsEntries.Encode(Entries, ref writer);

    public override void Format(StringBuilder output, PortNames names) => StatsEntries.Format(output, Entries, names, CountNoun);
}

/// <summary>The parts port, queue and group stats replies share: the run of entries and its checks.</summary>
internal static class StatsEntries
{
    public static int EncodedLength<T>(ValueList<T> entries)
        where T : IStatsEntry<T>
    {
        int length = 0;
        foreach (var entry in entries)
        {
            length += entry.EncodedLength;
        }

        return length;
    }

    public static void Encode<T>(ValueList<T> entries, ref SpanWriter writer)
        where T : IStatsEntry<T>
    {
        foreach (var entry in entries)
        {
            entry.Encode(ref writer);
        }
    }

    /// <summary>Decodes entries until the body ends; a partial entry at the end is OFPBRC_BAD_LEN.</summary>
    public static ValueList<T> Decode<T>(ref SpanReader body)
        where T : IStatsEntry<T>
    {
        var entries = ImmutableArray.CreateBuilder<T>();
        while (!body.IsEmpty)
        {
            entries.Add(T.Decode(ref body));
        }

        return new ValueList<T>(entries.ToImmutable());
    }

    /// <summary>Prints every entry, after <c> N noun\n</c> when <paramref name="noun"/> is given (ofp-print's count line).</summary>
    public static void Format<T>(StringBuilder output, ValueList<T> entries, PortNames names, string? noun)
        where T : IStatsEntry<T>
    {
        if (noun is not null)
        {
            output.Append(' ').Append(entries.Count).Append(' ').Append(noun).Append('\n');
        }

        foreach (var entry in entries)
        {
            entry.Format(output, names);
        }
    }

    /// <summary>OVS's check before each entry: fewer than <paramref name="length"/> bytes left is OFPBRC_BAD_LEN.</summary>
    public static void RequireEntry(ref SpanReader reader, int length, string what)
    {
        if (reader.Remaining < length)
        {
            throw new OpenFlowException(OfpError.BadLen, $"{what} reply has {reader.Remaining} leftover byte(s) at end");
        }
    }

    /// <summary>A port with no OpenFlow 1.0 equivalent (ofputil_port_from_ofp11) is OFPBAC_BAD_OUT_PORT.</summary>
    public static void RequireValidPort(uint port, string what)
    {
        if (!PortBits.IsValidPort(port))
        {
            throw new OpenFlowException(OfpError.BadOutPort, $"{what} for port {port}");
        }
    }
}
