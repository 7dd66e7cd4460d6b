using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Dvr.OpenFlow;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Dvr.DvrFlows.Topology;

/// <summary>
/// Reads the fields of one YAML mapping with exact positions. Unknown keys are reported at the key; a wrong type
/// or bad value at the value; a missing required field at the mapping, naming the field's path. Every getter
/// returns null (and records an error when appropriate) instead of throwing, so one pass finds every problem.
/// </summary>
internal sealed class YamlMappingReader
{
    private readonly Dictionary<string, (YamlNode Key, YamlNode Value)> _fields = new(StringComparer.Ordinal);

    private YamlMappingReader(TopologyLoadContext context, YamlMappingNode node, string path)
    {
        Context = context;
        Node = node;
        Path = path;
    }

    public TopologyLoadContext Context { get; }

    public YamlMappingNode Node { get; }

    public string Path { get; }

    /// <summary>True when a getter on this mapping reported an error (the entity should not be built).</summary>
    public bool Failed { get; private set; }

    /// <summary>Opens <paramref name="node"/> as a mapping whose keys must be in <paramref name="allowedKeys"/>; null if it is not a mapping.</summary>
    public static YamlMappingReader? Open(TopologyLoadContext context, YamlNode node, string path, params string[] allowedKeys)
    {
        context.Remember(node, path);
        if (node is not YamlMappingNode mapping)
        {
            context.Error(node, path, $"expected a mapping ({{ key: value, ... }}), got {Describe(node)}");
            return null;
        }

        var reader = new YamlMappingReader(context, mapping, path);
        foreach (var (key, value) in mapping.Children)
        {
            if (key is not YamlScalarNode { Value: { } name })
            {
                context.Error(key, path, $"keys must be plain strings, got {Describe(key)}");
                reader.Failed = true;
                continue;
            }

            string keyPath = TopologyLoadContext.Child(path, name);
            if (!allowedKeys.Contains(name, StringComparer.Ordinal))
            {
                context.Error(key, keyPath, $"unknown key '{name}' (allowed here: {string.Join(", ", allowedKeys)})");
                reader.Failed = true;
                continue;
            }

            context.Remember(value, keyPath);
            reader._fields[name] = (key, value);
        }

        return reader;
    }

    public string PathOf(string key) => TopologyLoadContext.Child(Path, key);

    public bool Has(string key) => Value(key) is not null;

    /// <summary>The value node of <paramref name="key"/>, or null when absent or written as null/~.</summary>
    public YamlNode? Value(string key) =>
        _fields.TryGetValue(key, out var field) && !IsNull(field.Value) ? field.Value : null;

    /// <summary>The key node of <paramref name="key"/>, or null when absent.</summary>
    public YamlNode? KeyNode(string key) => _fields.TryGetValue(key, out var field) ? field.Key : null;

    /// <summary>Propagates a nested mapping's failure (or its absence, when it could not be opened) to this entity.</summary>
    public void Absorb(YamlMappingReader? child)
    {
        if (child is null || child.Failed)
        {
            Failed = true;
        }
    }

    public void Fail(string key, string message)
    {
        Failed = true;
        var node = Value(key);
        if (node is null)
        {
            Context.Error(PathOf(key), message);
        }
        else
        {
            Context.Error(node, PathOf(key), message);
        }
    }

    public void Fail(YamlNode node, string path, string message)
    {
        Failed = true;
        Context.Error(node, path, message);
    }

    /// <summary>Reports a missing required field at this mapping's position.</summary>
    public void Missing(string key, string what)
    {
        Failed = true;
        Context.Error(Context.LocationOf(Node, PathOf(key)), $"missing required field '{key}' ({what})");
    }

    public string? String(string key, bool required, string what)
    {
        var node = Value(key);
        if (node is null)
        {
            if (required)
            {
                Missing(key, what);
            }

            return null;
        }

        if (node is not YamlScalarNode scalar)
        {
            Fail(key, $"expected {what}, got {Describe(node)}");
            return null;
        }

        string text = scalar.Value ?? string.Empty;
        if (text.Length == 0 || text.Any(char.IsControl))
        {
            Fail(key, $"expected {what}, got an empty or unprintable string");
            return null;
        }

        return text;
    }

    /// <summary>A non-negative integer, decimal or 0x hexadecimal, within [min, max].</summary>
    public ulong? Integer(string key, bool required, string what, ulong min, ulong max)
    {
        var node = Value(key);
        if (node is null)
        {
            if (required)
            {
                Missing(key, what);
            }

            return null;
        }

        if (node is not YamlScalarNode { Value: { } text } scalar || scalar.Style is not ScalarStyle.Plain)
        {
            Fail(key, $"expected {what} (an unquoted integer, decimal or 0x hex), got {Describe(node)}");
            return null;
        }

        if (!TryParseInteger(text, out ulong value))
        {
            Fail(key, $"expected {what} (decimal or 0x hex integer), got '{text}'");
            return null;
        }

        if (value < min || value > max)
        {
            Fail(key, $"{what} must be {min}..{max}, got {text}");
            return null;
        }

        return value;
    }

