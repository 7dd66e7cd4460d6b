using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Group;

/// <summary>enum ofp_group_type (OpenFlow 1.3.5 §A.3.4.2).</summary>
public enum GroupType : byte
{
    All = 0,
    Select = 1,
    Indirect = 2,
    FastFailover = 3,
}

/// <summary>enum ofp_group_mod_command (OpenFlow 1.3.5 §A.3.4.2), plus OVS's ADD_OR_MOD extension (0x8000).</summary>
public enum GroupModCommand : ushort
{
    Add = 0,
    Modify = 1,
    Delete = 2,
    AddOrModify = 0x8000,
}

/// <summary>
/// struct ofp_bucket (OpenFlow 1.3.5 §A.3.4.2), 16 bytes before the actions:
/// <code>
///  0               2               4                               8
///  +---------------+---------------+-------------------------------+
///  |      len      |    weight     |          watch_port           |
///  +---------------+---------------+-------------------------------+
///  |          watch_group          |            pad(4)             |
///  +-------------------------------+-------------------------------+
///  |  actions ... (len - 16 bytes)                                 |
/// </code>
/// </summary>
public sealed record Bucket(ActionList Actions, ushort Weight = 0, uint WatchPort = OfpPort.Any, uint WatchGroup = GroupIds.Any)
{
    public const int HeaderLength = 16;

    public int EncodedLength => HeaderLength + Actions.EncodedLength;

    /// <summary>A bucket that watches a port or a group (needed by fast-failover, refused by all/indirect).</summary>
    public bool HasLiveness => WatchPort != OfpPort.Any || WatchGroup != GroupIds.Any;

    public void Encode(ref SpanWriter writer)
    {
        writer.WriteUInt16((ushort)EncodedLength);
        writer.WriteUInt16(Weight);
        writer.WriteUInt32(WatchPort);
        writer.WriteUInt32(WatchGroup);
        writer.WriteZeros(4);
        Actions.Encode(ref writer);
    }
}

/// <summary>Reserved group ids (OpenFlow 1.3.5 §A.3.4.2, enum ofp_group).</summary>
public static class GroupIds
{
    public const uint Max = 0xffffff00;
    public const uint All = 0xfffffffc;
    public const uint Any = 0xffffffff;

    /// <summary>lib/ofp-group.c ofputil_format_group: "ALL", "ANY" or the number.</summary>
    public static string Format(uint groupId) => groupId switch
    {
        All => "ALL",
        Any => "ANY",
        _ => groupId.ToString(CultureInfo.InvariantCulture),
    };
}

/// <summary>Bucket lists and the group text shared by GROUP_MOD and the GROUP_DESC reply (lib/ofp-group.c).</summary>
public static class GroupBuckets
{
    public static int EncodedLength(ValueList<Bucket> buckets)
    {
        int length = 0;
        foreach (var bucket in buckets)
        {
            length += bucket.EncodedLength;
        }

        return length;
    }

