using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Messages.Bundle;
using Dvr.OpenFlow.Messages.Multipart;
using Dvr.OpenFlow.Messages.Symmetric;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Text;

/// <summary>
/// Message → text, exactly as <c>ovs-ofctl ofp-print HEX</c> prints it (Open vSwitch 3.1, lib/ofp-print.c
/// ofp_to_string at verbosity 2), including its forms for bad input: empty, too short, truncated, trailing
/// bytes, and "***decode error: NAME***" followed by a hex dump.
/// </summary>
public static class OfpPrint
{
    /// <summary>ovs-ofctl ofp-print's default verbosity.</summary>
    public const int DefaultVerbosity = 2;

    public static string Format(ReadOnlySpan<byte> message) => Format(message, PortNames.None, DefaultVerbosity);

    public static string Format(OpenFlowMessage message, PortNames names, int verbosity = DefaultVerbosity) =>
        Format(message.ToBytes(), names, verbosity);

    public static string Format(ReadOnlySpan<byte> message, PortNames names, int verbosity = DefaultVerbosity)
    {
        // One builder per thread, taken while in use (a bundle prints its inner message re-entrantly and gets a new one).
        var output = CachedBuilder ?? new StringBuilder(256);
        CachedBuilder = null;
        try
        {
            AppendInto(output.Clear(), message, names, verbosity);
            return output.ToString();
        }
        finally
        {
            if (output.Capacity <= MaxCachedCapacity)
            {
                CachedBuilder = output;
            }
        }
    }

    [ThreadStatic]
    private static StringBuilder? CachedBuilder;

    /// <summary>Builders that grew past this (a big multipart reply) are left to the GC rather than kept.</summary>
    private const int MaxCachedCapacity = 16 * 1024;

