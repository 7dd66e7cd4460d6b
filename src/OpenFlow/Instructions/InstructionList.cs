using System.Collections.Immutable;
using System.Text;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Instructions;

/// <summary>A flow's instructions, immutable, with value equality.</summary>
public sealed class InstructionList : IEquatable<InstructionList>
{
    public static readonly InstructionList Drop = new(ImmutableArray<OfpInstruction>.Empty);

    public InstructionList(ImmutableArray<OfpInstruction> instructions) => Instructions = instructions;

    public InstructionList(params OfpInstruction[] instructions) => Instructions = [.. instructions];

    public ImmutableArray<OfpInstruction> Instructions { get; }

    public int EncodedLength
    {
        get
        {
            int length = 0;
            foreach (var instruction in Instructions)
            {
                length += instruction.EncodedLength;
            }

            return length;
        }
    }

    public void Encode(ref SpanWriter writer)
    {
        foreach (var instruction in Instructions)
        {
            instruction.Encode(ref writer);
        }
    }

    /// <summary>The text after "actions=": "drop" when nothing is done.</summary>
    public void Format(StringBuilder output, PortNames names)
    {
        bool any = false;
        foreach (var instruction in Instructions)
        {
            if (instruction is ApplyActionsInstruction { Actions.Count: 0 })
            {
                continue;
            }

            if (any)
            {
                output.Append(',');
            }

            instruction.Format(output, names);
            any = true;
        }

        if (!any)
        {
            output.Append("drop");
        }
    }

    public bool Equals(InstructionList? other) =>
        other is not null && (ReferenceEquals(this, other) || Instructions.AsSpan().SequenceEqual(other.Instructions.AsSpan()));

    public override bool Equals(object? obj) => obj is InstructionList other && Equals(other);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var instruction in Instructions)
        {
            hash.Add(instruction);
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
