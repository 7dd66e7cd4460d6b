using System.Collections.Immutable;
using System.Text;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Messages.Port;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Multipart;

/// <summary>OFPMP_PORT_DESC request: no body in OpenFlow 1.3 (OpenFlow 1.3.5 §A.3.5.13).</summary>
public sealed record PortDescRequest : MultipartRequestBody
{
    public override MultipartType MultipartType => MultipartType.PortDesc;

    public override int BodyLength => 0;

    public override void WriteBody(ref SpanWriter writer)
    {
    }

    public static PortDescRequest Decode(ref SpanReader body, DecodeMode mode)
    {
        _ = body;
        _ = mode;
        return new PortDescRequest();
    }

    /// <summary>OVS prints the port the request is for; OpenFlow 1.3 always asks for all (" port=ANY").</summary>
    public override void Format(StringBuilder output, PortNames names)
    {
        output.Append(" port=");
        PortFormat.Append(output, OfpPort.Any, names);
    }
}

/// <summary>OFPMP_PORT_DESC reply: a run of struct ofp_port (OpenFlow 1.3.5 §A.3.5.13).</summary>
public sealed record PortDescReply : MultipartReplyBody
{
    public override MultipartType MultipartType => MultipartType.PortDesc;

    public ImmutableArray<PortDescription> Ports { get; init; } = [];

    public override int BodyLength => Ports.Length * PortDescription.Size;

    public override void WriteBody(ref SpanWriter writer)
    {
        foreach (var port in Ports)
        {
            port.Encode(ref writer);
        }
    }

    public static PortDescReply Decode(ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        var ports = ImmutableArray.CreateBuilder<PortDescription>(body.Remaining / PortDescription.Size);
        while (!body.IsEmpty)
        {
            ports.Add(PortDescription.Decode(ref body));
        }

        return new PortDescReply { Ports = ports.ToImmutable() };
    }

    /// <summary>
    /// OVS ofp_print_ofpst_port_desc_reply: a newline, then the ports sorted by their 16-bit port number
    /// (OVS maps OpenFlow 1.3's reserved ports 0xffffff00.. onto 0xff00.., so LOCAL sorts last).
    /// </summary>
    public override void Format(StringBuilder output, PortNames names)
    {
        output.Append('\n');
        foreach (var port in Ports.OrderBy(p => SortKey(p.PortNumber)))
        {
            port.Format(output, names);
        }
    }

    private static uint SortKey(uint port) => port >= OfpPort.Max ? port - 0xffff0000u : port;

    public bool Equals(PortDescReply? other) =>
        other is not null && Ports.AsSpan().SequenceEqual(other.Ports.AsSpan());

    public override int GetHashCode() => Ports.Length;
}
