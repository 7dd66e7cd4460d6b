using System.Collections.Immutable;
using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Match;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Multipart;

/// <summary>enum ofp_table_feature_prop_type (OpenFlow 1.3.5 §A.3.5.5).</summary>
public enum TableFeaturePropertyType : ushort
{
    Instructions = 0,
    InstructionsMiss = 1,
    NextTables = 2,
    NextTablesMiss = 3,
    WriteActions = 4,
    WriteActionsMiss = 5,
    ApplyActions = 6,
    ApplyActionsMiss = 7,
    Match = 8,
    Wildcards = 10,
    WriteSetField = 12,
    WriteSetFieldMiss = 13,
    ApplySetField = 14,
    ApplySetFieldMiss = 15,
    Experimenter = 0xfffe,
    ExperimenterMiss = 0xffff,
}

/// <summary>
/// An instruction or action id in a table feature property (OpenFlow 1.3.5 §A.3.5.5): <c>type(2) | len(2)</c>,
/// plus <c>experimenter(4)</c> when the type is the experimenter type (0xffff).
/// </summary>
public readonly record struct FeatureId(ushort Type, uint Experimenter = 0)
{
    public bool IsExperimenter => Type == 0xffff;

    public int Length => IsExperimenter ? 8 : 4;
}

/// <summary>
/// An OXM id in a table feature property: the 4-byte OXM header (class, field, has-mask, length), plus the
/// experimenter id for class 0xffff. Unknown fields are kept so the bytes round-trip.
/// </summary>
public readonly record struct OxmId(uint Header, uint Experimenter = 0)
{
    public bool IsExperimenter => (Header >> 16) == OxmFields.ExperimenterClass;

    public bool HasMask => (Header & 0x100) != 0;

    public int Length => IsExperimenter ? 8 : 4;

    /// <summary>The known field, or null when this codec does not know it.</summary>
    public OxmField? Field => OxmFields.FromHeader(Header, Experimenter);
}

/// <summary>
/// One table feature property (OpenFlow 1.3.5 §A.3.5.5): <c>type(2) | length(2) | body | pad to 8</c>; length
/// excludes the padding. The body's meaning depends on the type, so each kind is its own record.
/// </summary>
public abstract record TableFeatureProperty(TableFeaturePropertyType PropertyType)
{
    public const int HeaderLength = 4;

    /// <summary>Header and body without the trailing padding (the wire's length field).</summary>
    public int UnpaddedLength => HeaderLength + BodyLength;

    public int EncodedLength => SpanWriter.Align(UnpaddedLength, 8);

    protected abstract int BodyLength { get; }

    protected abstract void WriteBody(ref SpanWriter writer);

    public void Encode(ref SpanWriter writer)
    {
        int start = writer.Position;
        writer.WriteUInt16((ushort)PropertyType);
        writer.WriteUInt16((ushort)UnpaddedLength);
        WriteBody(ref writer);
        writer.PadTo(start, 8);
    }
}

/// <summary>OFPTFPT_INSTRUCTIONS(_MISS): the instruction types the table supports.</summary>
public sealed record InstructionsProperty(TableFeaturePropertyType Type, ValueList<FeatureId> Instructions) : TableFeatureProperty(Type)
{
    protected override int BodyLength => Instructions.Sum(i => i.Length);

    protected override void WriteBody(ref SpanWriter writer) => TableFeatures.WriteIds(ref writer, Instructions);
}

/// <summary>OFPTFPT_NEXT_TABLES(_MISS): the tables goto_table may name, one byte each.</summary>
public sealed record NextTablesProperty(TableFeaturePropertyType Type, ValueList<byte> Tables) : TableFeatureProperty(Type)
{
    protected override int BodyLength => Tables.Count;

    protected override void WriteBody(ref SpanWriter writer) => writer.WriteBytes(Tables.Items.AsSpan());
}

