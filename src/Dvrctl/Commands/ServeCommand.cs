using System.CommandLine;
using System.Globalization;
using System.Net;
using Dvr.DvrFlows.Apply;
using Dvr.DvrFlows.Controller;
using Dvr.DvrFlows.Topology;
using Dvr.OpenFlow.Connection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Dvr.Cli.Commands;

/// <summary>
/// <c>dvrctl serve</c>: run the controller. Loads the topology, listens for switches, keeps every known
/// bridge's flows equal to the compiled flows, follows edits of the topology file, exports metrics, and
/// stops gracefully on SIGTERM/SIGINT (switches keep their flows: fail_mode=secure).
/// </summary>
public static partial class ServeCommand
{
    public const int ExitOk = 0;

    /// <summary>The topology file is invalid or unreadable at startup.</summary>
    public const int ExitBadTopology = 1;

    /// <summary>A listen or metrics address is invalid or cannot be bound.</summary>
    public const int ExitBadAddress = 2;

    /// <summary>The TLS files are incomplete, missing, unreadable, malformed or mismatched.</summary>
    public const int ExitBadTls = 3;

    public static Command Create()
    {
        var topology = new Option<string>("--topology") { Description = "Topology YAML file (schema: docs/topology.md). Watched: valid edits are applied, invalid ones rejected.", Required = true };
        var listen = new Option<string[]>("--listen")
        {
            Description = "Where switches connect: tcp:IP:PORT, ssl:IP:PORT or unix:PATH. Repeatable. Default tcp:127.0.0.1:6653 (loopback only).",
            AllowMultipleArgumentsPerToken = false,
        };
        var connect = new Option<string[]>("--connect") { Description = "Actively connect to a switch that listens (OVS ptcp:/pssl:/punix:), as tcp:IP:PORT, ssl:IP:PORT or unix:PATH. Repeatable." };
        var tlsFiles = TlsFileOptions.Create("switches");
        var metrics = new Option<string?>("--metrics-listen") { Description = "Serve Prometheus metrics on IP:PORT at /metrics, e.g. 127.0.0.1:9464. Off when not given." };
        var audit = new Option<double>("--audit-interval") { Description = "Seconds between read-backs of each bridge's flows (repairs hand edits).", DefaultValueFactory = _ => 60 };
        var logFormat = new Option<string>("--log-format") { Description = "Console log format: text (one line per event) or json.", DefaultValueFactory = _ => "text" };
        logFormat.AcceptOnlyFromAmong("text", "json");
        var command = new Command(
            "serve",
            """
            Run the OpenFlow 1.3 controller. Point OVS bridges at it with
              ovs-vsctl set-controller br-int tcp:127.0.0.1:6653
            Each bridge is identified by its datapath id (other_config:datapath-id) as a bridge of a host in the
            topology, and its flows carrying the topology's cookie are reconciled; other flows are never touched.

            Example:
              dvrctl serve --topology samples/demo-3host.yaml --listen tcp:127.0.0.1:6653 --metrics-listen 127.0.0.1:9464

            TLS (like ovs-vsctl set-ssl on the switch side; every switch must present a certificate signed by the
            CA given with --ca-cert, see docs/controller.md):
              dvrctl serve --topology topo.yaml --listen ssl:192.0.2.10:6653 \
                -p ctl-privkey.pem -c ctl-cert.pem -C switchca/cacert.pem
              ovs-vsctl set-ssl sc-privkey.pem sc-cert.pem controllerca/cacert.pem
              ovs-vsctl set-controller br-int ssl:192.0.2.10:6653
            """)
        {
            topology, listen, connect, metrics, audit, logFormat,
        };
        tlsFiles.AddTo(command);
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            new ServeOptions(
                parseResult.GetRequiredValue(topology),
                parseResult.GetValue(listen) is { Length: > 0 } l ? l : ["tcp:127.0.0.1:6653"],
                parseResult.GetValue(connect) ?? [],
                parseResult.GetValue(metrics),
                TimeSpan.FromSeconds(parseResult.GetValue(audit)),
                parseResult.GetValue(logFormat) == "json")
            {
                PrivateKey = parseResult.GetValue(tlsFiles.PrivateKey),
                Certificate = parseResult.GetValue(tlsFiles.Certificate),
                CaCertificate = parseResult.GetValue(tlsFiles.CaCertificate),
            },
            parseResult.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    public sealed record ServeOptions(string Topology, IReadOnlyList<string> Listen, IReadOnlyList<string> Connect, string? MetricsListen, TimeSpan AuditInterval, bool JsonLogs)
    {
        /// <summary>--private-key: PEM key of <see cref="Certificate"/>.</summary>
        public string? PrivateKey { get; init; }

        /// <summary>--certificate: the controller's PEM certificate for ssl: connections.</summary>
        public string? Certificate { get; init; }

        /// <summary>--ca-cert: PEM CA certificate(s) switch certificates must chain to.</summary>
        public string? CaCertificate { get; init; }
    }

    public static async Task<int> RunAsync(ServeOptions options, TextWriter error, CancellationToken cancellationToken)
    {
        Topology topology;
        try
        {
            topology = TopologyLoader.Load(options.Topology);
        }
        catch (Exception ex) when (ex is TopologyValidationException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"dvrctl serve: cannot load topology {options.Topology}:\n{ex.Message}").ConfigureAwait(false);
            return ExitBadTopology;
        }

        List<OpenFlowEndpoint> listen;
        List<OpenFlowEndpoint> connect;
        IPEndPoint? metrics = null;
        try
        {
            listen = [.. options.Listen.Select(OpenFlowEndpoint.Parse)];
            connect = [.. options.Connect.Select(OpenFlowEndpoint.Parse)];
            if (options.MetricsListen is { } m && !IPEndPoint.TryParse(m, out metrics))
            {
                throw new FormatException($"--metrics-listen '{m}' is not IP:PORT");
            }
        }
        catch (FormatException ex)
        {
            await error.WriteLineAsync($"dvrctl serve: {ex.Message}").ConfigureAwait(false);
            return ExitBadAddress;
        }

        OpenFlowTlsOptions? tls;
        try
        {
            tls = TlsFileOptions.Load(options.PrivateKey, options.Certificate, options.CaCertificate, [.. listen, .. connect]);
        }
        catch (OpenFlowTlsConfigurationException ex)
        {
            await error.WriteLineAsync($"dvrctl serve: {ex.Message}").ConfigureAwait(false);
            return ExitBadTls;
        }

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        if (options.JsonLogs)
        {
            builder.Logging.AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ");
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
        }

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton(new ControllerService.Settings(options.Topology, topology, listen, connect, metrics, options.AuditInterval, tls));
        builder.Services.AddHostedService<ControllerService>();
        using var host = builder.Build();
        try
        {
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            await error.WriteLineAsync($"dvrctl serve: {ex.Message}").ConfigureAwait(false);
            return ExitBadAddress;
        }
        catch (HttpListenerException ex)
        {
            await error.WriteLineAsync($"dvrctl serve: cannot serve metrics on {options.MetricsListen}: {ex.Message}").ConfigureAwait(false);
            return ExitBadAddress;
        }

        return ExitOk;
    }

