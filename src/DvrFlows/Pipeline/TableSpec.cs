using System.Collections.Immutable;

namespace Dvr.DvrFlows.Pipeline;

/// <summary>
/// One table of a bridge pipeline, declared once (Faucet's ValveTableConfig, neutron-lib's ovs_constants).
/// <see cref="Next"/> lists the tables a flow in this table may goto_table; each is a later table, as
/// OpenFlow 1.3.5 §5.1 requires ("the table id must be greater than the current table id").
/// </summary>
public sealed record TableSpec(byte Id, string Name, string Role, ImmutableArray<byte> Next)
{
    public static TableSpec Create(byte id, string name, string role, params byte[] next) => new(id, name, role, [.. next]);

    public bool MayGoto(byte table) => Next.Contains(table);

    public override string ToString() => $"{Id} {Name}";
}

/// <summary>A bridge kind's whole pipeline: its tables in ascending id order.</summary>
public sealed class PipelineSpec
{
    private readonly Dictionary<byte, TableSpec> _byId;

    public PipelineSpec(BridgeKind bridge, params TableSpec[] tables)
    {
        Bridge = bridge;
        Tables = [.. tables.OrderBy(t => t.Id)];
        _byId = [];
        foreach (var table in Tables)
        {
            if (!_byId.TryAdd(table.Id, table))
            {
                throw new ArgumentException($"{bridge} pipeline declares table {table.Id} twice");
            }
        }

        foreach (var table in Tables)
        {
            foreach (byte next in table.Next)
            {
                if (next <= table.Id || !_byId.ContainsKey(next))
                {
                    throw new ArgumentException($"{bridge} table {table} may goto {next}, which is not a declared later table");
                }
            }
        }
    }

    public BridgeKind Bridge { get; }

    public ImmutableArray<TableSpec> Tables { get; }

    public TableSpec this[byte id] =>
        _byId.TryGetValue(id, out var table) ? table : throw new ArgumentOutOfRangeException(nameof(id), $"{Bridge} has no table {id}");

    public bool Contains(byte id) => _byId.ContainsKey(id);

    public static PipelineSpec For(BridgeKind bridge) => bridge switch
    {
        BridgeKind.Integration => BrIntTables.Pipeline,
        BridgeKind.Tunnel => BrTunTables.Pipeline,
        BridgeKind.Physical => BrPhysTables.Pipeline,
        _ => throw new ArgumentOutOfRangeException(nameof(bridge), bridge, "unknown bridge kind"),
    };
}
