using System.Net.Sockets;
using Dvr.OpenFlow.Connection;
using Microsoft.Extensions.Logging;

namespace Dvr.SwitchSim;

/// <summary>
/// Many simulated switches connected to one controller at once (each its own connection, its own read loop):
/// what benchmarks use to stand in for a cloud's bridges.
/// </summary>
public sealed class SwitchFleet : IAsyncDisposable
{
    private SwitchFleet(IReadOnlyList<SimulatedSwitch> switches) => Switches = switches;

    public IReadOnlyList<SimulatedSwitch> Switches { get; }

    public long TotalFlows => Switches.Sum(s => (long)s.FlowCount);

    public int Connected => Switches.Count(s => !s.Completion.IsCompleted);

    /// <summary>
    /// Options for <paramref name="count"/> switches with consecutive datapath ids from
    /// <paramref name="firstDatapathId"/>, all alike otherwise.
    /// </summary>
    public static IEnumerable<SimulatedSwitchOptions> Numbered(int count, ulong firstDatapathId, SimulatedSwitchOptions template)
    {
        ArgumentNullException.ThrowIfNull(template);
        for (int i = 0; i < count; i++)
        {
            yield return template with { DatapathId = firstDatapathId + (ulong)i };
        }
    }

    /// <summary>Connects every switch concurrently; if any connection fails, the ones made are closed and the error is thrown.</summary>
    public static async Task<SwitchFleet> ConnectAsync(OpenFlowEndpoint controller, IEnumerable<SimulatedSwitchOptions> switches, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        var attempts = switches.Select(options => ConnectWithRetryAsync(controller, options, loggerFactory, cancellationToken)).ToList();
        try
        {
            return new SwitchFleet(await Task.WhenAll(attempts).ConfigureAwait(false));
        }
        catch
        {
            foreach (var attempt in attempts.Where(a => a.IsCompletedSuccessfully))
            {
                await attempt.Result.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>
    /// Hundreds of switches connecting at once can overflow the controller's accept backlog (a Unix socket then
    /// refuses with EAGAIN): such an attempt is retried a few times after a short pause, as OVS's rconn would.
    /// </summary>
    private static async Task<SimulatedSwitch> ConnectWithRetryAsync(OpenFlowEndpoint controller, SimulatedSwitchOptions options, ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        const int attempts = 20;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await SimulatedSwitch.ConnectAsync(controller, options, loggerFactory, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex) when (attempt < attempts && ex.SocketErrorCode is SocketError.TryAgain or SocketError.WouldBlock or SocketError.ConnectionRefused)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var simulated in Switches)
        {
            await simulated.DisposeAsync().ConfigureAwait(false);
        }
    }
}