/// <summary>OFPTFPT_WRITE/APPLY_ACTIONS(_MISS): the action types the table supports.</summary>
public sealed record ActionsProperty(TableFeaturePropertyType Type, ValueList<FeatureId> Actions) : TableFeatureProperty(Type)
{
    protected override int BodyLength => Actions.Sum(a => a.Length);

    protected override void WriteBody(ref SpanWriter writer) => TableFeatures.WriteIds(ref writer, Actions);
}

/// <summary>OFPTFPT_MATCH, _WILDCARDS and _WRITE/APPLY_SETFIELD(_MISS): lists of OXM ids.</summary>
public sealed record OxmProperty(TableFeaturePropertyType Type, ValueList<OxmId> Fields) : TableFeatureProperty(Type)
{
    protected override int BodyLength => Fields.Sum(f => f.Length);

    protected override void WriteBody(ref SpanWriter writer)
    {
        foreach (var field in Fields)
        {
            writer.WriteUInt32(field.Header);
            if (field.IsExperimenter)
            {
                writer.WriteUInt32(field.Experimenter);
            }
        }
    }
}

/// <summary>
/// OFPTFPT_EXPERIMENTER(_MISS): <c>experimenter(4) | exp_type(4) | data</c>; also holds, in a loosely read
/// reply, a property of a type this codec does not know (then Experimenter/ExperimenterType are 0 and Data is
/// the whole body).
/// </summary>
public sealed record ExperimenterProperty(TableFeaturePropertyType Type, uint Experimenter, uint ExperimenterType, ValueList<byte> Data) : TableFeatureProperty(Type)
{
    private bool HasExperimenterHeader => Type is TableFeaturePropertyType.Experimenter or TableFeaturePropertyType.ExperimenterMiss;

    protected override int BodyLength => (HasExperimenterHeader ? 8 : 0) + Data.Count;

    protected override void WriteBody(ref SpanWriter writer)
    {
        if (HasExperimenterHeader)
        {
            writer.WriteUInt32(Experimenter);
            writer.WriteUInt32(ExperimenterType);
        }

        writer.WriteBytes(Data.Items.AsSpan());
    }
}

