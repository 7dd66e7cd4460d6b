using System.Buffers.Binary;
using System.Net;
using System.Text;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Actions;

/// <summary>NX_CT_F_* flags of the ct action.</summary>
[Flags]
public enum ConntrackFlags : ushort
{
    None = 0,
    Commit = 1,
    Force = 2,
}

/// <summary>
/// NXAST_CT (nicira-ext.h struct nx_action_conntrack): send the packet through the connection tracker.
/// <code>
/// ffff | len | 00002320 | subtype=35
/// flags(2) | zone_src(4) | zone_ofs_nbits or zone_imm(2) | recirc_table(1) | pad(3) | alg(2)    (24 bytes)
/// nested actions (nat, set_field/load of ct_mark and ct_label)
/// </code>
/// zone_src is a field header (zone read from that field) or 0 (zone_imm is the zone). recirc_table 255 = none.
/// Text (format_CT_ACTION): <c>ct(commit,force,table=N,zone=N|zone=FIELD[..],nat(...),exec(...),alg=ftp)</c>.
/// </summary>
public sealed record ConntrackAction : NiciraAction
{
    public const int FixedLength = 24;

    public const byte NoTable = 255;

    public ConntrackFlags Flags { get; init; }

    /// <summary>The immediate zone, used when <see cref="ZoneSource"/> is null.</summary>
    public ushort Zone { get; init; }

    /// <summary>The field the zone is read from, or null for <see cref="Zone"/>.</summary>
    public NxmSubfield? ZoneSource { get; init; }

    public byte RecirculateTable { get; init; } = NoTable;

    /// <summary>Application-layer gateway by L4 port: 0 none, 21 ftp, 69 tftp.</summary>
    public ushort Alg { get; init; }

    /// <summary>Nested actions (a leading <see cref="NatAction"/> prints outside <c>exec(...)</c>).</summary>
    public ActionList Actions { get; init; } = ActionList.Empty;

    public override NiciraSubtype Subtype => NiciraSubtype.Conntrack;

    public override int EncodedLength => FixedLength + Actions.EncodedLength;

    public override void Encode(ref SpanWriter writer)
    {
        WriteHeader(ref writer);
        writer.WriteUInt16((ushort)Flags);
        if (ZoneSource is { } zone)
        {
            writer.WriteUInt32(zone.Field.Header);
            writer.WriteUInt16(EncodeOffsetBits(zone.Offset, zone.Bits));
        }
        else
        {
            writer.WriteUInt32(0);
            writer.WriteUInt16(Zone);
        }

        writer.WriteByte(RecirculateTable);
        writer.WriteZeros(3);
        writer.WriteUInt16(Alg);
        Actions.Encode(ref writer);
    }

    /// <summary>Whether an action may be nested in ct (OVS: nat, and set_field/load of ct_mark or ct_label).</summary>
    public static bool IsAllowedInside(OfpAction action) => action switch
    {
        NatAction => true,
        SetFieldAction set => set.Field.Name is "ct_mark" or "ct_label",
        RegLoadAction load => load.Destination.Field.MfName is "ct_mark" or "ct_label",
        _ => false,
    };

    /// <summary>OVS requires commit unless the only nested action is a nat without arguments.</summary>
    internal static bool NeedsCommit(ActionList actions) =>
        actions.Actions.Any(a => a is not NatAction { Flags: NatFlags.None });

