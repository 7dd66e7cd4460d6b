using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Actions;

/// <summary>
/// NXAST_NOTE (nicira-ext.h struct nx_action_note): opaque bytes the switch ignores, padded with zeros to 8.
/// <code>ffff | len | 00002320 | subtype=8 | note bytes (len - 10)</code>
/// Text: <c>note:01.02.03.00.00.00</c> (every byte, padding included, as OVS prints it after decoding).
/// </summary>
public sealed record NoteAction(ImmutableArray<byte> Note) : NiciraAction
{
    public override NiciraSubtype Subtype => NiciraSubtype.Note;

    public override int EncodedLength => Math.Max(16, SpanWriter.Align(HeaderLength + Note.Length, 8));

    public override void Encode(ref SpanWriter writer)
    {
        int start = writer.Position;
        WriteHeader(ref writer);
        writer.WriteBytes(Note.AsSpan());
        writer.WriteZeros(EncodedLength - (writer.Position - start));
    }

    internal static NoteAction Decode(ref SpanReader body, int length)
    {
        ExpectMinLength(length, 16, NiciraSubtype.Note);
        return new NoteAction([.. body.ReadBytes(body.Remaining)]);
    }

    public override void Format(StringBuilder output, PortNames names)
    {
        output.Append("note:");
        for (int i = 0; i < Note.Length; i++)
        {
            if (i > 0)
            {
                output.Append('.');
            }

            output.Append(Note[i].ToString("x2", CultureInfo.InvariantCulture));
        }
    }

    public bool Equals(NoteAction? other) => other is not null && Note.AsSpan().SequenceEqual(other.Note.AsSpan());

    public override int GetHashCode() => Note.Length;
}

/// <summary>
/// NXAST_CONJUNCTION (nicira-ext.h struct nx_action_conjunction), 16 bytes:
/// <code>ffff | len=16 | 00002320 | subtype=34 | clause(1) | n_clauses(1) | id(4)</code>
/// Text: <c>conjunction(ID,CLAUSE/N)</c> with CLAUSE counted from 1; N is 2..64.
/// </summary>
public sealed record ConjunctionAction(uint Id, byte Clause, byte ClauseCount) : NiciraAction
{
    public override NiciraSubtype Subtype => NiciraSubtype.Conjunction;

    public override int EncodedLength => 16;

    public override void Encode(ref SpanWriter writer)
    {
        WriteHeader(ref writer);
        writer.WriteByte(Clause);
        writer.WriteByte(ClauseCount);
        writer.WriteUInt32(Id);
    }

    internal static ConjunctionAction Decode(ref SpanReader body, int length)
    {
        ExpectLength(length, 16, NiciraSubtype.Conjunction);
        byte clause = body.ReadByte();
        byte count = body.ReadByte();
        uint id = body.ReadUInt32();
        if (count is < 2 or > 64 || clause >= count)
        {
            throw new OpenFlowException(ActionErrors.BadConjunction, $"conjunction clause {clause + 1}/{count} is invalid");
        }

        return new ConjunctionAction(id, clause, count);
    }

    public override void Format(StringBuilder output, PortNames names) =>
        output.Append("conjunction(").Append(Id).Append(',').Append(Clause + 1).Append('/').Append(ClauseCount).Append(')');
}

/// <summary>
/// NXAST_DEC_TTL_CNT_IDS (nicira-ext.h struct nx_action_cnt_ids): dec_ttl that reports to the listed controllers.
/// <code>ffff | len | 00002320 | subtype=21 | n_controllers(2) | zero(4) | ids (2 bytes each) | pad to 8</code>
/// Text: <c>dec_ttl(1,2,3)</c>. A bare <c>dec_ttl</c> is the standard OFPAT_DEC_NW_TTL.
/// </summary>
public sealed record DecTtlCountIdsAction(ImmutableArray<ushort> ControllerIds) : NiciraAction
{
    public override NiciraSubtype Subtype => NiciraSubtype.DecTtlCountIds;

    public override int EncodedLength => SpanWriter.Align(16 + (2 * ControllerIds.Length), 8);

    public override void Encode(ref SpanWriter writer)
    {
        int start = writer.Position;
        WriteHeader(ref writer);
        writer.WriteUInt16((ushort)ControllerIds.Length);
        writer.WriteZeros(4);
        foreach (ushort id in ControllerIds)
        {
            writer.WriteUInt16(id);
        }

        writer.PadTo(start, 8);
    }

