using System.Globalization;
using System.Text;
using System.Text.Json;
using Dvr.OpenFlow.Connection;
using Dvr.OpenFlow.Messages.Flow;
using Dvr.OpenFlow.Messages.Multipart;
using Dvr.OpenFlow.Messages.Port;
using Dvr.OpenFlow.Messages.Switch;
using Dvr.OpenFlow.Text;

namespace Dvr.DvrFlows.Diagnostics;

/// <summary>Text as <c>ovs-ofctl -O OpenFlow13</c> prints it, or JSON for scripts and monitoring.</summary>
public enum DumpFormat
{
    Text,
    Json,
}

/// <summary>Options of <see cref="SwitchDumps.DumpFlowsAsync"/>, as ovs-ofctl dump-flows spells them.</summary>
public sealed record DumpFlowsOptions(string? Filter = null, bool NoStats = false, bool Names = false, DumpFormat Format = DumpFormat.Text);

/// <summary>
/// The read-only ovs-ofctl commands against a live switch, with ovs-ofctl 3.1's output layout
/// (utilities/ovs-ofctl.c): dump-flows, dump-ports-desc, dump-tables, dump-aggregate and show. Reply
/// headers carry the xid; ovs-ofctl takes xids from one process-wide counter that its HELLOs also use, so
/// each request is sent with the xid ovs-ofctl would have used and the text is byte-identical.
/// </summary>
public static class SwitchDumps
{
    /// <summary>ovs-ofctl's first request on a fresh connection (its HELLO took xid 1).</summary>
    private const uint FirstXid = 2;

    /// <summary>
    /// With a filter, ovs-ofctl first opens two helper connections (port names, table names: HELLO + request
    /// each), so the real request goes out with xid 6.
    /// </summary>
    private const uint FilteredXid = 6;

    /// <summary>Room for the text of one reply part (OVS sends parts of up to 64 KiB, about 200 bytes of text per flow).</summary>
    private const int PartTextCapacity = 256 * 1024;

