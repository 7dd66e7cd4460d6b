using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Messages.Multipart;

namespace Dvr.OpenFlow.Tests.Multipart;

/// <summary>Short constructors for multipart test messages.</summary>
internal static class Mp
{
    public static OpenFlowMessage Request(MultipartRequestBody body, ushort flags = 0, uint xid = 2) =>
        new MultipartRequest { Xid = xid, Flags = (MultipartFlags)flags, Body = body };

    public static OpenFlowMessage Reply(MultipartReplyBody body, ushort flags = 0, uint xid = 2) =>
        new MultipartReply { Xid = xid, Flags = (MultipartFlags)flags, Body = body };
}