    /// <summary>
    /// Appends the text <see cref="Format(ReadOnlySpan{byte}, PortNames, int)"/> returns to <paramref name="output"/>,
    /// without a string per message (for printing many messages into one builder or writer).
    /// </summary>
    public static void Append(StringBuilder output, ReadOnlySpan<byte> message, PortNames names, int verbosity = DefaultVerbosity)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(names);
        AppendInto(output, message, names, verbosity);
    }

    private static void AppendInto(StringBuilder output, ReadOnlySpan<byte> message, PortNames names, int verbosity)
    {
        if (message.Length == 0)
        {
            output.Append("OpenFlow message is empty\n");
            return;
        }

        if (message.Length < OfpHeader.Size)
        {
            output.Append("OpenFlow packet too short (only ").Append(message.Length).Append(" bytes):\n");
            HexDump.Append(output, message, ascii: true);
            return;
        }

        var header = OfpHeader.Read(message);
        if (header.Length > message.Length)
        {
            if (RawCheck(message, header, partial: true) is null)
            {
                AppendHeader(output, message, header);
                output.Append('\n');
            }

            output.Append("(***truncated to ").Append(message.Length).Append(" bytes from ").Append(header.Length).Append("***)\n");
            HexDump.Append(output, message, ascii: true);
            return;
        }

        if (header.Length < message.Length)
        {
            output.Append("(***only uses ").Append(header.Length).Append(" bytes out of ").Append(message.Length).Append("***)\n");
            HexDump.Append(output, message, ascii: true);
            return;
        }

        OfpError? error = RawCheck(message, header, partial: false);
        if (error is { } rawError)
        {
            AppendDecodeError(output, rawError);
        }
        else
        {
            AppendHeader(output, message, header);
            int headerLength = output.Length;
            error = AppendBody(output, message, names, verbosity);
            if (error is { } bodyError)
            {
                if (output.Length > headerLength)
                {
                    ChompSpaces(output);
                    AddNewline(output);
                }
                else
                {
                    output.Append(' ');
                }

                AppendDecodeError(output, bodyError);
            }
            else
            {
                ChompSpaces(output);
            }
        }

        if (verbosity >= 5 || error is not null)
        {
            AddNewline(output);
            HexDump.Append(output, message, ascii: true);
        }

        AddNewline(output);
    }

    /// <summary>OVS's name for a message type (ofp-msgs.h), e.g. "OFPT_FLOW_MOD".</summary>
    public static string TypeName(OfpType type) => type switch
    {
        OfpType.Hello => "OFPT_HELLO",
        OfpType.Error => "OFPT_ERROR",
        OfpType.EchoRequest => "OFPT_ECHO_REQUEST",
        OfpType.EchoReply => "OFPT_ECHO_REPLY",
        OfpType.Experimenter => "OFPT_EXPERIMENTER",
        OfpType.FeaturesRequest => "OFPT_FEATURES_REQUEST",
        OfpType.FeaturesReply => "OFPT_FEATURES_REPLY",
        OfpType.GetConfigRequest => "OFPT_GET_CONFIG_REQUEST",
        OfpType.GetConfigReply => "OFPT_GET_CONFIG_REPLY",
        OfpType.SetConfig => "OFPT_SET_CONFIG",
        OfpType.PacketIn => "OFPT_PACKET_IN",
        OfpType.FlowRemoved => "OFPT_FLOW_REMOVED",
        OfpType.PortStatus => "OFPT_PORT_STATUS",
        OfpType.PacketOut => "OFPT_PACKET_OUT",
        OfpType.FlowMod => "OFPT_FLOW_MOD",
        OfpType.GroupMod => "OFPT_GROUP_MOD",
        OfpType.PortMod => "OFPT_PORT_MOD",
        OfpType.TableMod => "OFPT_TABLE_MOD",
        OfpType.MultipartRequest => "OFPST_REQUEST",
        OfpType.MultipartReply => "OFPST_REPLY",
        OfpType.BarrierRequest => "OFPT_BARRIER_REQUEST",
        OfpType.BarrierReply => "OFPT_BARRIER_REPLY",
        OfpType.QueueGetConfigRequest => "OFPT_QUEUE_GET_CONFIG_REQUEST",
        OfpType.QueueGetConfigReply => "OFPT_QUEUE_GET_CONFIG_REPLY",
        OfpType.RoleRequest => "OFPT_ROLE_REQUEST",
        OfpType.RoleReply => "OFPT_ROLE_REPLY",
        OfpType.GetAsyncRequest => "OFPT_GET_ASYNC_REQUEST",
        OfpType.GetAsyncReply => "OFPT_GET_ASYNC_REPLY",
        OfpType.SetAsync => "OFPT_SET_ASYNC",
        OfpType.MeterMod => "OFPT_METER_MOD",
        _ => $"OFPT_{(byte)type}",
    };

    /// <summary>OVS ofp_print_version: " (OF1.3) (xid=0x1):".</summary>
    private static void AppendHeader(StringBuilder output, ReadOnlySpan<byte> message, OfpHeader header)
    {
        output.Append(RawName(message, header));
        output.Append(header.Version switch
        {
            1 => "",
            2 => " (OF1.1)",
            3 => " (OF1.2)",
            4 => " (OF1.3)",
            5 => " (OF1.4)",
            6 => " (OF1.5)",
            _ => " (OF 0x" + header.Version.ToString("x2", CultureInfo.InvariantCulture) + ")",
        });
        output.Append(" (xid=0x");
        FieldFormat.AppendHexDigits(output, header.Xid);
        output.Append("):");
    }

    private static string RawName(ReadOnlySpan<byte> message, OfpHeader header)
    {
        var body = message[OfpHeader.Size..];
        switch (header.Type)
        {
            case OfpType.MultipartRequest or OfpType.MultipartReply when body.Length >= 2:
                var type = (MultipartType)BinaryPrimitives.ReadUInt16BigEndian(body);
                return MultipartTypeNames.Format(type) + (header.Type == OfpType.MultipartRequest ? " request" : " reply");
            case OfpType.Experimenter when body.Length >= 8 && BinaryPrimitives.ReadUInt32BigEndian(body) == OnfBundle.Experimenter:
                uint subtype = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
                return subtype == OnfBundle.ControlType ? "ONFT_BUNDLE_CONTROL" : "ONFT_BUNDLE_ADD_MESSAGE";
            default:
                return TypeName(header.Type);
        }
    }

    /// <summary>Decodes and formats the body; returns the decode error OVS would report instead, if any.</summary>
    private static OfpError? AppendBody(StringBuilder output, ReadOnlySpan<byte> message, PortNames names, int verbosity)
    {
        OpenFlowMessage decoded;
        try
        {
            decoded = MessageDecoder.Decode(message, DecodeMode.Loose);
        }
        catch (OpenFlowException ex)
        {
            return ex.Error;
        }

        if (decoded is ErrorMessage error && ErrorNames.TryGetName(error.Error) is null)
        {
            // ofp_print_error_msg: an error OVS cannot name is reported as a bad length.
            return OfpError.BadLen;
        }

        decoded.FormatBody(output, names, verbosity);
        return null;
    }

    /// <summary>
    /// OVS ofpraw_decode: the type must be known and the body must fit the message's fixed layout; failures here
    /// print no message name. Returns null when the raw form is acceptable.
    /// </summary>
    private static OfpError? RawCheck(ReadOnlySpan<byte> message, OfpHeader header, bool partial)
    {
        if (header.Version != OfpHeader.Version13 && header.Type != OfpType.Hello)
        {
            return OfpError.BadVersion;
        }

        var body = message[OfpHeader.Size..];
        int bodyLength = partial ? int.MaxValue : body.Length;
        (int Min, int Multiple)? layout;
        switch (header.Type)
        {
            case OfpType.Experimenter:
                if (body.Length < 8)
                {
                    return OfpError.BadLen;
                }

                uint experimenter = BinaryPrimitives.ReadUInt32BigEndian(body);
                uint subtype = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
                if (experimenter != OnfBundle.Experimenter)
                {
                    return OfpError.BadExperimenter;
                }

                layout = subtype switch
                {
                    OnfBundle.ControlType => (16, 1),
                    OnfBundle.AddMessageType => (24, 1),
                    _ => null,
                };
                if (layout is null)
                {
                    return OfpError.BadExperimenterType;
                }

                break;
            case OfpType.MultipartRequest or OfpType.MultipartReply:
                // OVS needs the whole 8-byte multipart header to identify the message (ofphdrs_decode).
                if (body.Length < 8)
                {
                    return OfpError.BadLen;
                }

                var type = (MultipartType)BinaryPrimitives.ReadUInt16BigEndian(body);
                layout = MultipartLayout(type, header.Type == OfpType.MultipartRequest);
                if (layout is null)
                {
                    return OfpError.BadMultipart;
                }

                break;
            default:
                layout = Layout(header.Type);
                if (layout is null)
                {
                    return OfpError.BadType;
                }

                break;
        }

        var (min, multiple) = layout.Value;
        if (partial)
        {
            return null;
        }

        if (bodyLength < min || (multiple == 0 ? bodyLength != min : (bodyLength - min) % multiple != 0))
        {
            return OfpError.BadLen;
        }

        return null;
    }

    /// <summary>Fixed body length and the granularity of the variable part (0: exact) per message (ofp-msgs.h).</summary>
    private static (int Min, int Multiple)? Layout(OfpType type) => type switch
    {
        OfpType.Hello => (0, 1),
        OfpType.Error => (4, 1),
        OfpType.EchoRequest or OfpType.EchoReply => (0, 1),
        OfpType.FeaturesRequest or OfpType.GetConfigRequest or OfpType.BarrierRequest or OfpType.BarrierReply or OfpType.GetAsyncRequest => (0, 0),
        OfpType.FeaturesReply => (24, 0),
        OfpType.GetConfigReply or OfpType.SetConfig => (4, 0),
        OfpType.PacketIn => (16, 1),
        OfpType.FlowRemoved => (40, 8),
        OfpType.PortStatus => (72, 0),
        OfpType.PacketOut => (16, 1),
        OfpType.FlowMod => (40, 8),
        OfpType.GroupMod => (8, 1),
        OfpType.PortMod => (32, 0),
        OfpType.TableMod => (8, 0),
        OfpType.RoleRequest or OfpType.RoleReply => (16, 0),
        OfpType.GetAsyncReply or OfpType.SetAsync => (24, 0),
        OfpType.MeterMod => (8, 1),
        OfpType.QueueGetConfigRequest => (8, 0),
        OfpType.QueueGetConfigReply => (8, 1),
        _ => null,
    };

    /// <summary>Layout of a multipart message body including its 8-byte multipart header.</summary>
    private static (int Min, int Multiple)? MultipartLayout(MultipartType type, bool request) => (type, request) switch
    {
        (MultipartType.Flow or MultipartType.Aggregate, true) => (40, 8),
        (MultipartType.Flow, false) => (8, 1),
        (MultipartType.Aggregate, false) => (32, 0),
        (MultipartType.PortDesc, true) => (8, 0),
        (MultipartType.PortDesc, false) => (8, 64),
        (MultipartType.Desc or MultipartType.Table or MultipartType.GroupDesc or MultipartType.GroupFeatures or MultipartType.MeterFeatures, true) => (8, 0),
        (MultipartType.Desc, false) => (8 + 1056, 0),
        (MultipartType.Table, false) => (8, 24),
        (MultipartType.PortStats, true) => (16, 0),
        (MultipartType.PortStats, false) => (8, 112),
        (MultipartType.Queue, true) => (16, 0),
        (MultipartType.Queue, false) => (8, 40),
        (MultipartType.Group, true) => (16, 0),
        (MultipartType.Group or MultipartType.GroupDesc or MultipartType.Meter or MultipartType.MeterConfig or MultipartType.TableFeatures, false) => (8, 1),
        (MultipartType.GroupFeatures, false) => (48, 0),
        (MultipartType.Meter or MultipartType.MeterConfig, true) => (16, 0),
        (MultipartType.MeterFeatures, false) => (24, 0),
        (MultipartType.TableFeatures, true) => (8, 1),
        _ => null,
    };

    private static void AppendDecodeError(StringBuilder output, OfpError error) =>
        output.Append("***decode error: ").Append(ErrorNames.Format(error)).Append("***\n");

    /// <summary>OVS ds_chomp(' '): drops one trailing space.</summary>
    private static void ChompSpaces(StringBuilder output)
    {
        if (output.Length > 0 && output[^1] == ' ')
        {
            output.Length--;
        }
    }

    private static void AddNewline(StringBuilder output)
    {
        if (output.Length > 0 && output[^1] != '\n')
        {
            output.Append('\n');
        }
    }
}
