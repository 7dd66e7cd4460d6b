using System.Text;

namespace Dvr.Integration.Tests.EndToEnd;

/// <summary>
/// Edits of a topology file's text, as an operator would make them: add list entries under a top-level section,
/// drop ports by name, replace a line. Each edit fails loudly when the text does not look as expected.
/// </summary>
internal static class TopologyYaml
{
    /// <summary>Inserts <paramref name="entries"/> right after the top-level line "<paramref name="section"/>:".</summary>
    public static string AddTo(string yaml, string section, params string[] entries)
    {
        var lines = yaml.Split('\n').ToList();
        int at = lines.FindIndex(l => l.TrimEnd() == section + ":");
        if (at < 0)
        {
            throw new ArgumentException($"the topology has no top-level '{section}:' section");
        }

        lines.InsertRange(at + 1, entries.SelectMany(e => e.TrimEnd('\n').Split('\n')));
        return string.Join('\n', lines);
    }

    /// <summary>Removes the entries "  - name: NAME" of the ports section (up to the next entry, comment or section).</summary>
    public static string WithoutPorts(string yaml, params string[] names)
    {
        var output = new StringBuilder();
        var found = new HashSet<string>(StringComparer.Ordinal);
        bool skipping = false;
        foreach (string line in yaml.Split('\n'))
        {
            string? entry = line.StartsWith("  - name: ", StringComparison.Ordinal) ? line["  - name: ".Length..].Trim() : null;
            if (entry is not null || line.StartsWith("  #", StringComparison.Ordinal) || (line.Length > 0 && line[0] != ' '))
            {
                skipping = entry is not null && names.Contains(entry);
                if (skipping)
                {
                    found.Add(entry!);
                }
            }

            if (!skipping)
            {
                output.Append(line).Append('\n');
            }
        }

        var missing = names.Where(n => !found.Contains(n)).ToList();
        return missing.Count == 0 ? output.ToString().TrimEnd('\n') + "\n" : throw new ArgumentException($"the topology has no port entries [{string.Join(", ", missing)}]");
    }

    /// <summary>A VM (compute:nova) port entry with interface qvoNAME.</summary>
    public static string Vm(string name, string network, string subnet, string ip, string mac, string host) => $$"""
          - name: {{name}}
            network: {{network}}
            interface: qvo{{name}}
            mac: {{mac}}
            fixed_ips: [{ subnet: {{subnet}}, ip: {{ip}} }]
            device_owner: compute:nova
            host: {{host}}
        """;
}
