using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Messages.Flow;
using Dvr.OpenFlow.Messages.Multipart;

namespace Dvr.OpenFlow.Text;

/// <summary>
/// One flow as <c>ovs-ofctl dump-flows</c> prints it (OVS ofputil_flow_stats_format):
/// <code>
///  cookie=0x0, duration=0.093s, table=0, n_packets=0, n_bytes=0, idle_timeout=10, priority=10,ip actions=drop
/// </code>
/// With <see cref="Options.NoStats"/> (dump-flows --no-stats) the cookie appears only when non-zero, the
/// table only when non-zero, and duration/counters/ages are left out.
/// </summary>
public static class FlowStatsText
{
    public enum Options
    {
        /// <summary>Everything ovs-ofctl dump-flows prints by default (and OFPST_FLOW reply printing).</summary>
        WithStats,

        /// <summary>ovs-ofctl dump-flows --no-stats.</summary>
        NoStats,
    }

    /// <summary>One line of ovs-ofctl dump-flows output: a space, then the flow (no newline).</summary>
    public static string DumpFlowsLine(FlowStatsEntry entry, PortNames names, Options options = Options.WithStats) =>
        " " + Format(entry, names, options);

    public static string Format(FlowStatsEntry entry, PortNames names, Options options = Options.WithStats)
    {
        var sb = new StringBuilder();
        Format(sb, entry, names, options);
        return sb.ToString();
    }

    /// <summary>
    /// Appends the flow (no leading space, no newline). Numbers go straight into the builder through the
    /// interpolated-string handler: no string per cookie, counter or duration, which matters when a dump
    /// streams 100k flows (tools/Benchmarks diagnostics-dump).
    /// </summary>
    public static void Format(StringBuilder output, FlowStatsEntry entry, PortNames names, Options options)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(entry);
        var invariant = CultureInfo.InvariantCulture;
        bool stats = options == Options.WithStats;
        if (stats || entry.Cookie != 0)
        {
            output.Append(invariant, $"cookie=0x{entry.Cookie:x}, ");
        }

        if (stats)
        {
            output.Append("duration=");
            AppendDuration(output, entry.DurationSeconds, entry.DurationNanoseconds);
            output.Append(", ");
        }

        if (stats || entry.TableId != 0)
        {
            output.Append(invariant, $"table={entry.TableId}, ");
        }

        if (stats)
        {
            // OVS ofputil_flow_stats_format prints an unavailable counter (all ones) as "?".
            output.Append("n_packets=");
            AppendCounter(output, entry.PacketCount);
            output.Append(", n_bytes=");
            AppendCounter(output, entry.ByteCount);
            output.Append(", ");
        }

        if (entry.IdleTimeout != 0)
        {
            output.Append(invariant, $"idle_timeout={entry.IdleTimeout}, ");
        }

        if (entry.HardTimeout != 0)
        {
            output.Append(invariant, $"hard_timeout={entry.HardTimeout}, ");
        }

        AppendFlags(output, entry.Flags, " ");
        MatchTextBridge.Append(output, entry.Match, names, entry.Priority);
        if (output.Length == 0 || output[^1] != ' ')
        {
            output.Append(' ');
        }

        output.Append("actions=");
        entry.Instructions.Format(output, names);
    }

    /// <summary>
    /// OVS ofp_print_duration: seconds, then ".mmm" when the nanoseconds are whole milliseconds, otherwise the
    /// shortest exact decimals; always ending in "s".
    /// </summary>
    public static void AppendDuration(StringBuilder output, uint seconds, uint nanoseconds)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Append(seconds);
        if (nanoseconds > 0)
        {
            uint milliseconds = nanoseconds / 1_000_000;
            // uint.MaxValue has ten digits; OVS prints whatever the switch sent, even past one second.
            Span<char> digits = stackalloc char[10];
            if (milliseconds * 1_000_000 == nanoseconds)
            {
                milliseconds.TryFormat(digits, out int written, "D3", CultureInfo.InvariantCulture);
                output.Append('.').Append(digits[..written]);
            }
            else
            {
                nanoseconds.TryFormat(digits, out int written, "D9", CultureInfo.InvariantCulture);
                output.Append('.').Append(digits[..written].TrimEnd('0'));
            }
        }

        output.Append('s');
    }

    private static void AppendCounter(StringBuilder output, ulong count)
    {
        if (count == ulong.MaxValue)
        {
            output.Append('?');
        }
        else
        {
            output.Append(count);
        }
    }

    /// <summary>Flow flags in OVS's words, each followed by <paramref name="separator"/>.</summary>
    internal static void AppendFlags(StringBuilder output, FlowModFlags flags, string separator)
    {
        if ((flags & FlowModFlags.SendFlowRemoved) != 0)
        {
            output.Append("send_flow_rem").Append(separator);
        }

        if ((flags & FlowModFlags.CheckOverlap) != 0)
        {
            output.Append("check_overlap").Append(separator);
        }

        if ((flags & FlowModFlags.ResetCounts) != 0)
        {
            output.Append("reset_counts").Append(separator);
        }

        if ((flags & FlowModFlags.NoPacketCounts) != 0)
        {
            output.Append("no_packet_counts").Append(separator);
        }

        if ((flags & FlowModFlags.NoByteCounts) != 0)
        {
            output.Append("no_byte_counts").Append(separator);
        }

        ushort unknown = (ushort)((ushort)flags & ~0x1f);
        if (unknown != 0)
        {
            output.Append("flags:0x").Append(unknown.ToString("x", CultureInfo.InvariantCulture)).Append(separator);
        }
    }
}