    /// <summary><c>ovs-ofctl dump-flows</c> into a string (see the streaming overload).</summary>
    public static async Task<string> DumpFlowsAsync(LiveSwitch live, DumpFlowsOptions options, CancellationToken cancellationToken = default)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        await DumpFlowsAsync(live, options, output, cancellationToken).ConfigureAwait(false);
        return output.ToString();
    }

    /// <summary>
    /// <c>ovs-ofctl dump-flows</c>, written to <paramref name="output"/> one reply part at a time as the parts
    /// arrive (decode, format, write; nothing is held but the current part). Without --names or --no-stats
    /// ovs-ofctl prints each OFPST_FLOW reply message (header line, then " flow" lines); otherwise one
    /// " flow" line per flow, in the switch's order. JSON is one array, written at the end.
    /// </summary>
    public static async Task DumpFlowsAsync(LiveSwitch live, DumpFlowsOptions options, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        bool filtered = !string.IsNullOrWhiteSpace(options.Filter);
        var names = filtered || options.Names ? LiveSwitch.NamesOf((await live.PortDescAsync(cancellationToken).ConfigureAwait(false)).Ports) : PortNames.None;
        var request = new MultipartRequest { Body = FlowFilter.Parse(options.Filter, names) };
        live.AlignNextXid(filtered ? FilteredXid : FirstXid);
        var shown = options.Names ? names : PortNames.None;
        var part = new List<FlowStatsEntry>();
        if (options.Format == DumpFormat.Json)
        {
            var all = new List<FlowStatsEntry>();
            await live.StreamAsync(request, frame =>
            {
                live.DecodeFlowPart(frame, part);
                all.AddRange(part);
            }, cancellationToken).ConfigureAwait(false);
            output.Write(FlowsJson(all, shown, options.NoStats));
            return;
        }

        // ofp-print of each OFPST_FLOW reply message (ofp_print_flow_stats_reply): the header line, with
        // " flags=[more]" on all but the last part, then one "\n flow" per entry, then "\n".
        bool printReplies = !options.Names && !options.NoStats;
        bool stats = !options.NoStats;
        var text = new StringBuilder(PartTextCapacity);
        await live.StreamAsync(request, frame =>
        {
            live.DecodeFlowPart(frame, part);
            text.Clear();
            if (printReplies)
            {
                text.Append(CultureInfo.InvariantCulture, $"OFPST_FLOW reply (OF1.3) (xid=0x{frame.Xid:x}):");
                if (frame.IsMultipartReplyMore)
                {
                    text.Append(" flags=[more]");
                }

                foreach (var flow in part)
                {
                    text.Append("\n ");
                    FlowStatsText.Format(text, flow, PortNames.None, FlowStatsText.Options.WithStats);
                }

                text.Append('\n');
            }
            else
            {
                foreach (var flow in part)
                {
                    text.Append(' ');
                    FlowStatsText.Format(text, flow, shown, stats ? FlowStatsText.Options.WithStats : FlowStatsText.Options.NoStats);
                    text.Append('\n');
                }
            }

            output.Write(text);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>ovs-ofctl dump-ports-desc</c>: the OFPST_PORT_DESC reply as printed.</summary>
    public static async Task<string> DumpPortsDescAsync(LiveSwitch live, DumpFormat format, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(live);
        live.AlignNextXid(FirstXid);
        var (frames, ports) = await live.PortDescAsync(cancellationToken).ConfigureAwait(false);
        return format == DumpFormat.Json ? PortsJson(ports) : Print(frames);
    }

    /// <summary><c>ovs-ofctl dump-tables</c>: the OFPST_TABLE reply as printed (identical tables "ditto").</summary>
    public static async Task<string> DumpTablesAsync(LiveSwitch live, DumpFormat format, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(live);
        live.AlignNextXid(FirstXid);
        var frames = await live.RequestAsync(new MultipartRequest { Body = new TableStatsRequest(), MultipartType = MultipartType.Table }, cancellationToken).ConfigureAwait(false);
        if (format == DumpFormat.Text)
        {
            return TablesText(live, frames);
        }

        var tables = frames.Select(live.Decode<MultipartReply>).SelectMany(r => r.Body is TableStatsReply t ? t.Tables : []).ToList();
        return Json(w =>
        {
            w.WriteStartArray();
            foreach (var table in tables)
            {
                w.WriteStartObject();
                w.WriteNumber("table", table.TableId);
                w.WriteNumber("active", table.ActiveCount);
                w.WriteNumber("lookup", table.LookupCount);
                w.WriteNumber("matched", table.MatchedCount);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    /// <summary><c>ovs-ofctl dump-aggregate [FLOWS]</c>: the OFPST_AGGREGATE reply as printed.</summary>
    public static async Task<string> DumpAggregateAsync(LiveSwitch live, string? filter, DumpFormat format, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(live);
        bool filtered = !string.IsNullOrWhiteSpace(filter);
        var names = filtered ? LiveSwitch.NamesOf((await live.PortDescAsync(cancellationToken).ConfigureAwait(false)).Ports) : PortNames.None;
        var selection = FlowFilter.Parse(filter, names);
        live.AlignNextXid(filtered ? FilteredXid : FirstXid);
        var request = new AggregateStatsRequest
        {
            TableId = selection.TableId,
            OutPort = selection.OutPort,
            OutGroup = selection.OutGroup,
            Cookie = selection.Cookie,
            CookieMask = selection.CookieMask,
            Match = selection.Match,
        };
        var frames = await live.RequestAsync(new MultipartRequest { Body = request }, cancellationToken).ConfigureAwait(false);
        if (format == DumpFormat.Text)
        {
            return Print(frames);
        }

        var reply = live.Decode<MultipartReply>(frames[0]).Body as AggregateStatsReply
            ?? throw new DiagnosticsException($"{live.Target}: the aggregate reply has no aggregate body");
        return Json(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("packet_count", reply.PacketCount);
            w.WriteNumber("byte_count", reply.ByteCount);
            w.WriteNumber("flow_count", reply.FlowCount);
            w.WriteEndObject();
        });
    }

    /// <summary>
    /// <c>ovs-ofctl show</c> for OpenFlow 1.3: FEATURES_REPLY (xid 2), the PORT_DESC reply (xid 3, 1.3 has no
    /// ports in FEATURES), then GET_CONFIG_REPLY (xid 5: ovs-ofctl asks on a second connection whose HELLO
    /// took 4).
    /// </summary>
    public static async Task<string> ShowAsync(LiveSwitch live, DumpFormat format, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(live);
        live.AlignNextXid(FirstXid);
        var featureFrames = await live.RequestAsync(new FeaturesRequest(), cancellationToken).ConfigureAwait(false);
        live.AlignNextXid(FirstXid + 1);
        var (portFrames, ports) = await live.PortDescAsync(cancellationToken).ConfigureAwait(false);
        live.AlignNextXid(FirstXid + 3);
        var configFrames = await live.RequestAsync(new GetConfigRequest(), cancellationToken).ConfigureAwait(false);
        if (format == DumpFormat.Text)
        {
            return Print(featureFrames) + Print(portFrames) + Print(configFrames);
        }

        var features = live.Decode<FeaturesReply>(featureFrames[0]);
        var config = live.Decode<GetConfigReply>(configFrames[0]);
        return Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("dpid", features.DatapathId.ToString("x16", CultureInfo.InvariantCulture));
            w.WriteNumber("n_tables", features.TableCount);
            w.WriteNumber("n_buffers", features.BufferCount);
            w.WriteString("capabilities", features.Capabilities.ToString());
            w.WriteString("config", Print(configFrames).Trim());
            w.WritePropertyName("ports");
            WritePorts(w, ports);
            w.WriteEndObject();
        });
    }

    /// <summary>One JSON object per flow: the fields, plus the exact ovs-ofctl line.</summary>
    public static string FlowsJson(IEnumerable<FlowStatsEntry> flows, PortNames names, bool noStats) => Json(w =>
    {
        var text = new StringBuilder();
        w.WriteStartArray();
        foreach (var flow in flows)
        {
            w.WriteStartObject();
            w.WriteNumber("table", flow.TableId);
            w.WriteNumber("priority", flow.Priority);
            w.WriteString("cookie", "0x" + flow.Cookie.ToString("x", CultureInfo.InvariantCulture));
            if (!noStats)
            {
                text.Clear();
                FlowStatsText.AppendDuration(text, flow.DurationSeconds, flow.DurationNanoseconds);
                w.WriteString("duration", text.ToString());
                w.WriteNumber("n_packets", flow.PacketCount);
                w.WriteNumber("n_bytes", flow.ByteCount);
            }

            w.WriteNumber("idle_timeout", flow.IdleTimeout);
            w.WriteNumber("hard_timeout", flow.HardTimeout);
            text.Clear();
            MatchText.Format(text, flow.Match, names);
            w.WriteString("match", text.ToString());
            text.Clear();
            flow.Instructions.Format(text, names);
            w.WriteString("actions", text.ToString());
            w.WriteString("text", FlowStatsText.Format(flow, names, noStats ? FlowStatsText.Options.NoStats : FlowStatsText.Options.WithStats));
            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    /// <summary>
    /// ovs-ofctl's table stats layout (lib/ofp-table.c ofputil_table_features_format): a table whose counters
    /// equal the previous table's is not repeated; a run of them prints as "table N: ditto" or
    /// "tables N...M: ditto". Each reply message is printed on its own, after its ofp-print header line.
    /// </summary>
    private static string TablesText(LiveSwitch live, IEnumerable<OpenFlowFrame> frames)
    {
        var output = new StringBuilder();
        foreach (var frame in frames)
        {
            string printed = OfpPrint.Format(frame.Bytes.Span, PortNames.None, 1);
            output.Append(printed.AsSpan(0, printed.IndexOf('\n', StringComparison.Ordinal)));
            var tables = live.Decode<MultipartReply>(frame).Body is TableStatsReply reply ? reply.Tables.ToList() : [];
            int? firstDitto = null;
            int lastDitto = 0;
            for (int i = 0; i < tables.Count; i++)
            {
                var table = tables[i];
                if (i > 0 && SameCounters(table, tables[i - 1]))
                {
                    firstDitto ??= table.TableId;
                    lastDitto = table.TableId;
                    continue;
                }

                AppendDitto(output, ref firstDitto, lastDitto);
                output.Append("\n  table ").Append(table.TableId).Append(":\n");
                output.Append("    active=").Append(table.ActiveCount).Append(", lookup=");
                AppendCounter(output, table.LookupCount);
                output.Append(", matched=");
                AppendCounter(output, table.MatchedCount);
                output.Append('\n');
            }

            AppendDitto(output, ref firstDitto, lastDitto);
            if (output[^1] != '\n')
            {
                output.Append('\n');
            }
        }

        return output.ToString();

        static bool SameCounters(TableStats a, TableStats b) =>
            a.ActiveCount == b.ActiveCount && a.LookupCount == b.LookupCount && a.MatchedCount == b.MatchedCount;

        static void AppendDitto(StringBuilder output, ref int? first, int last)
        {
            if (first is { } from)
            {
                output.Append(from == last ? $"\n  table {from}: ditto\n" : $"\n  tables {from}...{last}: ditto\n");
                first = null;
            }
        }

        // OVS prints an unknown (all-ones) counter as "?".
        static void AppendCounter(StringBuilder output, ulong value)
        {
            if (value == ulong.MaxValue)
            {
                output.Append('?');
            }
            else
            {
                output.Append(value);
            }
        }
    }

    private static string PortsJson(IEnumerable<PortDescription> ports) => Json(w => WritePorts(w, ports));

    private static void WritePorts(Utf8JsonWriter w, IEnumerable<PortDescription> ports)
    {
        var text = new StringBuilder();
        w.WriteStartArray();
        foreach (var port in ports)
        {
            w.WriteStartObject();
            text.Clear();
            PortFormat.Append(text, port.PortNumber, PortNames.None);
            w.WriteString("port", text.ToString());
            w.WriteNumber("ofport", port.PortNumber);
            w.WriteString("name", port.Name);
            w.WriteString("addr", port.HardwareAddress.ToString());
            w.WriteString("config", port.Config.ToString());
            w.WriteString("state", port.State.ToString());
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static string Print(IEnumerable<OpenFlowFrame> frames)
    {
        var output = new StringBuilder();
        foreach (var frame in frames)
        {
            output.Append(OfpPrint.Format(frame.Bytes.Span, PortNames.None, 1));
        }

        return output.ToString();
    }

    /// <summary>Writes indented JSON with a trailing newline.</summary>
    public static string Json(Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
