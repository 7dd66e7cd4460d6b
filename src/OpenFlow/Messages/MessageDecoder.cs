using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Messages.Bundle;
using Dvr.OpenFlow.Messages.Flow;
using Dvr.OpenFlow.Messages.Multipart;
using Dvr.OpenFlow.Messages.Packet;
using Dvr.OpenFlow.Messages.Port;
using Dvr.OpenFlow.Messages.Switch;
using Dvr.OpenFlow.Messages.Symmetric;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages;

/// <summary>
/// Decodes one whole OpenFlow 1.3 message. One switch over the type (one case per line): the supported set
/// fits on one screen. Any failure is an <see cref="OpenFlowException"/> carrying the offending message.
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

    /// <summary>Decodes a message nested in another (a bundled message); errors keep their own bytes.</summary>
    internal static OpenFlowMessage DecodeInner(ReadOnlySpan<byte> message, DecodeMode mode) => DecodeUnchecked(message, mode);

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
            OfpType.Hello => Hello.Decode(header, ref body, mode),
            OfpType.Error => ErrorMessage.Decode(header, ref body, mode),
            OfpType.EchoRequest => EchoRequest.Decode(header, ref body, mode),
            OfpType.EchoReply => EchoReply.Decode(header, ref body, mode),
            OfpType.Experimenter => DecodeExperimenter(header, ref body, mode),
            OfpType.FeaturesRequest => FeaturesRequest.Decode(header, ref body, mode),
            OfpType.FeaturesReply => FeaturesReply.Decode(header, ref body, mode),
            OfpType.GetConfigRequest => GetConfigRequest.Decode(header, ref body, mode),
            OfpType.GetConfigReply => GetConfigReply.Decode(header, ref body, mode),
            OfpType.SetConfig => SetConfig.Decode(header, ref body, mode),
            OfpType.PacketIn => PacketIn.Decode(header, ref body, mode),
            OfpType.FlowRemoved => FlowRemoved.Decode(header, ref body, mode),
            OfpType.PortStatus => PortStatus.Decode(header, ref body, mode),
            OfpType.PacketOut => PacketOut.Decode(header, ref body, mode),
            OfpType.FlowMod => FlowMod.Decode(header, ref body, mode),
            OfpType.MultipartRequest => MultipartRequest.Decode(header, ref body, mode),
            OfpType.MultipartReply => MultipartReply.Decode(header, ref body, mode),
            OfpType.BarrierRequest => BarrierRequest.Decode(header, ref body, mode),
            OfpType.BarrierReply => BarrierReply.Decode(header, ref body, mode),
            OfpType.RoleRequest => RoleRequest.Decode(header, ref body, mode),
            OfpType.RoleReply => RoleReply.Decode(header, ref body, mode),
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

    /// <summary>
    /// OFPT_EXPERIMENTER: the ONF bundle messages decode to their records, everything else to a generic
    /// <see cref="ExperimenterMessage"/> (OpenFlow 1.3.5 §A.5.4: experimenter(4) | exp_type(4) | data).
    /// </summary>
    private static OpenFlowMessage DecodeExperimenter(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        uint experimenter = body.ReadUInt32();
        uint experimenterType = body.ReadUInt32();
        return (experimenter, experimenterType) switch
        {
            (OnfBundle.Experimenter, OnfBundle.ControlType) => BundleControl.Decode(header, ref body, mode),
            (OnfBundle.Experimenter, OnfBundle.AddMessageType) => BundleAddMessage.Decode(header, ref body, mode),
            _ => ExperimenterMessage.Decode(header, experimenter, experimenterType, ref body),
        };
    }
}
