using System.Net;
using System.Text;
using Dvr.OpenFlow.Match;
using Dvr.OpenFlow.Text;

namespace Dvr.DvrFlows.Trace;

/// <summary>
/// A packet's header fields as OXM values (the tracer's "flow"). Fields that are always present in OVS's
/// flow key (in_port, vlan_vid — 0 when untagged, i.e. OFPVID_NONE —, tun_id, metadata) default to 0.
/// </summary>
public sealed class PacketFields
{
    private static readonly OxmField[] AlwaysPresent = [OxmFields.VlanVid, OxmFields.TunnelId, OxmFields.Metadata];

    private readonly Dictionary<OxmField, UInt128> _values;

    public PacketFields()
    {
        _values = [];
        foreach (var field in AlwaysPresent)
        {
            _values[field] = 0;
        }
    }

    private PacketFields(Dictionary<OxmField, UInt128> values) => _values = new Dictionary<OxmField, UInt128>(values);

    /// <summary>The packet a trace starts with: every field the match pins, at its value.</summary>
    public static PacketFields FromMatch(Dvr.OpenFlow.Match.Match match)
    {
        var packet = new PacketFields();
        foreach (var entry in match.Entries)
        {
            packet[entry.Field] = entry.Value;
        }

        return packet;
    }

    public UInt128? this[OxmField field]
    {
        get => _values.TryGetValue(field, out var value) ? value : null;
        set
        {
            if (value is { } v)
            {
                _values[field] = v & OxmEntry.AllOnes(field.Length);
            }
            else
            {
                _values.Remove(field);
            }
        }
    }

    public IEnumerable<KeyValuePair<OxmField, UInt128>> Fields => _values.OrderBy(p => p.Key.EncodeOrder);

    public PacketFields Clone() => new(_values);

    /// <summary>True when every field of <paramref name="match"/> covers this packet's value under its mask.</summary>
    public bool Matches(Dvr.OpenFlow.Match.Match match)
    {
        foreach (var entry in match.Entries)
        {
            if (!_values.TryGetValue(entry.Field, out var value))
            {
                return false;
            }

            var mask = entry.HasMask ? entry.Mask : OxmEntry.AllOnes(entry.Field.Length);
            if ((value & mask) != entry.Value)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>"dl_src=..,dl_dst=..,dl_vlan=N|none,tun_id=.." — the fields a DVR trace cares about, in OVS's notation.</summary>
    public string Describe(PortNames names)
    {
        var sb = new StringBuilder();
        foreach (var (field, value) in Fields)
        {
            if (sb.Length > 0)
            {
                sb.Append(',');
            }

            if (field == OxmFields.VlanVid)
            {
                sb.Append("dl_vlan=").Append((value & 0x1000) != 0 ? ((ulong)(value & 0xfff)).ToString(System.Globalization.CultureInfo.InvariantCulture) : "none");
                continue;
            }

            sb.Append(FieldFormat.SetFieldName(field)).Append('=');
            FieldFormat.AppendValue(sb, field, value, names);
        }

        return sb.ToString();
    }

    /// <summary>An address as a right-aligned big-endian number, the form OXM values take here.</summary>
    public static UInt128 AddressValue(IPAddress address)
    {
        UInt128 value = 0;
        foreach (byte b in address.GetAddressBytes())
        {
            value = (value << 8) | b;
        }

        return value;
    }
}
