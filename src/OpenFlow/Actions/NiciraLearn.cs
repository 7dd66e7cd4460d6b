using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Actions;

/// <summary>What a learn spec does with its source bits (nicira-ext.h NX_LEARN_DST_*).</summary>
public enum LearnSpecKind
{
    /// <summary>NX_LEARN_DST_MATCH: the learned flow matches the destination field on the source value.</summary>
    Match = 0,

    /// <summary>NX_LEARN_DST_LOAD: the learned flow loads the source value into the destination.</summary>
    Load = 1,

    /// <summary>NX_LEARN_DST_OUTPUT: the learned flow outputs to the port in the source field.</summary>
    Output = 2,
}

/// <summary>NX_LEARN_F_* flags.</summary>
[Flags]
public enum LearnFlags : ushort
{
    None = 0,
    SendFlowRemoved = 1,
    DeleteLearned = 2,
}

/// <summary>
/// One flow_mod_spec of a learn action. The source is a field (<see cref="Source"/>) or an immediate
/// (<see cref="Immediate"/>, right-aligned); <see cref="Destination"/> is null for output specs.
/// </summary>
public sealed record LearnSpec(LearnSpecKind Kind, int Bits, NxmSubfield? Source, UInt128 Immediate, NxmSubfield? Destination)
{
    /// <summary>Wire size: header(2) + source (field: header 4 + ofs 2; immediate: 2 bytes per 16 bits) + destination (6, none for output).</summary>
    public int EncodedLength => 2 + (Source is null ? ImmediateLength(Bits) : 6) + (Kind == LearnSpecKind.Output ? 0 : 6);

    internal static int ImmediateLength(int bits) => 2 * ((bits + 15) / 16);

    internal void Encode(ref SpanWriter writer)
    {
        int header = Bits | (Source is null ? 1 << 13 : 0) | ((int)Kind << 11);
        writer.WriteUInt16((ushort)header);
        if (Source is { } source)
        {
            writer.WriteUInt32(source.Field.Header);
            writer.WriteUInt16((ushort)source.Offset);
        }
        else
        {
            int length = ImmediateLength(Bits);
            for (int i = length - 1; i >= 0; i--)
            {
                writer.WriteByte((byte)(Immediate >> (8 * i)));
            }
        }

        if (Destination is { } destination)
        {
            writer.WriteUInt32(destination.Field.Header);
            writer.WriteUInt16((ushort)destination.Offset);
        }
    }

    /// <summary>One spec in lib/learn.c learn_format's notation.</summary>
    public void Format(StringBuilder output, PortNames names)
    {
        switch (Kind)
        {
            case LearnSpecKind.Match when Source is null:
                var dst = Destination!.Value;
                if (dst.IsWhole)
                {
                    var mask = dst.Field.Bits >= 128 ? UInt128.MaxValue : (UInt128.One << dst.Field.Bits) - 1;
                    output.Append(dst.Field.MfName).Append('=');
                    NxmValues.AppendValue(output, dst.Field, Immediate & mask, names);
                }
                else
                {
                    dst.Format(output);
                    output.Append('=');
                    NxmValues.AppendSubvalue(output, Immediate);
                }

                break;
            case LearnSpecKind.Match:
                Destination!.Value.Format(output);
                if (Source!.Value.Field != Destination.Value.Field || Source.Value.Offset != Destination.Value.Offset)
                {
                    output.Append('=');
                    Source.Value.Format(output);
                }

                break;
            case LearnSpecKind.Load:
                output.Append("load:");
                if (Source is { } source)
                {
                    source.Format(output);
                }
                else
                {
                    NxmValues.AppendSubvalue(output, Immediate);
                }

                output.Append("->");
                Destination!.Value.Format(output);
                break;
            case LearnSpecKind.Output:
                output.Append("output:");
                Source!.Value.Format(output);
                break;
        }
    }
}

/// <summary>
/// NXAST_LEARN (nicira-ext.h struct nx_action_learn): adds or modifies a flow built from the packet.
/// <code>
/// ffff | len | 00002320 | subtype=16
/// idle_timeout(2) | hard_timeout(2) | priority(2) | cookie(8) | flags(2) | table_id(1) | pad(1)
/// fin_idle_timeout(2) | fin_hard_timeout(2)                               (32 bytes so far)
/// flow_mod_specs..., then zeros to a multiple of 8
/// spec header(2): bit 13 = source is immediate, bits 11-12 = match/load/output, bits 0-10 = n_bits
/// </code>
/// Text (lib/learn.c learn_format): <c>learn(table=10,hard_timeout=300,priority=1,NXM_OF_VLAN_TCI[0..11],...)</c>.
/// </summary>
public sealed record LearnAction : NiciraAction
{
    public const int FixedLength = 32;

