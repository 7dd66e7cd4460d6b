using System.Globalization;
using System.Text;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Messages.Flow;

namespace Dvr.OpenFlow.Text;

/// <summary>
/// FLOW_MOD text: <see cref="Format"/> prints what ovs-ofctl prints after the header (OVS ofputil_flow_mod_format),
/// e.g. <c> ADD table:1 priority=2,dl_vlan=5 cookie:0x1234 idle:10 send_flow_rem actions=output:3</c>;
/// <see cref="ParseFlow"/> reads the flow syntax of ovs-ofctl add-flow/mod-flows/del-flows (OVS parse_ofp_str).
/// </summary>
public static class FlowModText
{
    public static void Format(StringBuilder output, FlowMod mod, PortNames names)
    {
        output.Append(' ').Append(mod.Command switch
        {
            FlowModCommand.Add => "ADD",
            FlowModCommand.Modify => "MOD",
            FlowModCommand.ModifyStrict => "MOD_STRICT",
            FlowModCommand.Delete => "DEL",
            FlowModCommand.DeleteStrict => "DEL_STRICT",
            _ => "cmd:" + ((int)mod.Command).ToString(CultureInfo.InvariantCulture),
        });
        if (mod.TableId != 0)
        {
            output.Append(" table:").Append(mod.TableId);
        }

        output.Append(' ');
        MatchTextBridge.Append(output, mod.Match, names, mod.Priority);
        if (output[^1] != ' ')
        {
            output.Append(' ');
        }

        // OVS: an ADD sets the cookie (printed "cookie:0x.." when non-zero); other commands match the cookie
        // under cookie_mask (printed "cookie:0x../0x.." when the mask is non-zero).
        if (mod.Command == FlowModCommand.Add)
        {
            if (mod.Cookie != 0 && mod.Cookie != ulong.MaxValue)
            {
                output.Append("cookie:0x").Append(Hex(mod.Cookie)).Append(' ');
            }
        }
        else if (mod.CookieMask != 0)
        {
            output.Append("cookie:0x").Append(Hex(mod.Cookie)).Append("/0x").Append(Hex(mod.CookieMask)).Append(' ');
        }

        if (mod.IdleTimeout != 0)
        {
            output.Append("idle:").Append(mod.IdleTimeout).Append(' ');
        }

        if (mod.HardTimeout != 0)
        {
            output.Append("hard:").Append(mod.HardTimeout).Append(' ');
        }

        if (mod.BufferId != FlowMod.NoBuffer)
        {
            output.Append("buf:0x").Append(mod.BufferId.ToString("x", CultureInfo.InvariantCulture)).Append(' ');
        }

        if (mod.OutPort != OfpPort.Any)
        {
            output.Append("out_port:");
            PortFormat.Append(output, mod.OutPort, names);
            output.Append(' ');
        }

        FlowStatsText.AppendFlags(output, mod.Flags, " ");
        output.Append("actions=");
        mod.Instructions.Format(output, names);
    }

    private static string Hex(ulong value) => value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>
    /// Parses a whole ovs-ofctl flow, e.g. <c>table=1,priority=2,cookie=0x5,idle_timeout=10,send_flow_rem,dl_vlan=5
    /// actions=pop_vlan,output:3</c>, into a FLOW_MOD with <paramref name="command"/> (OVS parse_ofp_str):
    /// <list type="bullet">
    /// <item>flow keywords: table, priority, cookie=V[/M], idle_timeout, hard_timeout, out_port, out_group,
    /// send_flow_rem, check_overlap, reset_counts, no_packet_counts, no_byte_counts;</item>
    /// <item>every other key is a match field (<see cref="MatchText"/>); <c>actions=</c> runs to the end
    /// (<see cref="ActionText.ParseInstructions"/>).</item>
    /// </list>
    /// As in OVS: an ADD needs actions and takes no cookie mask, out_port/out_group belong to MODIFY/DELETE only,
    /// and a MODIFY/DELETE cookie matches only with a mask (without one it is not sent). The table defaults to 0
    /// for ADD and to all tables (255) otherwise.
    /// </summary>
    /// <exception cref="TextParseException">Naming the keyword or value ovs-ofctl would reject.</exception>
    public static FlowMod ParseFlow(string text, PortNames names, FlowModCommand command = FlowModCommand.Add)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(names);
        bool isAdd = command == FlowModCommand.Add;
        bool isDelete = command is FlowModCommand.Delete or FlowModCommand.DeleteStrict;
        var (fields, actions) = SplitActions(text);
        var matchPairs = new List<KeyValuePair<string, string?>>();
        var mod = new FlowMod { Command = command, TableId = isAdd ? (byte)0 : FlowMod.AllTables };
        foreach (var (key, value) in Tokenize(fields))
        {
            switch (key)
            {
                case "table":
                    mod = mod with { TableId = ParseNumber<byte>(key, value) };
                    break;
                case "priority":
                    mod = mod with { Priority = ParseNumber<ushort>(key, value) };
                    break;
                case "cookie":
                    mod = ParseCookie(mod, Require(key, value), isAdd);
                    break;
                case "idle_timeout":
                    mod = mod with { IdleTimeout = ParseNumber<ushort>(key, value) };
                    break;
                case "hard_timeout":
                    mod = mod with { HardTimeout = ParseNumber<ushort>(key, value) };
                    break;
                case "out_port" when !isAdd:
                    mod = mod with { OutPort = ActionText.ParsePort(Require(key, value), names) };
                    break;
                case "out_group" when !isAdd:
                    mod = mod with { OutGroup = ParseNumber<uint>(key, value) };
                    break;
                case "send_flow_rem":
                    mod = mod with { Flags = mod.Flags | FlowModFlags.SendFlowRemoved };
                    break;
                case "check_overlap":
                    mod = mod with { Flags = mod.Flags | FlowModFlags.CheckOverlap };
                    break;
                case "reset_counts":
                    mod = mod with { Flags = mod.Flags | FlowModFlags.ResetCounts };
                    break;
                case "no_packet_counts":
                    mod = mod with { Flags = mod.Flags | FlowModFlags.NoPacketCounts };
                    break;
                case "no_byte_counts":
                    mod = mod with { Flags = mod.Flags | FlowModFlags.NoByteCounts };
                    break;
                default:
                    if (!MatchText.IsMatchKey(key))
                    {
                        throw new TextParseException($"unknown keyword {key}");
                    }

                    matchPairs.Add(new KeyValuePair<string, string?>(key, value));
                    break;
            }
        }

