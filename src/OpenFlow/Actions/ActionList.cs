using System.Collections.Immutable;
using System.Text;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Actions;

/// <summary>An ordered, immutable list of actions with value equality (records compare arrays by reference).</summary>
public sealed class ActionList : IEquatable<ActionList>
{
    public static readonly ActionList Empty = new(ImmutableArray<OfpAction>.Empty);

    public ActionList(ImmutableArray<OfpAction> actions) => Actions = actions;

    public ActionList(params OfpAction[] actions) => Actions = [.. actions];

    public ImmutableArray<OfpAction> Actions { get; }

    public int Count => Actions.Length;

    public int EncodedLength
    {
        get
        {
            int length = 0;
            foreach (var action in Actions)
            {
                length += action.EncodedLength;
            }

            return length;
        }
    }

    public void Encode(ref SpanWriter writer)
    {
        foreach (var action in Actions)
        {
            action.Encode(ref writer);
        }
    }

    /// <summary>Comma-separated actions as ovs-ofctl prints them; "drop" when empty.</summary>
    public void Format(StringBuilder output, PortNames names)
    {
        if (Actions.IsEmpty)
        {
            output.Append("drop");
            return;
        }

        for (int i = 0; i < Actions.Length; i++)
        {
            if (i > 0)
            {
                output.Append(',');
            }

            Actions[i].Format(output, names);
        }
    }

    public bool Equals(ActionList? other) =>
        other is not null && (ReferenceEquals(this, other) || Actions.AsSpan().SequenceEqual(other.Actions.AsSpan()));

    public override bool Equals(object? obj) => obj is ActionList other && Equals(other);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var action in Actions)
        {
            hash.Add(action);
        }

        return hash.ToHashCode();
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        Format(sb, PortNames.None);
        return sb.ToString();
    }
}
