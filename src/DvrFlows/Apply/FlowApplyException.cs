using Dvr.DvrFlows.Reconcile;
using Dvr.OpenFlow.Errors;

namespace Dvr.DvrFlows.Apply;

/// <summary>
/// The switch rejected a change set; the bundle was discarded (or its commit failed atomically), so the
/// bridge's flows are as before. <see cref="Flow"/> is the flow the switch blamed, when it named one.
/// </summary>
public sealed class FlowApplyException : Exception
{
    public FlowApplyException(string bridge, OfpError error, FlowEntry? flow, string detail)
        : base(Describe(bridge, error, flow, detail))
    {
        Error = error;
        Flow = flow;
    }

    public FlowApplyException()
        : base("flow change rejected")
    {
    }

    public FlowApplyException(string message)
        : base(message)
    {
    }

    public FlowApplyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public OfpError Error { get; }

    public FlowEntry? Flow { get; }

    private static string Describe(string bridge, OfpError error, FlowEntry? flow, string detail) =>
        flow is null
            ? $"{bridge}: switch rejected the change set with {ErrorNames.Format(error)} ({detail}); bundle discarded"
            : $"{bridge}: switch rejected flow \"{flow.Format()}\" with {ErrorNames.Format(error)} ({detail}); bundle discarded";
}