/// <summary>
/// struct ofp_table_features (OpenFlow 1.3.5 §A.3.5.5), 64 bytes then properties:
/// <code>
///  0               2       3                                       8
///  +---------------+-------+---------------------------------------+
///  |    length     |table  |                pad(5)                 |
///  +---------------+-------+---------------------------------------+
///  |                        name[32] (NUL-padded)                  |
///  +---------------------------------------------------------------+
///  |                         metadata_match                        |
///  |                         metadata_write                        |
///  +-------------------------------+-------------------------------+
///  |            config             |          max_entries          |
///  +-------------------------------+-------------------------------+
///  |  struct ofp_table_feature_prop_header properties[] ...        |
/// </code>
/// </summary>
public sealed record TableFeatures(
    byte TableId,
    string Name,
    ulong MetadataMatch,
    ulong MetadataWrite,
    uint Config,
    uint MaxEntries,
    ValueList<TableFeatureProperty> Properties)
{
    public const int FixedLength = 64;

    public const int NameLength = 32;

    public int EncodedLength => FixedLength + Properties.Sum(p => p.EncodedLength);

    public void Encode(ref SpanWriter writer)
    {
        writer.WriteUInt16((ushort)EncodedLength);
        writer.WriteByte(TableId);
        writer.WriteZeros(5);
        ModText.WriteFixedString(ref writer, Name, NameLength);
        writer.WriteUInt64(MetadataMatch);
        writer.WriteUInt64(MetadataWrite);
        writer.WriteUInt32(Config);
        writer.WriteUInt32(MaxEntries);
        foreach (var property in Properties)
        {
            property.Encode(ref writer);
        }
    }

    internal static void WriteIds(ref SpanWriter writer, ValueList<FeatureId> ids)
    {
        foreach (var id in ids)
        {
            writer.WriteUInt16(id.Type);
            writer.WriteUInt16((ushort)id.Length);
            if (id.IsExperimenter)
            {
                writer.WriteUInt32(id.Experimenter);
            }
        }
    }

    /// <summary>
    /// Decodes one table's features as OVS does (lib/ofp-table.c ofputil_decode_table_features): a short entry,
    /// a length that is not a multiple of 8 or runs past the end is OFPBPC_BAD_LEN; table 255 is
    /// OFPTFFC_BAD_TABLE; property lengths are checked like ofpprop_pull (OFPBPC_BAD_LEN); a next-table id of
    /// 255 is OFPBPC_BAD_VALUE; a masked OXM id outside the match property is OFPBMC_BAD_MASK. In
    /// <see cref="DecodeMode.Strict"/> (a request that would change the tables) unknown property types are
    /// OFPBPC_BAD_TYPE, experimenter properties OFPBPC_BAD_EXPERIMENTER, unknown instructions
    /// OFPBIC_UNKNOWN_INST and unknown fields OFPBMC_BAD_FIELD; <see cref="DecodeMode.Loose"/> keeps them.
    /// </summary>
    public static TableFeatures Decode(ref SpanReader reader, DecodeMode mode)
    {
        if (reader.Remaining < FixedLength)
        {
            throw new OpenFlowException(OfpError.BadPropertyLen, $"table features entry has {reader.Remaining} byte(s), below 64");
        }

        int length = reader.PeekUInt16();
        if (length < FixedLength || length % 8 != 0 || length > reader.Remaining)
        {
            throw new OpenFlowException(OfpError.BadPropertyLen, $"table features length {length} is invalid ({reader.Remaining} byte(s) left)");
        }

        var entry = reader.ReadSub(length, OfpError.BadPropertyLen);
        entry.Skip(2);
        byte tableId = entry.ReadByte();
        if (tableId == 0xff)
        {
            throw new OpenFlowException(OfpError.TableFeaturesBadTable, "table features for table 255 (OFPTT_ALL)");
        }

        entry.SkipPadding(5);
        string name = ModText.ReadFixedString(ref entry, NameLength);
        ulong metadataMatch = entry.ReadUInt64();
        ulong metadataWrite = entry.ReadUInt64();
        uint config = entry.ReadUInt32();
        uint maxEntries = entry.ReadUInt32();
        var properties = ImmutableArray.CreateBuilder<TableFeatureProperty>();
        uint seen = 0;
        while (!entry.IsEmpty)
        {
            if (DecodeProperty(ref entry, mode) is { } property)
            {
                properties.Add(property);
                if ((ushort)property.PropertyType < 16)
                {
                    seen |= 1u << (ushort)property.PropertyType;
                }
            }
        }

        // OVS 3.1 refuses a table that lacks any non-miss property (instructions, next tables, write/apply
        // actions, match, wildcards, write/apply set-field): OFPTFFC_BAD_FEATURES.
        const uint required = (1u << 0) | (1u << 2) | (1u << 4) | (1u << 6) | (1u << 8) | (1u << 10) | (1u << 12) | (1u << 14);
        if ((seen & required) != required)
        {
            throw new OpenFlowException(OfpError.TableFeaturesBadFeatures, $"table {tableId} features lack {System.Numerics.BitOperations.PopCount(required & ~seen)} required propert(ies)");
        }

        return new TableFeatures(tableId, name, metadataMatch, metadataWrite, config, maxEntries, new ValueList<TableFeatureProperty>(properties.ToImmutable()));
    }

    private static TableFeatureProperty? DecodeProperty(ref SpanReader reader, DecodeMode mode)
    {
        if (reader.Remaining < TableFeatureProperty.HeaderLength)
        {
            throw new OpenFlowException(OfpError.BadPropertyLen, $"table feature properties end with {reader.Remaining} leftover byte(s)");
        }

        var type = (TableFeaturePropertyType)reader.PeekUInt16();
        int length = reader.PeekUInt16(2);
        if (length < TableFeatureProperty.HeaderLength || SpanWriter.Align(length, 8) > reader.Remaining)
        {
            throw new OpenFlowException(OfpError.BadPropertyLen, $"table feature property {(ushort)type} has length {length} ({reader.Remaining} byte(s) left)");
        }

        var property = reader.ReadSub(SpanWriter.Align(length, 8), OfpError.BadPropertyLen);
        property.Skip(4);
        var body = property.ReadSub(length - TableFeatureProperty.HeaderLength, OfpError.BadPropertyLen);
        switch (type)
        {
            case TableFeaturePropertyType.Instructions or TableFeaturePropertyType.InstructionsMiss:
                return new InstructionsProperty(type, DecodeIds(ref body, mode, instructions: true));
            case TableFeaturePropertyType.NextTables or TableFeaturePropertyType.NextTablesMiss:
                var tables = body.ReadBytes(body.Remaining);
                if (tables.Contains((byte)0xff))
                {
                    throw new OpenFlowException(OfpError.BadPropertyValue, "next tables lists table 255");
                }

                return new NextTablesProperty(type, new ValueList<byte>(tables.ToArray()));
            case TableFeaturePropertyType.WriteActions or TableFeaturePropertyType.WriteActionsMiss
                or TableFeaturePropertyType.ApplyActions or TableFeaturePropertyType.ApplyActionsMiss:
                return new ActionsProperty(type, DecodeIds(ref body, mode, instructions: false));
            case TableFeaturePropertyType.Match or TableFeaturePropertyType.Wildcards
                or TableFeaturePropertyType.WriteSetField or TableFeaturePropertyType.WriteSetFieldMiss
                or TableFeaturePropertyType.ApplySetField or TableFeaturePropertyType.ApplySetFieldMiss:
                return new OxmProperty(type, DecodeOxmIds(ref body, mode, allowMask: type == TableFeaturePropertyType.Match));
            case TableFeaturePropertyType.Experimenter or TableFeaturePropertyType.ExperimenterMiss:
                if (body.Remaining < 8)
                {
                    throw new OpenFlowException(OfpError.BadPropertyLen, $"experimenter table feature property has length {length}, below 12");
                }

                uint experimenter = body.ReadUInt32();
                uint experimenterType = body.ReadUInt32();
                if (mode == DecodeMode.Strict)
                {
                    throw new OpenFlowException(OfpError.BadPropertyExperimenter, $"experimenter table feature property 0x{experimenter:x8}/{experimenterType}");
                }

                return new ExperimenterProperty(type, experimenter, experimenterType, new ValueList<byte>(body.ReadBytes(body.Remaining).ToArray()));
            default:
                if (mode == DecodeMode.Strict)
                {
                    throw new OpenFlowException(OfpError.BadPropertyType, $"unknown table feature property type {(ushort)type}");
                }

                return new ExperimenterProperty(type, 0, 0, new ValueList<byte>(body.ReadBytes(body.Remaining).ToArray()));
        }
    }

    /// <summary>Instruction or action ids: <c>type(2) | len(2) [| experimenter(4)]</c>, packed without padding.</summary>
    private static ValueList<FeatureId> DecodeIds(ref SpanReader body, DecodeMode mode, bool instructions)
    {
        var ids = ImmutableArray.CreateBuilder<FeatureId>();
        while (!body.IsEmpty)
        {
            if (body.Remaining < 4)
            {
                throw new OpenFlowException(OfpError.BadPropertyLen, $"{body.Remaining} leftover byte(s) in an id list");
            }

            ushort type = body.ReadUInt16();
            int length = body.ReadUInt16();
            if (length < 4 || length - 4 > body.Remaining || (type == 0xffff ? length != 8 : length != 4))
            {
                throw new OpenFlowException(OfpError.BadPropertyLen, $"id of type {type} has length {length}");
            }

            uint experimenter = type == 0xffff ? body.ReadUInt32() : 0;
            if (instructions && mode == DecodeMode.Strict && type is not (>= 1 and <= 6))
            {
                throw new OpenFlowException(OfpError.UnknownInstruction, $"unknown instruction type {type} in table features");
            }

            ids.Add(new FeatureId(type, experimenter));
        }

        return new ValueList<FeatureId>(ids.ToImmutable());
    }

    private static ValueList<OxmId> DecodeOxmIds(ref SpanReader body, DecodeMode mode, bool allowMask)
    {
        var ids = ImmutableArray.CreateBuilder<OxmId>();
        while (!body.IsEmpty)
        {
            if (body.Remaining < 4)
            {
                throw new OpenFlowException(OfpError.BadMatchLen, $"{body.Remaining} leftover byte(s) in an OXM id list");
            }

            uint header = body.ReadUInt32();
            uint experimenter = 0;
            if ((header >> 16) == OxmFields.ExperimenterClass)
            {
                if (body.Remaining < 4)
                {
                    throw new OpenFlowException(OfpError.BadMatchLen, "experimenter OXM id without its experimenter");
                }

                experimenter = body.ReadUInt32();
            }

            var id = new OxmId(header, experimenter);
            if (id.HasMask && !allowMask)
            {
                throw new OpenFlowException(OfpError.BadMask, $"masked OXM id 0x{header:x8} outside the match property");
            }

            if (mode == DecodeMode.Strict && id.Field is null)
            {
                throw new OpenFlowException(OfpError.BadField, $"unknown OXM id 0x{header:x8}");
            }

            ids.Add(id);
        }

        return new ValueList<OxmId>(ids.ToImmutable());
    }
}

