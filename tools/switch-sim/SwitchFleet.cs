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
        var attempts = switches.Select(options => SimulatedSwitch.ConnectAsync(controller, options, loggerFactory, cancellationToken)).ToList();
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

    public async ValueTask DisposeAsync()
    {
        foreach (var simulated in Switches)
        {
            await simulated.DisposeAsync().ConfigureAwait(false);
        }
    }
}