    public const ushort DefaultPriority = 0x8000;

    public byte TableId { get; init; } = 1;

    public ushort IdleTimeout { get; init; }

    public ushort HardTimeout { get; init; }

    public ushort FinIdleTimeout { get; init; }

    public ushort FinHardTimeout { get; init; }

    public ushort Priority { get; init; } = DefaultPriority;

    public ulong Cookie { get; init; }

    public LearnFlags Flags { get; init; }

    public ImmutableArray<LearnSpec> Specs { get; init; } = ImmutableArray<LearnSpec>.Empty;

    public override NiciraSubtype Subtype => NiciraSubtype.Learn;

    public override int EncodedLength
    {
        get
        {
            int length = FixedLength;
            foreach (var spec in Specs)
            {
                length += spec.EncodedLength;
            }

            return SpanWriter.Align(length, 8);
        }
    }

    public override void Encode(ref SpanWriter writer)
    {
        int start = writer.Position;
        WriteHeader(ref writer);
        writer.WriteUInt16(IdleTimeout);
        writer.WriteUInt16(HardTimeout);
        writer.WriteUInt16(Priority);
        writer.WriteUInt64(Cookie);
        writer.WriteUInt16((ushort)Flags);
        writer.WriteByte(TableId);
        writer.WriteZeros(1);
        writer.WriteUInt16(FinIdleTimeout);
        writer.WriteUInt16(FinHardTimeout);
        foreach (var spec in Specs)
        {
            spec.Encode(ref writer);
        }

        writer.PadTo(start, 8);
    }

    /// <summary>lib/learn.c learn_from_openflow + learn_check: malformed specs are OFPBAC_BAD_ARGUMENT.</summary>
    internal static LearnAction Decode(ref SpanReader body, int length)
    {
        ExpectMinLength(length, FixedLength, NiciraSubtype.Learn);
        var action = new LearnAction
        {
            IdleTimeout = body.ReadUInt16(),
            HardTimeout = body.ReadUInt16(),
            Priority = body.ReadUInt16(),
            Cookie = body.ReadUInt64(),
            Flags = (LearnFlags)body.ReadUInt16(),
            TableId = body.ReadByte(),
        };
        body.Skip(1);
        action = action with { FinIdleTimeout = body.ReadUInt16(), FinHardTimeout = body.ReadUInt16() };
        if (((ushort)action.Flags & ~(ushort)(LearnFlags.SendFlowRemoved | LearnFlags.DeleteLearned)) != 0)
        {
            throw new OpenFlowException(OfpError.BadActionArgument, $"learn has unknown flags 0x{(ushort)action.Flags:x}");
        }

        if (action.TableId == 255)
        {
            throw new OpenFlowException(OfpError.BadActionArgument, "learn into table 255");
        }

        var raw = new List<(ushort, NxmFieldInfo?, int, UInt128, NxmFieldInfo?, int)>();
        while (body.Remaining >= 2)
        {
            ushort header = body.ReadUInt16();
            if (header == 0)
            {
                break;
            }

            raw.Add(DecodeSpec(ref body, header));
        }

        if (body.Rest.ContainsAnyExcept((byte)0))
        {
            throw new OpenFlowException(OfpError.BadActionArgument, "learn has non-zero bytes after its last spec");
        }

        return action with { Specs = [.. raw.Select(CheckSpec)] };
    }

