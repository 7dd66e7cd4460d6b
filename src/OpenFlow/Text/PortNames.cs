using System.Collections.Frozen;

namespace Dvr.OpenFlow.Text;

/// <summary>
/// Maps OpenFlow port numbers to interface names and back, as ovs-ofctl does with <c>--names</c>.
/// An empty map means "print numbers" (ovs-ofctl <c>--no-names</c>).
/// </summary>
public sealed class PortNames
{
    public static readonly PortNames None = new(new Dictionary<uint, string>());

    private readonly FrozenDictionary<uint, string> _byNumber;
    private readonly FrozenDictionary<string, uint> _byName;

    public PortNames(IReadOnlyDictionary<uint, string> byNumber)
    {
        _byNumber = byNumber.ToFrozenDictionary();
        _byName = byNumber.GroupBy(p => p.Value, StringComparer.Ordinal)
            .Where(g => g.Count() == 1)
            .ToFrozenDictionary(g => g.Key, g => g.First().Key, StringComparer.Ordinal);
    }

    public bool IsEmpty => _byNumber.Count == 0;

    public bool TryGetName(uint port, out string name) => _byNumber.TryGetValue(port, out name!);

    public bool TryGetNumber(string name, out uint port) => _byName.TryGetValue(name, out port);
}