/// <summary>
/// OFPMP_TABLE_FEATURES request body: empty to read the tables' features, or a list of <see cref="TableFeatures"/>
/// to set them (then read strictly: it would change the pipeline).
/// </summary>
public sealed record TableFeaturesRequest(ValueList<TableFeatures> Tables) : MultipartRequestBody
{
    public override MultipartType MultipartType => MultipartType.TableFeatures;

    public override int BodyLength => Tables.Sum(t => t.EncodedLength);

    public override void WriteBody(ref SpanWriter writer)
    {
        foreach (var table in Tables)
        {
            table.Encode(ref writer);
        }
    }

    public static TableFeaturesRequest Decode(ref SpanReader body, DecodeMode mode) => new(TableFeaturesCodec.DecodeList(ref body, mode));

    public override void Format(StringBuilder output, PortNames names) => TableFeaturesText.Format(output, Tables);
}

/// <summary>OFPMP_TABLE_FEATURES reply body: a switch's tables, read loosely.</summary>
public sealed record TableFeaturesReply(ValueList<TableFeatures> Tables) : MultipartReplyBody
{
    public override MultipartType MultipartType => MultipartType.TableFeatures;

    public override int BodyLength => Tables.Sum(t => t.EncodedLength);

    public override void WriteBody(ref SpanWriter writer)
    {
        foreach (var table in Tables)
        {
            table.Encode(ref writer);
        }
    }

    public static TableFeaturesReply Decode(ref SpanReader body, DecodeMode mode) => new(TableFeaturesCodec.DecodeList(ref body, mode));

    public override void Format(StringBuilder output, PortNames names) => TableFeaturesText.Format(output, Tables);
}

internal static class TableFeaturesCodec
{
    public static ValueList<TableFeatures> DecodeList(ref SpanReader body, DecodeMode mode)
    {
        var tables = ImmutableArray.CreateBuilder<TableFeatures>();
        while (!body.IsEmpty)
        {
            tables.Add(TableFeatures.Decode(ref body, mode));
        }

        return new ValueList<TableFeatures>(tables.ToImmutable());
    }
}