    internal static DecTtlCountIdsAction Decode(ref SpanReader body, int length)
    {
        ExpectMinLength(length, 16, NiciraSubtype.DecTtlCountIds);
        int count = body.ReadUInt16();
        if (body.ReadBytes(4).ContainsAnyExcept((byte)0))
        {
            throw new OpenFlowException(ActionErrors.MustBeZero, "dec_ttl with non-zero reserved bytes");
        }

        if (body.Remaining < 2 * count)
        {
            throw new OpenFlowException(OfpError.BadActionLen, $"dec_ttl lists {count} controller ids in {length} bytes");
        }

        var ids = ImmutableArray.CreateBuilder<ushort>(count);
        for (int i = 0; i < count; i++)
        {
            ids.Add(body.ReadUInt16());
        }

        if (body.Rest.ContainsAnyExcept((byte)0))
        {
            throw new OpenFlowException(OfpError.BadActionArgument, "dec_ttl with non-zero padding");
        }

        return new DecTtlCountIdsAction(ids.MoveToImmutable());
    }

    public override void Format(StringBuilder output, PortNames names)
    {
        output.Append("dec_ttl(");
        for (int i = 0; i < ControllerIds.Length; i++)
        {
            if (i > 0)
            {
                output.Append(',');
            }

            output.Append(ControllerIds[i]);
        }

        output.Append(')');
    }

    public bool Equals(DecTtlCountIdsAction? other) => other is not null && ControllerIds.AsSpan().SequenceEqual(other.ControllerIds.AsSpan());

    public override int GetHashCode() => ControllerIds.Length;
}

/// <summary>
/// NXAST_SET_TUNNEL (16 bytes: <c>subtype=2 | pad(2) | tun_id(4)</c>) and NXAST_SET_TUNNEL64
/// (24 bytes: <c>subtype=9 | pad(6) | tun_id(8)</c>). OVS only decodes these in OpenFlow 1.3: its parser turns
/// <c>set_tunnel:</c> into <c>set_field:...-&gt;tun_id</c>. Text: <c>set_tunnel:0x5</c> / <c>set_tunnel64:0x5</c>.
/// </summary>
public sealed record SetTunnelAction(ulong TunnelId, bool Wide) : NiciraAction
{
    public override NiciraSubtype Subtype => Wide ? NiciraSubtype.SetTunnel64 : NiciraSubtype.SetTunnel;

    public override int EncodedLength => Wide ? 24 : 16;

    public override void Encode(ref SpanWriter writer)
    {
        WriteHeader(ref writer);
        if (Wide)
        {
            writer.WriteZeros(6);
            writer.WriteUInt64(TunnelId);
        }
        else
        {
            writer.WriteZeros(2);
            writer.WriteUInt32((uint)TunnelId);
        }
    }

    internal static SetTunnelAction Decode(ref SpanReader body, int length, bool wide)
    {
        ExpectLength(length, wide ? 24 : 16, wide ? NiciraSubtype.SetTunnel64 : NiciraSubtype.SetTunnel);
        if (wide)
        {
            body.Skip(6);
            return new SetTunnelAction(body.ReadUInt64(), true);
        }

        body.Skip(2);
        return new SetTunnelAction(body.ReadUInt32(), false);
    }

    public override void Format(StringBuilder output, PortNames names) =>
        output.Append(Wide || TunnelId > uint.MaxValue ? "set_tunnel64:0x" : "set_tunnel:0x").Append(TunnelId.ToString("x", CultureInfo.InvariantCulture));
}

/// <summary>NXAST_POP_QUEUE, 16 bytes: <c>ffff | len=16 | 00002320 | subtype=5 | pad(6)</c>. Text: <c>pop_queue</c>.</summary>
public sealed record PopQueueAction : NiciraAction
{
    public override NiciraSubtype Subtype => NiciraSubtype.PopQueue;

    public override int EncodedLength => 16;

    public override void Encode(ref SpanWriter writer)
    {
        WriteHeader(ref writer);
        writer.WriteZeros(6);
    }

    public override void Format(StringBuilder output, PortNames names) => output.Append("pop_queue");
}

/// <summary>enum ofp_packet_in_reason names as OVS prints them (ofputil_packet_in_reason_to_string).</summary>
public static class PacketInReasons
{
    private static readonly string[] Names = ["no_match", "action", "invalid_ttl", "action_set", "group", "packet_out"];