        if (actions is null && !isDelete)
        {
            throw new TextParseException("must specify an action");
        }

        if (actions is not null && isDelete)
        {
            throw new TextParseException("actions are not allowed when deleting flows");
        }

        var match = MatchText.Parse(matchPairs, names);
        return mod with
        {
            Match = match,
            Instructions = actions is null ? InstructionList.Drop : ActionText.ParseInstructions(actions, names, match),
        };
    }

    /// <summary>OVS ofp_extract_actions: "actions=" (or "action=") at a token start; everything after it is the action list.</summary>
    private static (string Fields, string? Actions) SplitActions(string text)
    {
        foreach (string keyword in new[] { "actions", "action" })
        {
            int at = 0;
            while ((at = text.IndexOf(keyword, at, StringComparison.Ordinal)) >= 0)
            {
                int after = at + keyword.Length;
                bool atTokenStart = at == 0 || text[at - 1] is ',' or ' ' or '\t' or '\r' or '\n';
                if (atTokenStart && after < text.Length && text[after] is '=' or ':')
                {
                    return (text[..at], text[(after + 1)..].Trim());
                }

                at = after;
            }
        }

        return (text, null);
    }

    /// <summary>
    /// OVS ofputil_parse_key_value: tokens separated by ',' or white space; "key=value", "key:value",
    /// "key(value)" or a bare key (null value). Parentheses nest inside values.
    /// </summary>
    private static IEnumerable<(string Key, string? Value)> Tokenize(string text)
    {
        var tokens = new List<(string, string?)>();
        int i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && text[i] is ',' or ' ' or '\t' or '\r' or '\n')
            {
                i++;
            }

            if (i >= text.Length)
            {
                break;
            }

            int keyStart = i;
            while (i < text.Length && text[i] is not ('=' or ':' or '(' or ',' or ' ' or '\t' or '\r' or '\n'))
            {
                i++;
            }

            string key = text[keyStart..i];
            if (i >= text.Length || text[i] is ',' or ' ' or '\t' or '\r' or '\n')
            {
                tokens.Add((key, null));
                continue;
            }

            bool parenthesized = text[i] == '(';
            i++;
            int valueStart = i;
            int depth = parenthesized ? 1 : 0;
            while (i < text.Length)
            {
                char c = text[i];
                if (c == '(')
                {
                    depth++;
                }
                else if (c == ')')
                {
                    depth--;
                    if (parenthesized && depth == 0)
                    {
                        break;
                    }
                }
                else if (depth == 0 && c is ',' or ' ' or '\t' or '\r' or '\n')
                {
                    break;
                }

                i++;
            }

            if (depth != 0 && parenthesized)
            {
                throw new TextParseException($"{key}: unbalanced parentheses in '{text[valueStart..]}'");
            }

            tokens.Add((key, text[valueStart..i]));
            if (parenthesized && i < text.Length)
            {
                i++;
            }
        }

        return tokens;
    }

    private static string Require(string key, string? value) =>
        string.IsNullOrEmpty(value) ? throw new TextParseException($"field {key} missing value") : value;

    private static T ParseNumber<T>(string key, string? value)
        where T : struct, System.Numerics.IBinaryInteger<T>
    {
        string text = Require(key, value);
        bool hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        var style = hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None;
        if (!T.TryParse(hex ? text[2..] : text, style, CultureInfo.InvariantCulture, out var number))
        {
            throw new TextParseException($"{key}: '{text}' is not a valid {typeof(T).Name.ToLowerInvariant()} value");
        }

        return number;
    }

    private static FlowMod ParseCookie(FlowMod mod, string text, bool isAdd)
    {
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        ulong cookie = ParseNumber<ulong>("cookie", slash < 0 ? text : text[..slash]);
        if (slash < 0)
        {
            // A MODIFY/DELETE without a mask does not match on the cookie, and OVS sends none.
            return isAdd ? mod with { Cookie = cookie } : mod with { Cookie = 0, CookieMask = 0 };
        }

        if (isAdd)
        {
            throw new TextParseException("flow additions cannot use a cookie mask");
        }

        ulong mask = ParseNumber<ulong>("cookie", text[(slash + 1)..]);
        return mod with { Cookie = cookie & mask, CookieMask = mask };
    }
}
