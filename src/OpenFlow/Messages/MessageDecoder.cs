using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Messages.Flow;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages;

/// <summary>
/// Decodes one whole OpenFlow 1.3 message. One switch over the type: the supported set fits on one screen.
/// Any failure is an <see cref="OpenFlowException"/> carrying the offending message.
/// </summary>
public static class MessageDecoder
{
    public static OpenFlowMessage Decode(ReadOnlySpan<byte> message, DecodeMode mode = DecodeMode.Strict)
    {
        try
        {
            return DecodeUnchecked(message, mode);
        }
        catch (OpenFlowException ex)
        {
            throw ex.WithOffending(message);
        }
    }

    private static OpenFlowMessage DecodeUnchecked(ReadOnlySpan<byte> message, DecodeMode mode)
    {
        if (message.Length < OfpHeader.Size)
        {
            throw new OpenFlowException(OfpError.BadLen, $"{message.Length} byte(s) is shorter than the 8-byte header");
        }

        var header = OfpHeader.Read(message);
        if (header.Length != message.Length)
        {
            throw new OpenFlowException(OfpError.BadLen, $"length field says {header.Length} but the message has {message.Length} byte(s)");
        }

        if (header.Version != OfpHeader.Version13 && header.Type != OfpType.Hello)
        {
            throw new OpenFlowException(OfpError.BadVersion, $"version 0x{header.Version:x2} is not OpenFlow 1.3");
        }

        var body = new SpanReader(message[OfpHeader.Size..]);
        OpenFlowMessage decoded = header.Type switch
        {
            OfpType.FlowMod => FlowMod.Decode(header, ref body, mode),
            OfpType.GroupMod => Group.GroupMod.Decode(header, ref body, mode),
            OfpType.PortMod => Port.PortMod.Decode(header, ref body, mode),
            OfpType.TableMod => Table.TableMod.Decode(header, ref body, mode),
            OfpType.MeterMod => Meter.MeterMod.Decode(header, ref body, mode),
            OfpType.QueueGetConfigRequest => Queue.QueueGetConfigRequest.Decode(header, ref body, mode),
            OfpType.QueueGetConfigReply => Queue.QueueGetConfigReply.Decode(header, ref body, mode),
            OfpType.GetAsyncRequest => Async.GetAsyncRequest.Decode(header, ref body, mode),
            OfpType.GetAsyncReply => Async.GetAsyncReply.Decode(header, ref body, mode),
            OfpType.SetAsync => Async.SetAsync.Decode(header, ref body, mode),
            _ => throw new OpenFlowException(OfpError.BadType, $"message type {(byte)header.Type} is not supported"),
        };

        if (!body.IsEmpty)
        {
            throw new OpenFlowException(OfpError.BadLen, $"{header.Type} has {body.Remaining} trailing byte(s)");
        }

        return decoded;
    }
}