    /// <summary>
    /// One spec (ofp-actions.c decode_LEARN_specs): a bad source/destination combination is OFPBAC_BAD_ARGUMENT,
    /// a spec running past the action OFPBAC_BAD_LEN, field headers as nx_pull_header; ranges are checked later.
    /// </summary>
    private static (ushort Header, NxmFieldInfo? Source, int SourceOffset, UInt128 Immediate, NxmFieldInfo? Destination, int DestinationOffset) DecodeSpec(ref SpanReader body, ushort header)
    {
        bool immediate = (header & (1 << 13)) != 0;
        var kind = (LearnSpecKind)((header >> 11) & 3);
        if ((int)kind == 3 || (immediate && kind == LearnSpecKind.Output))
        {
            throw new OpenFlowException(OfpError.BadActionArgument, $"learn spec header 0x{header:x4} combines a bad source and destination");
        }

        int bits = header & 0x3ff;
        int needed = (immediate ? LearnSpec.ImmediateLength(bits) : 6) + (kind == LearnSpecKind.Output ? 0 : 6);
        if (body.Remaining < needed)
        {
            throw new OpenFlowException(OfpError.BadActionLen, "learn spec runs past the end of the action");
        }

        NxmFieldInfo? source = null;
        int sourceOffset = 0;
        UInt128 value = 0;
        if (immediate)
        {
            foreach (byte b in body.ReadBytes(LearnSpec.ImmediateLength(bits)))
            {
                value = (value << 8) | b;
            }
        }
        else
        {
            // Learn looks fields up without nx_pull_header's errors: an unknown one fails learn_check (OFPBAC_BAD_SET_TYPE).
            source = NxmSubfield.LookupField(body.ReadUInt32());
            sourceOffset = body.ReadUInt16();
        }

        NxmFieldInfo? destination = null;
        int destinationOffset = 0;
        if (kind != LearnSpecKind.Output)
        {
            destination = NxmSubfield.LookupField(body.ReadUInt32());
            destinationOffset = body.ReadUInt16();
        }

        return (header, source, sourceOffset, value, destination, destinationOffset);
    }

    /// <summary>lib/learn.c learn_check: sources as mf_check_src, match destinations too, load destinations as mf_check_dst.</summary>
    private static LearnSpec CheckSpec((ushort Header, NxmFieldInfo? Source, int SourceOffset, UInt128 Immediate, NxmFieldInfo? Destination, int DestinationOffset) raw)
    {
        int bits = raw.Header & 0x3ff;
        var kind = (LearnSpecKind)((raw.Header >> 11) & 3);
        bool immediate = (raw.Header & (1 << 13)) != 0;
        NxmSubfield? source = immediate ? null : NxmSubfield.CheckSource(raw.Source, raw.SourceOffset, bits);
        NxmSubfield? destination = kind switch
        {
            LearnSpecKind.Match => NxmSubfield.CheckSource(raw.Destination, raw.DestinationOffset, bits),
            LearnSpecKind.Load => NxmSubfield.CheckDestination(raw.Destination, raw.DestinationOffset, bits),
            _ => null,
        };
        return new LearnSpec(kind, bits, source, raw.Immediate, destination);
    }

    public override void Format(StringBuilder output, PortNames names)
    {
        output.Append("learn(table=").Append(TableId);
        if (IdleTimeout != 0)
        {
            output.Append(",idle_timeout=").Append(IdleTimeout);
        }

        if (HardTimeout != 0)
        {
            output.Append(",hard_timeout=").Append(HardTimeout);
        }

        if (FinIdleTimeout != 0)
        {
            output.Append(",fin_idle_timeout=").Append(FinIdleTimeout);
        }

        if (FinHardTimeout != 0)
        {
            output.Append(",fin_hard_timeout=").Append(FinHardTimeout);
        }

        if (Priority != DefaultPriority)
        {
            output.Append(",priority=").Append(Priority);
        }

        if ((Flags & LearnFlags.SendFlowRemoved) != 0)
        {
            output.Append(",send_flow_rem");
        }

        if ((Flags & LearnFlags.DeleteLearned) != 0)
        {
            output.Append(",delete_learned");
        }

        if (Cookie != 0)
        {
            output.Append(",cookie=0x").Append(Cookie.ToString("x", CultureInfo.InvariantCulture));
        }

        foreach (var spec in Specs)
        {
            output.Append(',');
            spec.Format(output, names);
        }

        output.Append(')');
    }

    public bool Equals(LearnAction? other) =>
        other is not null && TableId == other.TableId && IdleTimeout == other.IdleTimeout && HardTimeout == other.HardTimeout
        && FinIdleTimeout == other.FinIdleTimeout && FinHardTimeout == other.FinHardTimeout && Priority == other.Priority
        && Cookie == other.Cookie && Flags == other.Flags && Specs.SequenceEqual(other.Specs);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.Add(TableId);
        hash.Add(Priority);
        hash.Add(Cookie);
        foreach (var spec in Specs)
        {
            hash.Add(spec);
        }

        return hash.ToHashCode();
    }
}
