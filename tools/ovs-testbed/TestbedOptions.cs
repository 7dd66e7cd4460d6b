using System.Net;
using System.Text.RegularExpressions;

namespace Dvr.OvsTestbed;

/// <summary>How one testbed is named and wired. Everything it creates carries <see cref="Prefix"/>.</summary>
public sealed partial record TestbedOptions
{
    /// <summary>The prefix used when none is given.</summary>
    public const string DefaultPrefix = "dvr-";

    /// <summary>
    /// Names of namespaces (<c>PREFIXh-HOST</c>, <c>PREFIXv-PORT</c>, ...), root-namespace links (<c>PREFIXctl</c>) and
    /// the run directory all start with it. At most 8 characters because root-namespace link names are limited to 15
    /// (IFNAMSIZ - 1) and need room for <c>ctl</c> or <c>c&lt;host index&gt;</c>.
    /// </summary>
    public string Prefix { get; init; } = DefaultPrefix;

    /// <summary>Where the bridges connect to. <see cref="ControllerTarget.None"/> sets no controller at all.</summary>
    public ControllerTarget Controller { get; init; } = ControllerTarget.None;

    /// <summary>The directory holding the per-host run directories; default <c>/tmp/dvr-testbed/PREFIX</c>.</summary>
    public string? BaseDirectory { get; init; }

    /// <summary>
    /// The address the external namespace carries on its loopback, standing for "the internet" behind the
    /// external network's gateway (198.18.0.0/15 is the RFC 2544 benchmarking range, never routed publicly).
    /// </summary>
    public IPAddress InternetAddress { get; init; } = IPAddress.Parse("198.18.0.1");

    /// <summary>How long a daemon may take to exit after SIGTERM before it gets SIGKILL.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Leave a half-built testbed in place when <see cref="Testbed.UpAsync"/> fails (to read its logs); default false.</summary>
    public bool KeepOnFailure { get; init; }

    /// <summary>
    /// The absolute run directory of this testbed. Absolute, because teardown recognises its daemons by this path in
    /// their command lines.
    /// </summary>
    public string ResolvedBaseDirectory =>
        Path.TrimEndingDirectorySeparator(Path.GetFullPath(BaseDirectory ?? Path.Combine(DefaultBaseParent, Prefix)));

    /// <summary>Parent of the default run directories.</summary>
    public const string DefaultBaseParent = "/tmp/dvr-testbed";

    /// <summary>
    /// sockaddr_un holds 108 bytes: the longest socket path (RUNDIR/HOST/BRIDGE.mgmt, bridge names up to 15) must fit.
    /// </summary>
    private const int MaxRunDirectoryLength = 64;

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public void Validate()
    {
        if (!PrefixPattern().IsMatch(Prefix))
        {
            throw new ArgumentException(
                $"testbed prefix '{Prefix}' is invalid: use 1..8 characters from [A-Za-z0-9_-], starting with a letter or digit (e.g. 'dvr-')",
                nameof(Prefix));
        }

        if (ResolvedBaseDirectory.Length > MaxRunDirectoryLength)
        {
            throw new ArgumentException(
                $"run directory '{ResolvedBaseDirectory}' is longer than {MaxRunDirectoryLength} characters: OVS's unix sockets inside it would not fit sockaddr_un",
                nameof(BaseDirectory));
        }

        if (InternetAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"internet address '{InternetAddress}' must be IPv4", nameof(InternetAddress));
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,7}$")]
    private static partial Regex PrefixPattern();
}

/// <summary>The OpenFlow controller the testbed's br-int, br-tun and physical bridges are pointed at.</summary>
public abstract record ControllerTarget
{
    /// <summary>No controller: bridges stay in fail_mode=secure with whatever flows a test installs.</summary>
    public static readonly ControllerTarget None = new NoController();

    /// <summary>
    /// Parses <c>none</c>, <c>tcp:IP:PORT</c> or <c>unix:PATH</c>. For tcp the IP is the root-namespace address the
    /// testbed gives its control bridge (the controller listens there or on 0.0.0.0).
    /// </summary>
    public static ControllerTarget Parse(string text)
    {
        if (string.Equals(text, "none", StringComparison.OrdinalIgnoreCase))
        {
            return None;
        }

        if (text.StartsWith("unix:", StringComparison.Ordinal))
        {
            string path = text["unix:".Length..];
            if (!Path.IsPathFullyQualified(path))
            {
                throw new FormatException($"controller '{text}': the unix socket path must be absolute");
            }

            return new UnixController(path);
        }

        if (text.StartsWith("tcp:", StringComparison.Ordinal))
        {
            string rest = text["tcp:".Length..];
            int colon = rest.LastIndexOf(':');
            if (colon > 0
                && IPAddress.TryParse(rest.AsSpan(0, colon), out var ip)
                && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
                && ushort.TryParse(rest.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ushort port)
                && port != 0)
            {
                return new TcpController(ip, port);
            }

            throw new FormatException($"controller '{text}' is not tcp:IPv4:PORT (e.g. tcp:198.51.100.254:16653)");
        }

        throw new FormatException($"controller '{text}' is not one of none, tcp:IP:PORT, unix:PATH");
    }
}

public sealed record NoController : ControllerTarget
{
    public override string ToString() => "none";
}

/// <summary>
/// A controller in the root namespace reached over TCP. vswitchd runs inside the host namespace, so the testbed
/// builds a control network (ovs-testbed.md §6): a root-namespace Linux bridge PREFIXctl holding
/// <see cref="Address"/>/24, and one veth per host.
/// </summary>
public sealed record TcpController(IPAddress Address, int Port) : ControllerTarget
{
    public override string ToString() => $"tcp:{Address}:{Port}";
}

/// <summary>
/// A controller listening on a unix socket. OVS only connects to sockets inside its rundir (ovs-testbed.md §9
/// pitfall 3), so each host's run directory gets a symlink controller.sock → <see cref="Path"/>.
/// </summary>
public sealed record UnixController(string Path) : ControllerTarget
{
    public override string ToString() => $"unix:{Path}";
}