    /// <summary>Owns the controller for the host's lifetime.</summary>
    private sealed partial class ControllerService(ControllerService.Settings settings, ILoggerFactory loggerFactory) : IHostedService
    {
        private readonly ILogger _logger = loggerFactory.CreateLogger("Dvr.Serve");
        private ControllerHost? _controllerHost;
        private TopologyFileWatcher? _watcher;
        private MetricServer? _metricServer;

        public sealed record Settings(string TopologyPath, Topology Topology, IReadOnlyList<OpenFlowEndpoint> Listen, IReadOnlyList<OpenFlowEndpoint> Connect, IPEndPoint? Metrics, TimeSpan AuditInterval, OpenFlowTlsOptions? Tls);

        public Task StartAsync(CancellationToken cancellationToken)
        {
            IControllerMetrics metrics = NullControllerMetrics.Instance;
            if (settings.Metrics is { } endpoint)
            {
                var registry = Metrics.NewCustomRegistry();
                metrics = new PrometheusControllerMetrics(registry);
                _metricServer = new MetricServer(endpoint.Address.ToString(), endpoint.Port, "metrics/", registry);
                _metricServer.Start();
                LogMetrics(_logger, endpoint.ToString());
            }

            var controller = new DvrController(
                settings.Topology,
                new CompilerFlowSource(loggerFactory.CreateLogger<CompilerFlowSource>()),
                new BridgeSessionOptions { AuditInterval = settings.AuditInterval },
                metrics,
                loggerFactory);
            _controllerHost = new ControllerHost(controller, loggerFactory: loggerFactory, tls: settings.Tls);
            foreach (var listen in settings.Listen)
            {
                _controllerHost.Listen(listen);
            }

            foreach (var target in settings.Connect)
            {
                _controllerHost.Connect(target);
            }

            _watcher = new TopologyFileWatcher(settings.TopologyPath, controller, logger: loggerFactory.CreateLogger<TopologyFileWatcher>());
            LogStarted(_logger, settings.TopologyPath, settings.Topology.Hosts.Length, settings.Topology.Global.Cookie.ToString("x16", CultureInfo.InvariantCulture));
            return Task.CompletedTask;
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            LogStopping(_logger);
            _watcher?.Dispose();
            if (_controllerHost is not null)
            {
                await _controllerHost.DisposeAsync().ConfigureAwait(false);
            }

            if (_metricServer is not null)
            {
                await _metricServer.StopAsync().ConfigureAwait(false);
            }
        }

        [LoggerMessage(Level = LogLevel.Information, Message = "controller started: topology {Path} ({Hosts} host(s)), cookie 0x{Cookie}")]
        private static partial void LogStarted(ILogger logger, string path, int hosts, string cookie);

        [LoggerMessage(Level = LogLevel.Information, Message = "metrics on http://{Endpoint}/metrics")]
        private static partial void LogMetrics(ILogger logger, string endpoint);

        [LoggerMessage(Level = LogLevel.Information, Message = "stopping: closing switch connections (switches keep their flows)")]
        private static partial void LogStopping(ILogger logger);
    }
}
