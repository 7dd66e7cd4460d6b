using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Match;

namespace Dvr.DvrFlows.Trace;

/// <summary>
/// The Nicira extension actions the tracer simulates: resubmit, move (NXAST_REG_MOVE), load
/// (NXAST_REG_LOAD), output:reg. Returns false for actions it only reports (learn, note, conjunction, ...).
/// </summary>
internal static class TraceExtensions
{
    public static bool Execute(PacketTracer tracer, TraceBridge bridge, OfpAction action, PacketFields packet, int depth)
    {
        switch (action)
        {
            case ResubmitAction resubmit:
                byte table = resubmit.TableId == 255 ? (byte)0 : resubmit.TableId;
                uint? inPort = resubmit.InPort == OfpPort.InPort ? null : resubmit.InPort;
                tracer.Resubmit(bridge, packet, inPort, table, depth);
                return true;
            case RegMoveAction move:
                var bits = Read(packet, move.Source);
                if (bits is null)
                {
                    return false;
                }

                return Write(packet, move.Destination, bits.Value);
            case RegLoadAction load:
                return Write(packet, load.Destination, load.Value);
            case OutputRegAction outputReg:
                if (Read(packet, outputReg.Source) is { } port)
                {
                    tracer.Output(bridge, (uint)port, packet, depth);
                    return true;
                }

                return false;
            default:
                return false;
        }
    }

    /// <summary>
    /// The packet field behind an NXM/OXM field reference. NXM_OF_VLAN_TCI maps onto vlan_vid: its CFI bit
    /// (0x1000) is OpenFlow 1.3's OFPVID_PRESENT, so the low 13 bits line up (PCP is not tracked).
    /// </summary>
    private static OxmField? Field(NxmFieldInfo info) =>
        info.NxmName == "NXM_OF_VLAN_TCI"
            ? OxmFields.VlanVid
            : (info.SetFieldHeader != 0 ? OxmFields.FromHeader(info.SetFieldHeader) : null)
              ?? OxmFields.FromHeader(info.Header)
              ?? OxmFields.FromName(info.MfName);

    private static UInt128? Read(PacketFields packet, NxmSubfield subfield)
    {
        var field = Field(subfield.Field);
        if (field is null || packet[field] is not { } value)
        {
            return null;
        }

        return (value >> subfield.Offset) & (subfield.Mask >> subfield.Offset);
    }

    private static bool Write(PacketFields packet, NxmSubfield subfield, UInt128 bits)
    {
        var field = Field(subfield.Field);
        if (field is null)
        {
            return false;
        }

        var current = packet[field] ?? 0;
        packet[field] = (current & ~subfield.Mask) | ((bits << subfield.Offset) & subfield.Mask);
        return true;
    }
}