    /// <summary>
    /// decode_NXAST_RAW_CT: unknown flags, a bad zone field, a disallowed nested action or a missing commit are
    /// OFPBAC_BAD_ARGUMENT.
    /// </summary>
    internal static ConntrackAction Decode(ref SpanReader body, int length)
    {
        ExpectMinLength(length, FixedLength, NiciraSubtype.Conntrack);
        var flags = (ConntrackFlags)body.ReadUInt16();
        uint zoneHeader = body.ReadUInt32();
        ushort zoneValue = body.ReadUInt16();
        byte table = body.ReadByte();
        body.Skip(3);
        ushort alg = body.ReadUInt16();
        if (((ushort)flags & ~(ushort)(ConntrackFlags.Commit | ConntrackFlags.Force)) != 0)
        {
            throw new OpenFlowException(OfpError.BadActionArgument, $"ct has unknown flags 0x{(ushort)flags:x}");
        }

        NxmSubfield? zoneSource = null;
        if (zoneHeader != 0)
        {
            var field = NxmSubfield.LookupField(zoneHeader);
            var zone = NxmSubfield.CheckSource(field, zoneValue >> 6, (zoneValue & 0x3f) + 1);
            if (zone.Bits != 16)
            {
                throw new OpenFlowException(OfpError.BadActionArgument, $"ct zone field {zone} is not 16 bits wide");
            }

            zoneSource = zone;
        }

        var nested = body.ReadSub(body.Remaining, OfpError.BadActionLen);
        var actions = ActionCodec.DecodeList(ref nested, Messages.DecodeMode.Strict);
        foreach (var action in actions.Actions)
        {
            if (!IsAllowedInside(action))
            {
                throw new OpenFlowException(OfpError.BadActionArgument, $"action {action} is not allowed inside ct");
            }
        }

        if ((flags & ConntrackFlags.Commit) == 0 && NeedsCommit(actions))
        {
            throw new OpenFlowException(OfpError.BadActionArgument, "ct with nested actions other than a bare nat requires commit");
        }

        return new ConntrackAction
        {
            Flags = flags,
            Zone = zoneSource is null ? zoneValue : (ushort)0,
            ZoneSource = zoneSource,
            RecirculateTable = table,
            Alg = alg,
            Actions = actions,
        };
    }

    public override void Format(StringBuilder output, PortNames names)
    {
        var parts = new List<string>();
        if ((Flags & ConntrackFlags.Commit) != 0)
        {
            parts.Add("commit");
        }

        if ((Flags & ConntrackFlags.Force) != 0)
        {
            parts.Add("force");
        }

        if (RecirculateTable != NoTable)
        {
            parts.Add($"table={RecirculateTable}");
        }

        if (ZoneSource is { } zone)
        {
            parts.Add($"zone={zone}");
        }
        else if (Zone != 0)
        {
            parts.Add($"zone={Zone}");
        }

        var rest = Actions.Actions;
        if (!rest.IsEmpty && rest[0] is NatAction nat)
        {
            parts.Add(nat.ToString());
            rest = rest.RemoveAt(0);
        }

        if (!rest.IsEmpty)
        {
            parts.Add($"exec({new ActionList(rest).ToString()})");
        }

        if (Alg != 0)
        {
            parts.Add(Alg switch { 21 => "alg=ftp", 69 => "alg=tftp", _ => $"alg={Alg}" });
        }

        output.Append("ct(").AppendJoin(',', parts).Append(')');
    }
}

/// <summary>NX_NAT_F_* flags.</summary>
[Flags]
public enum NatFlags : ushort
{
    None = 0,
    Source = 1,
    Destination = 2,
    Persistent = 4,
    ProtocolHash = 8,
    ProtocolRandom = 16,
}

/// <summary>
/// NXAST_NAT (nicira-ext.h struct nx_action_nat), only valid inside ct:
/// <code>
/// ffff | len | 00002320 | subtype=36 | pad(2) | flags(2) | range_present(2)                 (16 bytes)
/// then, each only when its range_present bit is set: ipv4 min(4), ipv4 max(4), ipv6 min(16), ipv6 max(16),
/// port min(2), port max(2); zeros to a multiple of 8
/// </code>
/// OVS writes an address or port only when it is non-zero. Text: <c>nat</c>, <c>nat(src=10.0.0.1-10.0.0.9:100-200,persistent,random)</c>.
/// </summary>
public sealed record NatAction(NatFlags Flags, IPAddress? MinAddress = null, IPAddress? MaxAddress = null, ushort MinPort = 0, ushort MaxPort = 0) : NiciraAction
{
    private const ushort Ipv4Min = 1;
    private const ushort Ipv4Max = 2;
    private const ushort Ipv6Min = 4;
    private const ushort Ipv6Max = 8;
    private const ushort PortMin = 16;
    private const ushort PortMax = 32;

    public override NiciraSubtype Subtype => NiciraSubtype.Nat;

    private bool IsIpv6 => (MinAddress ?? MaxAddress)?.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;

    private static bool IsZero(IPAddress? address) => address is null || address.GetAddressBytes().All(b => b == 0);

    private ushort RangePresent
    {
        get
        {
            ushort present = 0;
            if (!IsZero(MinAddress))
            {
                present |= IsIpv6 ? Ipv6Min : Ipv4Min;
            }

            if (!IsZero(MaxAddress))
            {
                present |= IsIpv6 ? Ipv6Max : Ipv4Max;
            }

            if (MinPort != 0)
            {
                present |= PortMin;
            }

            if (MaxPort != 0)
            {
                present |= PortMax;
            }

            return present;
        }
    }