    /// <summary>
    /// Decodes every bucket in <paramref name="reader"/> (OVS ofputil_pull_ofp11_buckets): a bucket shorter
    /// than its header or longer than what is left is OFPGMFC_BAD_BUCKET; a watch_port that is neither a
    /// physical port nor a reserved one is OFPGMFC_BAD_WATCH; action errors are the action's own.
    /// </summary>
    public static ValueList<Bucket> Decode(ref SpanReader reader, DecodeMode mode)
    {
        var buckets = ImmutableArray.CreateBuilder<Bucket>();
        while (!reader.IsEmpty)
        {
            if (reader.Remaining < Bucket.HeaderLength)
            {
                throw new OpenFlowException(OfpError.BadBucket, $"buckets end with {reader.Remaining} leftover byte(s)");
            }

            int length = reader.PeekUInt16();
            if (length < Bucket.HeaderLength)
            {
                throw new OpenFlowException(OfpError.BadBucket, $"bucket length {length} is below the 16-byte bucket header");
            }

            if (length > reader.Remaining)
            {
                throw new OpenFlowException(OfpError.BadBucket, $"bucket length {length} exceeds the {reader.Remaining} byte(s) of buckets left");
            }

            var bucket = reader.ReadSub(length);
            bucket.Skip(2);
            ushort weight = bucket.ReadUInt16();
            uint watchPort = bucket.ReadUInt32();
            uint watchGroup = bucket.ReadUInt32();
            bucket.SkipPadding(4);
            if (bucket.Remaining % 8 != 0)
            {
                throw new OpenFlowException(OfpError.BadLen, $"bucket actions length {bucket.Remaining} is not a multiple of 8");
            }

            var actionsReader = bucket.ReadSub(bucket.Remaining, OfpError.BadActionLen);
            var actions = ActionCodec.DecodeList(ref actionsReader, mode);
            if (watchPort is >= 0xff00 and < OfpPort.Max)
            {
                throw new OpenFlowException(OfpError.BadWatch, $"watch_port {watchPort} is not a valid port");
            }

            buckets.Add(new Bucket(actions, weight, watchPort, watchGroup));
        }

        return new ValueList<Bucket>(buckets.ToImmutable());
    }

    public static void Encode(ref SpanWriter writer, ValueList<Bucket> buckets)
    {
        foreach (var bucket in buckets)
        {
            bucket.Encode(ref writer);
        }
    }

    /// <summary>
    /// lib/ofp-group.c ofp_print_group: <c>group_id=N,type=T,bucket=weight:W,watch_port:P,watch_group:G,actions=…</c>;
    /// weight is shown only when it differs from the type's default (1 for select, 0 otherwise).
    /// </summary>
    public static void FormatGroup(StringBuilder output, uint groupId, byte type, ValueList<Bucket> buckets, PortNames names)
    {
        output.Append("group_id=").Append(groupId.ToString(CultureInfo.InvariantCulture));
        output.Append(",type=").Append(type switch
        {
            0 => "all",
            1 => "select",
            2 => "indirect",
            3 => "ff",
            _ => "unknown",
        });
        output.Append(',');
        foreach (var bucket in buckets)
        {
            output.Append("bucket=");
            if (bucket.Weight != (type == (byte)GroupType.Select ? 1 : 0))
            {
                output.Append("weight:").Append(bucket.Weight).Append(',');
            }

            if (bucket.WatchPort != OfpPort.Any)
            {
                output.Append("watch_port:");
                PortFormat.Append(output, bucket.WatchPort, names);
                output.Append(',');
            }

            if (bucket.WatchGroup != GroupIds.Any)
            {
                output.Append("watch_group:").Append(bucket.WatchGroup.ToString(CultureInfo.InvariantCulture)).Append(',');
            }

            output.Append("actions=");
            bucket.Actions.Format(output, names);
            output.Append(',');
        }

        output.Length--;
    }
}

/// <summary>
/// OFPT_GROUP_MOD (OpenFlow 1.3.5 §A.3.4.2), body after the header:
/// <code>
///  0               2       3       4                               8
///  +---------------+-------+-------+-------------------------------+
///  |    command    | type  | pad   |           group_id            |
///  +---------------+-------+-------+-------------------------------+
///  |  struct ofp_bucket buckets[] ...                              |
/// </code>
/// Decoding checks what OVS checks (lib/ofp-group.c ofputil_decode_group_mod): DELETE carries no buckets,
/// INDIRECT has exactly one, only SELECT buckets have a weight, ALL/INDIRECT buckets watch nothing and
/// fast-failover buckets watch a port or group.
/// </summary>
public sealed record GroupMod : OpenFlowMessage
{
    public const int FixedBodyLength = 8;

    public override OfpType Type => OfpType.GroupMod;

    public GroupModCommand Command { get; init; }

