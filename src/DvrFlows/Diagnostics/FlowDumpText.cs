using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Messages.Multipart;
using Dvr.OpenFlow.Text;

namespace Dvr.DvrFlows.Diagnostics;

/// <summary>
/// One flow of a streamed dump, exactly as <see cref="FlowStatsText.Format(StringBuilder, FlowStatsEntry, PortNames, FlowStatsText.Options)"/>
/// writes it (OVS ofputil_flow_stats_format), with the statistics written straight into the builder: no
/// string per cookie, counter or duration, which for 100k flows is 400k short-lived strings. Flows with
/// flags (send_flow_rem, check_overlap...) are rare and go through FlowStatsText itself.
/// </summary>
public static class FlowDumpText
{
    /// <summary>
    /// Appends <paramref name="flow"/> (no leading space, no newline). With <paramref name="stats"/> false, as
    /// dump-flows --no-stats: cookie and table only when non-zero, no duration or counters.
    /// </summary>
    public static void Append(StringBuilder output, FlowStatsEntry flow, PortNames names, bool stats)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(flow);
        if (flow.Flags != 0)
        {
            FlowStatsText.Format(output, flow, names, stats ? FlowStatsText.Options.WithStats : FlowStatsText.Options.NoStats);
            return;
        }

        var invariant = CultureInfo.InvariantCulture;
        if (stats)
        {
            output.Append(invariant, $"cookie=0x{flow.Cookie:x}, duration=");
            AppendDuration(output, flow.DurationSeconds, flow.DurationNanoseconds);
            output.Append(invariant, $", table={flow.TableId}, n_packets={flow.PacketCount}, n_bytes={flow.ByteCount}, ");
        }
        else
        {
            if (flow.Cookie != 0)
            {
                output.Append(invariant, $"cookie=0x{flow.Cookie:x}, ");
            }

            if (flow.TableId != 0)
            {
                output.Append(invariant, $"table={flow.TableId}, ");
            }
        }

        if (flow.IdleTimeout != 0)
        {
            output.Append(invariant, $"idle_timeout={flow.IdleTimeout}, ");
        }

        if (flow.HardTimeout != 0)
        {
            output.Append(invariant, $"hard_timeout={flow.HardTimeout}, ");
        }

        MatchText.Format(output, flow.Match, names, flow.Priority);
        if (output.Length == 0 || output[^1] != ' ')
        {
            output.Append(' ');
        }

        output.Append("actions=");
        flow.Instructions.Format(output, names);
    }

    /// <summary>
    /// OVS ofp_print_duration (lib/ofp-print.c): seconds, then ".mmm" when the nanoseconds are whole
    /// milliseconds, otherwise the nine-digit nanoseconds without trailing zeros; then "s".
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
}