    public override int EncodedLength
    {
        get
        {
            int addressLength = IsIpv6 ? 16 : 4;
            ushort present = RangePresent;
            int length = 16 + ((present & (Ipv4Min | Ipv6Min)) != 0 ? addressLength : 0) + ((present & (Ipv4Max | Ipv6Max)) != 0 ? addressLength : 0)
                + ((present & PortMin) != 0 ? 2 : 0) + ((present & PortMax) != 0 ? 2 : 0);
            return SpanWriter.Align(length, 8);
        }
    }

    public override void Encode(ref SpanWriter writer)
    {
        int start = writer.Position;
        WriteHeader(ref writer);
        writer.WriteZeros(2);
        writer.WriteUInt16((ushort)Flags);
        ushort present = RangePresent;
        writer.WriteUInt16(present);
        if ((present & (Ipv4Min | Ipv6Min)) != 0)
        {
            writer.WriteBytes(MinAddress!.GetAddressBytes());
        }

        if ((present & (Ipv4Max | Ipv6Max)) != 0)
        {
            writer.WriteBytes(MaxAddress!.GetAddressBytes());
        }

        if ((present & PortMin) != 0)
        {
            writer.WriteUInt16(MinPort);
        }

        if ((present & PortMax) != 0)
        {
            writer.WriteUInt16(MaxPort);
        }

        writer.PadTo(start, 8);
    }

    /// <summary>decode_NXAST_RAW_NAT: unknown flags, both src and dst, or mixed address families are OFPBAC_BAD_ARGUMENT.</summary>
    internal static NatAction Decode(ref SpanReader body, int length)
    {
        ExpectMinLength(length, 16, NiciraSubtype.Nat);
        body.Skip(2);
        var flags = (NatFlags)body.ReadUInt16();
        ushort present = body.ReadUInt16();
        if (((ushort)flags & ~0x1f) != 0 || (flags & (NatFlags.Source | NatFlags.Destination)) == (NatFlags.Source | NatFlags.Destination)
            || (present & ~0x3f) != 0 || ((present & (Ipv4Min | Ipv4Max)) != 0 && (present & (Ipv6Min | Ipv6Max)) != 0)
            || (present != 0 && (flags & (NatFlags.Source | NatFlags.Destination)) == 0))
        {
            throw new OpenFlowException(OfpError.BadActionArgument, $"nat with flags 0x{(ushort)flags:x} and range 0x{present:x}");
        }

        int addressBytes = (present & (Ipv6Min | Ipv6Max)) != 0 ? 16 : 4;
        int needed = (((present & (Ipv4Min | Ipv6Min)) != 0 ? 1 : 0) + ((present & (Ipv4Max | Ipv6Max)) != 0 ? 1 : 0)) * addressBytes
            + ((present & PortMin) != 0 ? 2 : 0) + ((present & PortMax) != 0 ? 2 : 0);
        if (body.Remaining < needed)
        {
            throw new OpenFlowException(OfpError.BadActionLen, "nat range runs past the action");
        }

        IPAddress? min = (present & (Ipv4Min | Ipv6Min)) != 0 ? new IPAddress(body.ReadBytes(addressBytes)) : null;
        IPAddress? max = (present & (Ipv4Max | Ipv6Max)) != 0 ? new IPAddress(body.ReadBytes(addressBytes)) : null;
        ushort minPort = (present & PortMin) != 0 ? body.ReadUInt16() : (ushort)0;
        ushort maxPort = (present & PortMax) != 0 ? body.ReadUInt16() : (ushort)0;
        return new NatAction(flags, min, max, minPort, maxPort);
    }

    public override void Format(StringBuilder output, PortNames names)
    {
        output.Append("nat");
        if ((Flags & (NatFlags.Source | NatFlags.Destination)) == 0)
        {
            return;
        }

        output.Append('(').Append((Flags & NatFlags.Source) != 0 ? "src" : "dst");
        if (MinAddress is not null || MaxAddress is not null)
        {
            output.Append('=');
            bool v6 = IsIpv6;
            // IPv6 addresses get brackets only when a port follows (ipv6_format_addr_bracket).
            bool brackets = v6 && MinPort != 0;
            string Address(IPAddress? a) => a is null ? (v6 ? "::" : "0.0.0.0") : brackets ? $"[{a}]" : a.ToString();
            output.Append(Address(MinAddress));
            if (!IsZero(MaxAddress) && !Equals(MaxAddress, MinAddress))
            {
                output.Append('-').Append(Address(MaxAddress));
            }

            if (MinPort != 0)
            {
                output.Append(':').Append(MinPort);
                if (MaxPort != 0 && MaxPort != MinPort)
                {
                    output.Append('-').Append(MaxPort);
                }
            }
        }

        if ((Flags & NatFlags.Persistent) != 0)
        {
            output.Append(",persistent");
        }

        if ((Flags & NatFlags.ProtocolHash) != 0)
        {
            output.Append(",hash");
        }

        if ((Flags & NatFlags.ProtocolRandom) != 0)
        {
            output.Append(",random");
        }

        output.Append(')');
    }

