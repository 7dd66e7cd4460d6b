using System.Text;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Multipart;

/// <summary>
/// The body of one OFPT_MULTIPART_REQUEST/REPLY after the 8-byte multipart header (OpenFlow 1.3.5 §A.3.5):
/// it knows its length before it is written, writes itself once, and appends the ovs-ofctl text that
/// follows the <c>OFPST_X request/reply (OF1.3) (xid=…):</c> prefix.
/// </summary>
public interface IMultipartBody
{
    int BodyLength { get; }

    void WriteBody(ref SpanWriter writer);

    void Format(StringBuilder output, PortNames names);
}
