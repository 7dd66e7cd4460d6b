using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Bundle;

/// <summary>ofp14_bundle_ctrl_type, as the ONF extension (EXT-230) carries it in OpenFlow 1.3.</summary>
public enum BundleControlType : ushort
{
    OpenRequest = 0,
    OpenReply = 1,
    CloseRequest = 2,
    CloseReply = 3,
    CommitRequest = 4,
    CommitReply = 5,
    DiscardRequest = 6,
    DiscardReply = 7,
}

/// <summary>ofp14_bundle_flags.</summary>
[Flags]
public enum BundleFlags : ushort
{
    None = 0,

    /// <summary>Apply all messages or none.</summary>
    Atomic = 1 << 0,

    /// <summary>Apply messages in the order they were added.</summary>
    Ordered = 1 << 1,
}

/// <summary>
/// The ONF bundle extension for OpenFlow 1.3 (ONF EXT-230; OVS include/openflow/onf-ext.h): an OFPT_EXPERIMENTER
/// with experimenter 0x4F4E4600 and exp_type 2300 (ONFT_BUNDLE_CONTROL) or 2301 (ONFT_BUNDLE_ADD_MESSAGE),
/// bodies laid out as OpenFlow 1.4's bundle messages (OpenFlow 1.4 §7.3.9).
/// </summary>
public static class OnfBundle
{
    public const uint Experimenter = OfpError.OnfExperimenter;

    public const uint ControlType = 2300;

    public const uint AddMessageType = 2301;

    /// <summary>OVS ofp_print_bit_names for bundle flags: "atomic ordered", "0" when none, leftover bits in hex.</summary>
    internal static void AppendFlags(StringBuilder output, BundleFlags flags)
    {
        uint bits = (uint)flags;
        if (bits == 0)
        {
            output.Append('0');
            return;
        }

        var parts = new List<string>();
        if ((bits & 1) != 0)
        {
            parts.Add("atomic");
        }

        if ((bits & 2) != 0)
        {
            parts.Add("ordered");
        }

        bits &= ~3u;
        if (bits != 0)
        {
            parts.Add("0x" + bits.ToString("x", CultureInfo.InvariantCulture));
        }

        output.AppendJoin(' ', parts);
    }

    internal static void AppendBundleId(StringBuilder output, uint bundleId) =>
        output.Append(bundleId == 0 ? "0" : "0x" + bundleId.ToString("x", CultureInfo.InvariantCulture));
}

/// <summary>
/// ONFT_BUNDLE_CONTROL (experimenter 0x4F4E4600, exp_type 2300):
/// <code>
///  0               4               8               12      14      16
///  +---------------+---------------+---------------+-------+-------+
///  | experimenter  |   exp_type    |   bundle_id   | type  | flags |  properties ...
///  +---------------+---------------+---------------+-------+-------+
/// </code>
/// </summary>
public sealed record BundleControl : OpenFlowMessage
{
    public override OfpType Type => OfpType.Experimenter;

    public override string TextName => "ONFT_BUNDLE_CONTROL";

    public uint BundleId { get; init; }

    public BundleControlType ControlType { get; init; }

    public BundleFlags Flags { get; init; }

    /// <summary>Raw bundle properties (ofp14_bundle_prop_*), kept so a decoded message re-encodes identically.</summary>
    public ByteData Properties { get; init; } = ByteData.Empty;

    public override int BodyLength => 16 + Properties.Length;

    public override void WriteBody(ref SpanWriter writer)
    {
        writer.WriteUInt32(OnfBundle.Experimenter);
        writer.WriteUInt32(OnfBundle.ControlType);
        writer.WriteUInt32(BundleId);
        writer.WriteUInt16((ushort)ControlType);
        writer.WriteUInt16((ushort)Flags);
        writer.WriteBytes(Properties.Span);
    }

    /// <summary>Decodes the body after experimenter and exp_type.</summary>
    public static BundleControl Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        uint bundleId = body.ReadUInt32();
        ushort type = body.ReadUInt16();
        ushort flags = body.ReadUInt16();
        if (mode == DecodeMode.Strict && type > (ushort)BundleControlType.DiscardReply)
        {
            throw new OpenFlowException(OfpError.BundleBadType, $"bundle control type {type}");
        }

        if (mode == DecodeMode.Strict && (flags & ~3) != 0)
        {
            throw new OpenFlowException(OfpError.BundleBadFlags, $"bundle flags 0x{flags:x4} has unknown bits");
        }

        return new BundleControl
        {
            Xid = header.Xid,
            BundleId = bundleId,
            ControlType = (BundleControlType)type,
            Flags = (BundleFlags)flags,
            Properties = ByteData.Copy(body.ReadBytes(body.Remaining)),
        };
    }

    /// <summary>The reply a switch sends to this request (same xid, bundle id and flags).</summary>
    public BundleControl CreateReply() => this with { ControlType = (BundleControlType)((ushort)ControlType | 1), Properties = ByteData.Empty };

    /// <summary>OVS ofputil_format_bundle_ctrl_request: "\n bundle_id=0x5 type=COMMIT_REQUEST flags=atomic ordered".</summary>
    public override void FormatBody(StringBuilder output, PortNames names, int verbosity)
    {
        output.Append("\n bundle_id=");
        OnfBundle.AppendBundleId(output, BundleId);
        output.Append(" type=").Append(ControlType switch
        {
            BundleControlType.OpenRequest => "OPEN_REQUEST",
            BundleControlType.OpenReply => "OPEN_REPLY",
            BundleControlType.CloseRequest => "CLOSE_REQUEST",
            BundleControlType.CloseReply => "CLOSE_REPLY",
            BundleControlType.CommitRequest => "COMMIT_REQUEST",
            BundleControlType.CommitReply => "COMMIT_REPLY",
            BundleControlType.DiscardRequest => "DISCARD_REQUEST",
            BundleControlType.DiscardReply => "DISCARD_REPLY",
            _ => "",
        });
        output.Append(" flags=");
        OnfBundle.AppendFlags(output, Flags);
    }
}
