using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Actions;

namespace Dvr.OpenFlow.Text;

/// <summary>Port numbers and names as ovs-ofctl prints them (lib/ofp-port.c ofputil_format_port).</summary>
public static class PortFormat
{
    public static void Append(StringBuilder output, uint port, PortNames names)
    {
        if (OfpPort.ReservedName(port) is { } reserved)
        {
            output.Append(reserved);
        }
        else if (names.TryGetName(port, out var name))
        {
            AppendName(output, name);
        }
        else
        {
            output.Append(port.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// OVS quotes a name unless it is made only of letters, digits and '_' and does not start with a digit
    /// (lib/ofp-port.c, ofputil_port_to_string with quoting).
    /// </summary>
    public static void AppendName(StringBuilder output, string name)
    {
        if (NeedsQuotes(name))
        {
            output.Append('"');
            foreach (char c in name)
            {
                if (c is '"' or '\\')
                {
                    output.Append('\\');
                }

                output.Append(c);
            }

            output.Append('"');
        }
        else
        {
            output.Append(name);
        }
    }

    private static bool NeedsQuotes(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return true;
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return true;
            }
        }

        return false;
    }
}