    /// <summary>Parses the inside of <c>nat(...)</c> (lib/ofp-actions.c parse_NAT).</summary>
    internal static NatAction Parse(string text)
    {
        var flags = NatFlags.None;
        IPAddress? min = null;
        IPAddress? max = null;
        ushort minPort = 0;
        ushort maxPort = 0;
        foreach (string raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = raw.IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? raw : raw[..eq];
            switch (key)
            {
                case "src" or "dst":
                    if ((flags & (NatFlags.Source | NatFlags.Destination)) != 0)
                    {
                        throw new TextParseException($"nat: at most one of `src' and `dst' may be given in `{text}'");
                    }

                    flags |= key == "src" ? NatFlags.Source : NatFlags.Destination;
                    if (eq >= 0)
                    {
                        ParseRange(raw[(eq + 1)..], out min, out max, out minPort, out maxPort);
                    }

                    break;
                case "persistent":
                    flags |= NatFlags.Persistent;
                    break;
                case "hash":
                    flags |= NatFlags.ProtocolHash;
                    break;
                case "random":
                    flags |= NatFlags.ProtocolRandom;
                    break;
                default:
                    throw new TextParseException($"nat: unknown argument `{raw}'");
            }
        }

        if ((flags & (NatFlags.ProtocolHash | NatFlags.ProtocolRandom)) == (NatFlags.ProtocolHash | NatFlags.ProtocolRandom))
        {
            throw new TextParseException("nat: both hash and random are specified");
        }

        return new NatAction(flags, min, max, minPort, maxPort);
    }

    private static void ParseRange(string text, out IPAddress? min, out IPAddress? max, out ushort minPort, out ushort maxPort)
    {
        min = null;
        max = null;
        minPort = 0;
        maxPort = 0;
        string addresses;
        string? ports = null;
        if (text.StartsWith('['))
        {
            // IPv6: [a]-[b]:p-q
            int close = text.LastIndexOf(']');
            addresses = text[..(close + 1)];
            if (close + 1 < text.Length && text[close + 1] == ':')
            {
                ports = text[(close + 2)..];
            }

            var parts = addresses.Split('-', 2);
            min = ParseAddress(parts[0].Trim('[', ']'), text);
            max = parts.Length > 1 ? ParseAddress(parts[1].Trim('[', ']'), text) : null;
        }
        else
        {
            int colon = text.IndexOf(':', StringComparison.Ordinal);
            bool ipv6 = colon >= 0 && text.IndexOf(':', colon + 1) >= 0;
            if (!ipv6 && colon >= 0)
            {
                ports = text[(colon + 1)..];
                text = text[..colon];
            }

            var parts = text.Split('-', 2);
            min = ParseAddress(parts[0], text);
            max = parts.Length > 1 ? ParseAddress(parts[1], text) : null;
        }

        if (ports is not null)
        {
            var range = ports.Split('-', 2);
            minPort = ParsePort(range[0], text);
            maxPort = range.Length > 1 ? ParsePort(range[1], text) : (ushort)0;
        }
    }

    private static IPAddress ParseAddress(string text, string whole) =>
        IPAddress.TryParse(text, out var address) ? address : throw new TextParseException($"nat: `{text}' in `{whole}' is not an IP address");

    private static ushort ParsePort(string text, string whole) =>
        ushort.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ushort port)
            ? port
            : throw new TextParseException($"nat: `{text}' in `{whole}' is not a port number");

    public bool Equals(NatAction? other) => other is not null && Flags == other.Flags && Equals(MinAddress, other.MinAddress)
        && Equals(MaxAddress, other.MaxAddress) && MinPort == other.MinPort && MaxPort == other.MaxPort;

    public override int GetHashCode() => HashCode.Combine(Flags, MinAddress, MaxAddress, MinPort, MaxPort);
}