    public GroupType GroupType { get; init; }

    public uint GroupId { get; init; }

    public ValueList<Bucket> Buckets { get; init; } = ValueList<Bucket>.Empty;

    public override int BodyLength => FixedBodyLength + GroupBuckets.EncodedLength(Buckets);

    public override void WriteBody(ref SpanWriter writer)
    {
        writer.WriteUInt16((ushort)Command);
        writer.WriteByte((byte)GroupType);
        writer.WriteZeros(1);
        writer.WriteUInt32(GroupId);
        GroupBuckets.Encode(ref writer, Buckets);
    }

    public static GroupMod Decode(OfpHeader header, ref SpanReader body, DecodeMode mode)
    {
        var command = (GroupModCommand)body.ReadUInt16();
        var type = (GroupType)body.ReadByte();
        body.SkipPadding(1);
        uint groupId = body.ReadUInt32();
        var buckets = GroupBuckets.Decode(ref body, mode);
        if (command == GroupModCommand.Delete && buckets.Count != 0)
        {
            // OpenFlow 1.3.5 §A.3.4.2: a DELETE with buckets is an error.
            throw new OpenFlowException(OfpError.InvalidGroup, $"group_mod DELETE of group {groupId} carries {buckets.Count} bucket(s)");
        }

        var mod = new GroupMod { Xid = header.Xid, Command = command, GroupType = type, GroupId = groupId, Buckets = buckets };
        mod.Validate();
        return mod;
    }

    /// <summary>The checks of OVS's ofputil_check_group_mod, in its order.</summary>
    public void Validate()
    {
        switch (GroupType)
        {
            case GroupType.Indirect when Command != GroupModCommand.Delete && Buckets.Count != 1:
                throw new OpenFlowException(OfpError.InvalidGroup, $"indirect group {GroupId} needs exactly one bucket, has {Buckets.Count}");
            case GroupType.All or GroupType.Select or GroupType.Indirect or GroupType.FastFailover:
                break;
            default:
                throw new OpenFlowException(OfpError.BadGroupType, $"group type {(byte)GroupType} is not all/select/indirect/ff");
        }

        if (Command is not (GroupModCommand.Add or GroupModCommand.Modify or GroupModCommand.Delete or GroupModCommand.AddOrModify))
        {
            throw new OpenFlowException(OfpError.BadGroupCommand, $"group_mod command {(ushort)Command}");
        }

        foreach (var bucket in Buckets)
        {
            if (bucket.Weight != 0 && GroupType != GroupType.Select)
            {
                throw new OpenFlowException(OfpError.InvalidGroup, $"bucket weight {bucket.Weight} in a {GroupType} group");
            }

            if (GroupType is GroupType.All or GroupType.Indirect && bucket.HasLiveness)
            {
                throw new OpenFlowException(OfpError.WatchUnsupported, $"{GroupType} group bucket watches a port or group");
            }

            if (GroupType == GroupType.FastFailover && !bucket.HasLiveness)
            {
                throw new OpenFlowException(OfpError.InvalidGroup, "fast failover bucket needs watch_port or watch_group");
            }
        }
    }

    /// <summary>ovs-ofctl ofp-print text (lib/ofp-group.c ofputil_group_mod_format).</summary>
    public void Format(StringBuilder output, PortNames names)
    {
        ModText.Header(output, "OFPT_GROUP_MOD", Xid).Append("\n ");
        output.Append(Command switch
        {
            GroupModCommand.Add => "ADD",
            GroupModCommand.Modify => "MOD",
            GroupModCommand.AddOrModify => "ADD_OR_MOD",
            GroupModCommand.Delete => "DEL",
            _ => "cmd:" + ((ushort)Command).ToString(CultureInfo.InvariantCulture),
        });
        output.Append(' ');
        GroupBuckets.FormatGroup(output, GroupId, (byte)GroupType, Buckets, names);
    }
}
