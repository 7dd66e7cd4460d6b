using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Multipart;

/// <summary>OFPMP_GROUP_FEATURES request body (OpenFlow 1.3.5 §A.3.5.11): empty.</summary>
public sealed record GroupFeaturesRequest : IMultipartBody
{
    public const ushort MultipartType = 8;

    public int BodyLength => 0;

    public void WriteBody(ref SpanWriter writer)
    {
    }

    public static GroupFeaturesRequest Decode(ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        _ = body;
        return new GroupFeaturesRequest();
    }

    public void Format(StringBuilder output, PortNames names)
    {
    }
}

/// <summary>
/// struct ofp_group_features (OpenFlow 1.3.5 §A.3.5.11), 40 bytes:
/// <code>types(4) | capabilities(4) | max_groups[4](16) | actions[4](16)</code>
/// Index i of max_groups/actions is group type i (all, select, indirect, fast failover); actions are
/// bitmaps of action types (see <see cref="ActionTypeBitmap"/>).
/// </summary>
public sealed record GroupFeaturesReply(uint Types, uint Capabilities, ValueList<uint> MaxGroups, ValueList<uint> Actions) : IMultipartBody
{
    public const ushort MultipartType = 8;

    public const int Length = 40;

    private static readonly string[] TypeNames = ["all", "select", "indirect", "fast failover"];

    public int BodyLength => Length;

    public void WriteBody(ref SpanWriter writer)
    {
        writer.WriteUInt32(Types);
        writer.WriteUInt32(Capabilities);
        for (int i = 0; i < 4; i++)
        {
            writer.WriteUInt32(i < MaxGroups.Count ? MaxGroups[i] : 0);
        }

        for (int i = 0; i < 4; i++)
        {
            writer.WriteUInt32(i < Actions.Count ? Actions[i] : 0);
        }
    }

    public static GroupFeaturesReply Decode(ref SpanReader body, DecodeMode mode)
    {
        _ = mode;
        uint types = body.ReadUInt32();
        uint capabilities = body.ReadUInt32();
        var max = new uint[4];
        var actions = new uint[4];
        for (int i = 0; i < 4; i++)
        {
            max[i] = body.ReadUInt32();
        }

        for (int i = 0; i < 4; i++)
        {
            actions[i] = body.ReadUInt32();
        }

        return new GroupFeaturesReply(types, capabilities, max, actions);
    }

    /// <summary>lib/ofp-group.c ofputil_group_features_format.</summary>
    public void Format(StringBuilder output, PortNames names)
    {
        var invariant = CultureInfo.InvariantCulture;
        output.Append("\n Group table:\n");
        output.Append("    Types:  0x").Append(Types.ToString("x", invariant)).Append('\n');
        output.Append("    Capabilities:  0x").Append(Capabilities.ToString("x", invariant)).Append('\n');
        for (int i = 0; i < 4; i++)
        {
            if ((Types & (1u << i)) == 0)
            {
                continue;
            }

            output.Append("    ").Append(TypeNames[i]).Append(" group:\n");
            uint max = i < MaxGroups.Count ? MaxGroups[i] : 0;
            output.Append("       max_groups=").Append(max == 0 ? "0" : "0x" + max.ToString("x", invariant)).Append('\n');
            output.Append("       actions: ");
            ActionTypeBitmap.Format(output, i < Actions.Count ? Actions[i] : 0);
            output.Append('\n');
        }
    }
}
