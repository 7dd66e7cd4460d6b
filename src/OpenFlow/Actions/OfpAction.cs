using System.Text;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Actions;

/// <summary>
/// Base of every action (OpenFlow 1.3.5 §7.2.5): standard ones and Nicira/ONF experimenter ones.
/// Each action knows its encoded length (a multiple of 8), encodes itself once, and formats itself in
/// ovs-ofctl's syntax. Decoding dispatches in <see cref="ActionCodec"/>.
/// </summary>
public abstract record OfpAction
{
    /// <summary>Bytes on the wire including the 4-byte type/length header and padding.</summary>
    public abstract int EncodedLength { get; }

    public abstract void Encode(ref SpanWriter writer);

    /// <summary>Appends ovs-ofctl text, e.g. <c>set_field:fa:16:3f:00:00:01-&gt;eth_src</c>.</summary>
    public abstract void Format(StringBuilder output, PortNames names);

    public sealed override string ToString()
    {
        var sb = new StringBuilder();
        Format(sb, PortNames.None);
        return sb.ToString();
    }
}
