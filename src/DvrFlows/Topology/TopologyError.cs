namespace Dvr.DvrFlows.Topology;

/// <summary>One problem in a topology file: where it is (file, line, column, field path) and what is wrong.</summary>
public sealed record TopologyError(SourceLocation Location, string Message)
{
    /// <summary>The compiler-style form <c>file:line:col: path: message</c>.</summary>
    public override string ToString() => $"{Location}: {Message}";
}

/// <summary>
/// The topology is invalid. <see cref="Errors"/> holds every problem found (not just the first), ordered by their
/// position in the file; nothing may be compiled from such a topology.
/// </summary>
public sealed class TopologyValidationException : Exception
{
    public TopologyValidationException()
        : this([])
    {
    }

    public TopologyValidationException(string message)
        : base(message)
    {
        Errors = [new TopologyError(SourceLocation.None, message)];
    }

    public TopologyValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [new TopologyError(SourceLocation.None, message)];
    }

    public TopologyValidationException(IReadOnlyList<TopologyError> errors)
        : base(Describe(errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<TopologyError> Errors { get; }

    private static string Describe(IReadOnlyList<TopologyError> errors) =>
        errors.Count == 0
            ? "invalid topology"
            : $"invalid topology ({errors.Count} error{(errors.Count == 1 ? string.Empty : "s")}):{Environment.NewLine}{string.Join(Environment.NewLine, errors)}";
}