    public bool? Boolean(string key, bool required, string what)
    {
        var node = Value(key);
        if (node is null)
        {
            if (required)
            {
                Missing(key, what);
            }

            return null;
        }

        if (node is YamlScalarNode { Style: ScalarStyle.Plain, Value: { } text })
        {
            if (text is "true" or "True" or "TRUE")
            {
                return true;
            }

            if (text is "false" or "False" or "FALSE")
            {
                return false;
            }
        }

        Fail(key, $"expected true or false ({what}), got {Describe(node)}");
        return null;
    }

    public MacAddress? Mac(string key, bool required, string what)
    {
        string? text = String(key, required, what);
        if (text is null)
        {
            return null;
        }

        if (!MacAddress.TryParse(text, out var mac))
        {
            Fail(key, $"'{text}' is not a MAC address (expected xx:xx:xx:xx:xx:xx)");
            return null;
        }

        return mac;
    }

    public IPAddress? Ip(string key, bool required, string what)
    {
        string? text = String(key, required, what);
        if (text is null)
        {
            return null;
        }

        // IPAddress.TryParse accepts "1" or "10.1" (inet_aton forms); a topology wants the dotted quad or RFC 4291 text.
        bool plausible = text.Contains(':', StringComparison.Ordinal) || text.Count(c => c == '.') == 3;
        if (!plausible || !IPAddress.TryParse(text, out var address) || address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            || text.Contains('%', StringComparison.Ordinal))
        {
            Fail(key, $"'{text}' is not an IPv4 or IPv6 address");
            return null;
        }

        return address;
    }

    public IpPrefix? Prefix(string key, bool required, string what)
    {
        string? text = String(key, required, what);
        if (text is null)
        {
            return null;
        }

        try
        {
            var prefix = IpPrefix.Parse(text);
            if (!text.Contains(':', StringComparison.Ordinal) && text[..text.IndexOf('/', StringComparison.Ordinal)].Count(c => c == '.') != 3)
            {
                throw new FormatException($"'{text}' is not a CIDR prefix (expected e.g. 10.0.1.0/24)");
            }

            return prefix;
        }
        catch (FormatException e)
        {
            Fail(key, e.Message);
            return null;
        }
    }

    /// <summary>The items of a sequence field (empty when absent), with their paths.</summary>
    public IReadOnlyList<(YamlNode Node, string Path)> Sequence(string key, bool required, string what)
    {
        var node = Value(key);
        if (node is null)
        {
            if (required)
            {
                Missing(key, what);
            }

            return [];
        }

        if (node is not YamlSequenceNode sequence)
        {
            Fail(key, $"expected a list of {what}, got {Describe(node)}");
            return [];
        }

        var items = new List<(YamlNode, string)>();
        for (int i = 0; i < sequence.Children.Count; i++)
        {
            string itemPath = TopologyLoadContext.Item(PathOf(key), i);
            Context.Remember(sequence.Children[i], itemPath);
            items.Add((sequence.Children[i], itemPath));
        }

        return items;
    }

    /// <summary>A nested mapping field, opened with its own allowed keys (null when absent or not a mapping).</summary>
    public YamlMappingReader? Mapping(string key, bool required, string what, params string[] allowedKeys)
    {
        var node = Value(key);
        if (node is null)
        {
            if (required)
            {
                Missing(key, what);
            }

            return null;
        }

        var reader = Open(Context, node, PathOf(key), allowedKeys);
        if (reader is null)
        {
            Failed = true;
        }

        return reader;
    }

    /// <summary>The entries of a mapping whose keys are names chosen by the user (bridge_mappings, local_vlans).</summary>
    public IReadOnlyList<(string Name, YamlNode KeyNode, YamlNode Value, string Path)> NamedEntries(string key, string what)
    {
        var node = Value(key);
        if (node is null)
        {
            return [];
        }

        if (node is not YamlMappingNode mapping)
        {
            Fail(key, $"expected a mapping of {what}, got {Describe(node)}");
            return [];
        }

        var entries = new List<(string, YamlNode, YamlNode, string)>();
        foreach (var (entryKey, entryValue) in mapping.Children)
        {
            if (entryKey is not YamlScalarNode { Value: { Length: > 0 } name })
            {
                Fail(entryKey, PathOf(key), $"keys of {key} must be non-empty names, got {Describe(entryKey)}");
                continue;
            }

            string entryPath = PathOf(key) + "." + name;
            Context.Remember(entryValue, entryPath);
            entries.Add((name, entryKey, entryValue, entryPath));
        }

        return entries;
    }

    public static bool TryParseInteger(string text, out ulong value)
    {
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            value = 0;
            return text.Length > 2 && ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }

        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode { Style: ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted } s => $"the quoted string '{s.Value}'",
        YamlScalarNode s => $"'{s.Value}'",
        _ => "an unsupported YAML node",
    };
}