    public static string Format(byte reason) => reason < Names.Length ? Names[reason] : reason.ToString(CultureInfo.InvariantCulture);

    public static bool TryParse(string text, out byte reason)
    {
        int index = Array.IndexOf(Names, text);
        reason = (byte)Math.Max(index, 0);
        return index >= 0;
    }
}

/// <summary>
/// NXAST_CONTROLLER (nicira-ext.h struct nx_action_controller), 16 bytes: send to the controller with a reason and id.
/// <code>ffff | len=16 | 00002320 | subtype=20 | max_len(2) | controller_id(2) | reason(1) | zero(1)</code>
/// OVS writes a plain OFPAT_OUTPUT to CONTROLLER when reason is "action" and id 0, so this form carries the rest.
/// Text: <c>controller(reason=no_match,max_len=100,id=3)</c>.
/// </summary>
public sealed record ControllerAction(ushort MaxLength, ushort ControllerId, byte Reason) : NiciraAction
{
    public const byte ReasonAction = 1;

    public override NiciraSubtype Subtype => NiciraSubtype.Controller;

    public override int EncodedLength => 16;

    public override void Encode(ref SpanWriter writer)
    {
        WriteHeader(ref writer);
        writer.WriteUInt16(MaxLength);
        writer.WriteUInt16(ControllerId);
        writer.WriteByte(Reason);
        writer.WriteZeros(1);
    }

    /// <summary>Decodes NXAST_CONTROLLER (OVS keeps the Nicira form, so it re-encodes the same bytes).</summary>
    internal static ControllerAction Decode(ref SpanReader body, int length)
    {
        ExpectLength(length, 16, NiciraSubtype.Controller);
        ushort maxLength = body.ReadUInt16();
        ushort id = body.ReadUInt16();
        byte reason = body.ReadByte();
        return new ControllerAction(maxLength, id, reason);
    }

    public override void Format(StringBuilder output, PortNames names)
    {
        if (Reason == ReasonAction && ControllerId == 0)
        {
            output.Append("CONTROLLER:").Append(MaxLength);
            return;
        }

        var parts = new List<string>();
        if (Reason != ReasonAction)
        {
            parts.Add("reason=" + PacketInReasons.Format(Reason));
        }

        if (MaxLength != ushort.MaxValue)
        {
            parts.Add("max_len=" + MaxLength.ToString(CultureInfo.InvariantCulture));
        }

        if (ControllerId != 0)
        {
            parts.Add("id=" + ControllerId.ToString(CultureInfo.InvariantCulture));
        }

        output.Append("controller(").AppendJoin(',', parts).Append(')');
    }
}

/// <summary>
/// NXAST_FIN_TIMEOUT (nicira-ext.h struct nx_action_fin_timeout), 16 bytes:
/// <code>ffff | len=16 | 00002320 | subtype=19 | fin_idle_timeout(2) | fin_hard_timeout(2) | pad(2)</code>
/// On a TCP FIN or RST, shortens the flow's idle/hard timeouts to these (0 leaves one alone).
/// Text: <c>fin_timeout(idle_timeout=10,hard_timeout=20)</c> (OVS format_FIN_TIMEOUT prints only the non-zero ones).
/// </summary>
public sealed record FinTimeoutAction(ushort IdleTimeout, ushort HardTimeout) : NiciraAction
{
    public const int Length = 16;

    public override NiciraSubtype Subtype => NiciraSubtype.FinTimeout;

    public override int EncodedLength => Length;

    public override void Encode(ref SpanWriter writer)
    {
        WriteHeader(ref writer);
        writer.WriteUInt16(IdleTimeout);
        writer.WriteUInt16(HardTimeout);
        writer.WriteZeros(2);
    }

    internal static FinTimeoutAction Decode(ref SpanReader body, int length)
    {
        ExpectLength(length, Length, NiciraSubtype.FinTimeout);
        return new FinTimeoutAction(body.ReadUInt16(), body.ReadUInt16());
    }

    public override void Format(StringBuilder output, PortNames names)
    {
        output.Append("fin_timeout(");
        if (IdleTimeout != 0)
        {
            output.Append("idle_timeout=").Append(IdleTimeout).Append(',');
        }

        if (HardTimeout != 0)
        {
            output.Append("hard_timeout=").Append(HardTimeout).Append(',');
        }

        if (output[^1] == ',')
        {
            output.Length--;
        }

        output.Append(')');
    }
}
