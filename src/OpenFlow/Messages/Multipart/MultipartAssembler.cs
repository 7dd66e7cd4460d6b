using System.Collections.Immutable;
using Dvr.OpenFlow.Errors;

namespace Dvr.OpenFlow.Messages.Multipart;

/// <summary>
/// Joins the parts of multipart replies: a reply flagged REPLY_MORE is held until the part without the flag
/// arrives with the same xid (OpenFlow 1.3.5 §A.3.5: "the replies ... have the same xid"). Parts of several
/// requests may interleave. Not thread-safe: one connection's read loop owns it.
/// </summary>
public sealed class MultipartAssembler
{
    /// <summary>Bound on buffered parts per xid, so a peer cannot grow memory without end.</summary>
    public const int DefaultMaxParts = 4096;

    private readonly Dictionary<uint, List<MultipartReply>> _pending = [];
    private readonly int _maxParts;

    public MultipartAssembler(int maxParts = DefaultMaxParts) => _maxParts = maxParts;

    /// <summary>Number of xids with an incomplete reply.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>
    /// Adds one part. Returns true with every part in order when <paramref name="reply"/> completes its xid;
    /// false while more parts are expected.
    /// </summary>
    /// <exception cref="OpenFlowException">
    /// OFPBRC_BAD_STAT when a part's type differs from the earlier parts of its xid; OFPBRC_MULTIPART_BUFFER_OVERFLOW
    /// when one xid exceeds the part limit.
    /// </exception>
    public bool TryAdd(MultipartReply reply, out ImmutableArray<MultipartReply> parts)
    {
        parts = default;
        if (!_pending.TryGetValue(reply.Xid, out var list))
        {
            if (!reply.HasMore)
            {
                parts = [reply];
                return true;
            }

            list = [];
            _pending.Add(reply.Xid, list);
        }
        else if (list[0].MultipartType != reply.MultipartType)
        {
            _pending.Remove(reply.Xid);
            throw new OpenFlowException(OfpError.BadMultipart, $"xid 0x{reply.Xid:x}: {reply.MultipartType} part follows {list[0].MultipartType} parts");
        }

        if (list.Count >= _maxParts)
        {
            _pending.Remove(reply.Xid);
            throw new OpenFlowException(OfpError.MultipartBufferOverflow, $"xid 0x{reply.Xid:x} exceeds {_maxParts} reply parts");
        }

        list.Add(reply);
        if (reply.HasMore)
        {
            return false;
        }

        _pending.Remove(reply.Xid);
        parts = [.. list];
        return true;
    }

    /// <summary>Drops the parts of an xid whose request was abandoned (e.g. on timeout).</summary>
    public bool Discard(uint xid) => _pending.Remove(xid);

    /// <summary>Flow stats entries of all parts, in order.</summary>
    public static ImmutableArray<FlowStatsEntry> FlowEntries(IEnumerable<MultipartReply> parts) =>
        [.. parts.Select(p => p.Body).OfType<FlowStatsReply>().SelectMany(b => b.Entries)];

    /// <summary>Port descriptions of all parts, in order.</summary>
    public static ImmutableArray<Port.PortDescription> Ports(IEnumerable<MultipartReply> parts) =>
        [.. parts.Select(p => p.Body).OfType<PortDescReply>().SelectMany(b => b.Ports)];
}
