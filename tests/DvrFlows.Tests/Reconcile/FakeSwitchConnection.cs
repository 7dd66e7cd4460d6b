using Dvr.DvrFlows.Apply;
using Dvr.DvrFlows.Reconcile;
using Dvr.OpenFlow.Errors;

namespace Dvr.DvrFlows.Tests.Reconcile;

/// <summary>An <see cref="ISwitchConnection"/> backed by a <see cref="FakeFlowTable"/>, with hooks to stall or reject applies.</summary>
internal sealed class FakeSwitchConnection : ISwitchConnection
{
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Dictionary<string, uint> _ports = [];
    private int _applies;
    private int _dumps;

    public FakeSwitchConnection(ulong datapathId, IEnumerable<FlowEntry>? initial = null)
    {
        DatapathId = datapathId;
        Table = new FakeFlowTable(initial ?? []);
    }

    public event EventHandler? PortsChanged;

    public FakeFlowTable Table { get; }

    public string PeerName => "fake";

    public ulong DatapathId { get; }

    public IReadOnlyDictionary<string, uint> Ports => _ports;

    public Task Completion => _closed.Task;

    public int Applies => Volatile.Read(ref _applies);

    public int Dumps => Volatile.Read(ref _dumps);

    /// <summary>When set, ApplyAsync waits for it before touching the table.</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Number of upcoming applies to reject with OFPBAC_BAD_OUT_PORT.</summary>
    public int RejectNext { get; set; }

    public List<FlowDiff> AppliedDiffs { get; } = [];

    public void SetPorts(Dictionary<string, uint> ports)
    {
        _ports = ports;
        PortsChanged?.Invoke(this, EventArgs.Empty);
    }

    public void Close() => _closed.TrySetResult();

    public Task<IReadOnlyList<FlowEntry>> DumpFlowsAsync(ulong cookie, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _dumps);
        lock (Table)
        {
            return Task.FromResult<IReadOnlyList<FlowEntry>>(Table.DumpByCookie(cookie));
        }
    }

    public async Task ApplyAsync(FlowDiff diff, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _applies);
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (RejectNext > 0)
        {
            RejectNext--;
            var flow = diff.ToFlowMods().First().Flow;
            throw new FlowApplyException("br-test", OfpError.BadOutPort, flow, "test rejection");
        }

        lock (Table)
        {
            Table.Apply(diff);
            AppliedDiffs.Add(diff);
        }
    }
}
