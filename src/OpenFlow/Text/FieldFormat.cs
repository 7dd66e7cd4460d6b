using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Match;

namespace Dvr.OpenFlow.Text;

/// <summary>Field values in ovs-ofctl's notation (lib/meta-flow.c mf_format).</summary>
public static class FieldFormat
{
    /// <summary>The name OVS prints after "->" in set_field (meta-flow's primary name).</summary>
    public static string SetFieldName(OxmField field) => field == OxmFields.TunnelId ? "tun_id" : field.Name;

    public static void AppendValue(StringBuilder output, OxmField field, UInt128 value, PortNames names)
    {
        if (field == OxmFields.InPort)
        {
            PortFormat.Append(output, (uint)value, names);
        }
        else if (field.Length == 6)
        {
            output.Append(new MacAddress((ulong)value).ToString());
        }
        else if (field == OxmFields.Ipv4Src || field == OxmFields.Ipv4Dst || field == OxmFields.ArpSpa || field == OxmFields.ArpTpa)
        {
            uint v = (uint)value;
            output.Append(v >> 24).Append('.').Append((v >> 16) & 0xff).Append('.').Append((v >> 8) & 0xff).Append('.').Append(v & 0xff);
        }
        else if (field == OxmFields.TunnelId || field == OxmFields.Metadata)
        {
            output.Append("0x").Append(((ulong)value).ToString("x", CultureInfo.InvariantCulture));
        }
        else
        {
            output.Append(value.ToString(CultureInfo.InvariantCulture));
        }
    }
}
