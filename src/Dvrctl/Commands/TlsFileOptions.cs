using System.CommandLine;
using Dvr.DvrFlows.Diagnostics;
using Dvr.OpenFlow.Connection;

namespace Dvr.Cli.Commands;

/// <summary>
/// The <c>-p/-c/-C</c> options for ssl: (private key, certificate, CA certificate), spelled as ovs-ofctl and
/// ovs-vswitchd spell them, declared once for <c>serve</c> and the commands that talk to a live switch.
/// </summary>
internal sealed class TlsFileOptions
{
    private TlsFileOptions(string presentedTo)
    {
        PrivateKey = new Option<string?>("--private-key", "-p") { Description = "PEM private key of --certificate (for ssl:), as ovs-ofctl/ovs-vswitchd -p.", HelpName = "KEY.pem" };
        Certificate = new Option<string?>("--certificate", "-c") { Description = $"PEM certificate dvrctl presents to {presentedTo} (for ssl:), as ovs-ofctl/ovs-vswitchd -c.", HelpName = "CERT.pem" };
        CaCertificate = new Option<string?>("--ca-cert", "-C")
        {
            Description = "PEM CA certificate(s) the switch's certificate must chain to (for ssl:); a switch without one is refused. As ovs-ofctl/ovs-vswitchd -C.",
            HelpName = "CACERT.pem",
        };
    }

    public Option<string?> PrivateKey { get; }

    public Option<string?> Certificate { get; }

    public Option<string?> CaCertificate { get; }

    /// <summary>The options, with help saying who sees the certificate ("switches", "the switch").</summary>
    public static TlsFileOptions Create(string presentedTo) => new(presentedTo);

    public void AddTo(Command command)
    {
        command.Options.Add(PrivateKey);
        command.Options.Add(Certificate);
        command.Options.Add(CaCertificate);
    }

    /// <summary>
    /// The TLS identity from the three files: all three or none, and all three whenever an ssl: endpoint is used
    /// (vswitchd likewise refuses ssl: without set-ssl, and ovs-ofctl without -p/-c/-C).
    /// </summary>
    /// <exception cref="OpenFlowTlsConfigurationException">Some but not all given, missing for ssl:, or a file is bad (the message names it).</exception>
    public static OpenFlowTlsOptions? Load(string? privateKey, string? certificate, string? caCertificate, IEnumerable<OpenFlowEndpoint> endpoints)
    {
        var given = new (string Name, string? Path)[] { ("--private-key", privateKey), ("--certificate", certificate), ("--ca-cert", caCertificate) };
        string[] missing = [.. given.Where(g => string.IsNullOrEmpty(g.Path)).Select(g => g.Name)];
        var ssl = endpoints.FirstOrDefault(e => e.Transport == OpenFlowTransport.Ssl);
        if (missing.Length == given.Length && ssl is null)
        {
            return null;
        }

        if (missing.Length > 0)
        {
            string why = ssl is not null ? $"{ssl} needs" : "TLS needs";
            throw new OpenFlowTlsConfigurationException($"{why} --private-key, --certificate and --ca-cert; missing {string.Join(", ", missing)}");
        }

        return OpenFlowTlsOptions.Load(privateKey!, certificate!, caCertificate!);
    }

    /// <summary>
    /// The TLS identity for a diagnostics command that connects to <paramref name="targets"/>: null unless one of
    /// them is ssl: or the files are given. Bad files become a one-line <see cref="DiagnosticsException"/>.
    /// </summary>
    public OpenFlowTlsOptions? LoadFor(ParseResult parse, IEnumerable<string> targets)
    {
        try
        {
            return Load(parse.GetValue(PrivateKey), parse.GetValue(Certificate), parse.GetValue(CaCertificate), targets.SelectMany(ParsedOrNone));
        }
        catch (OpenFlowTlsConfigurationException ex)
        {
            throw new DiagnosticsException(ex.Message, ex);
        }
    }

    /// <summary>Connects a diagnostics command to <paramref name="target"/>, with TLS for ssl:.</summary>
    public Task<LiveSwitch> ConnectAsync(ParseResult parse, string target, CancellationToken cancellationToken) =>
        LiveSwitch.ConnectAsync(target, LoadFor(parse, [target]), cancellationToken);

    /// <summary>The endpoint, or none when the text is malformed (LiveSwitch then reports that, naming the target).</summary>
    private static OpenFlowEndpoint[] ParsedOrNone(string target)
    {
        try
        {
            return [OpenFlowEndpoint.Parse(target)];
        }
        catch (FormatException)
        {
            return [];
        }
    }
}
