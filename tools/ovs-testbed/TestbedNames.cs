using System.Text.RegularExpressions;

namespace Dvr.OvsTestbed;

/// <summary>
/// The naming scheme, in one place. Namespaces: PREFIXh-HOST, PREFIXv-PORT, PREFIXr-ROUTER-HOST, PREFIXs-ROUTER,
/// PREFIXext, PREFIXunder. Root-namespace links: PREFIXctl and PREFIXc&lt;host index&gt;. Teardown finds leftovers
/// after a crash by these patterns, so prefixes of two coexisting testbeds must not be prefixes of each other
/// followed by one of these kind markers (e.g. "a-" and "a-h-").
/// </summary>
public static partial class TestbedNames
{
    /// <summary>Linux IFNAMSIZ is 16 including the terminating NUL.</summary>
    public const int MaxInterfaceName = 15;

    public static string HostNamespace(string prefix, string host) => $"{prefix}h-{host}";

    public static string PortNamespace(string prefix, string port) => $"{prefix}v-{port}";

    public static string RouterNamespace(string prefix, string router, string host) => $"{prefix}r-{router}-{host}";

    public static string SnatNamespace(string prefix, string router) => $"{prefix}s-{router}";

    public static string ExternalNamespace(string prefix) => $"{prefix}ext";

    public static string UnderlayNamespace(string prefix) => $"{prefix}under";

    public static string ControlBridge(string prefix) => $"{prefix}ctl";

    public static string ControlLink(string prefix, int hostIndex) => $"{prefix}c{hostIndex}";

    /// <summary>Whether a namespace name is one this prefix's testbed creates.</summary>
    public static bool IsOwnNamespace(string prefix, string name) =>
        name.StartsWith(prefix, StringComparison.Ordinal) && NamespaceSuffix().IsMatch(name.AsSpan(prefix.Length));

    /// <summary>Whether a namespace is one of this prefix's port, router or SNAT namespaces (what topology changes add and remove).</summary>
    public static bool IsAttachmentNamespace(string prefix, string name) =>
        name.StartsWith(prefix, StringComparison.Ordinal) && AttachmentNamespaceSuffix().IsMatch(name.AsSpan(prefix.Length));

    /// <summary>Whether a root-namespace link name is one this prefix's testbed creates.</summary>
    public static bool IsOwnRootLink(string prefix, string name) =>
        name.StartsWith(prefix, StringComparison.Ordinal) && RootLinkSuffix().IsMatch(name.AsSpan(prefix.Length));

    /// <summary>"vxlan-" and the peer's IPv4 address in 8 hex digits, as Neutron names tunnel ports (vxlan-c000020c).</summary>
    public static string VxlanPort(System.Net.IPAddress peer)
    {
        byte[] b = peer.GetAddressBytes();
        return $"vxlan-{b[0]:x2}{b[1]:x2}{b[2]:x2}{b[3]:x2}";
    }

    /// <summary><paramref name="preferred"/> if it fits IFNAMSIZ, else <paramref name="fallback"/>.</summary>
    public static string InterfaceName(string preferred, string fallback) =>
        preferred.Length <= MaxInterfaceName ? preferred : fallback;

    [GeneratedRegex("^(?:[hvrs]-.+|ext|under)$")]
    private static partial Regex NamespaceSuffix();

    [GeneratedRegex("^[vrs]-.+$")]
    private static partial Regex AttachmentNamespaceSuffix();

    [GeneratedRegex("^(?:ctl|c[0-9]+)$")]
    private static partial Regex RootLinkSuffix();
}
