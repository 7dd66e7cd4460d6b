using System.Collections.Immutable;
using System.Globalization;
using Dvr.OpenFlow.Actions;
using Dvr.OpenFlow.Instructions;
using Dvr.OpenFlow.Match;

namespace Dvr.OpenFlow.Text;

/// <summary>
/// Parses what ovs-ofctl accepts after <c>actions=</c> for OpenFlow 1.3 (lib/ofp-actions.c ofpacts_parse,
/// lib/learn.c learn_parse) into the same actions and instructions OVS would encode. Errors are
/// <see cref="TextParseException"/>s naming the bad token.
/// </summary>
public static class ActionText
{
    /// <summary>One <c>key</c>, <c>key:value</c>, <c>key=value</c> or <c>key(value)</c> item (ofputil_parse_key_value).</summary>
    private readonly record struct KeyValue(string Key, string Value, char Delimiter);

    /// <summary>
    /// Splits on commas and white space outside parentheses and brackets, as lib/ofp-parse.c ofputil_parse_key_value.
    /// </summary>
    private static List<KeyValue> SplitKeyValues(string text)
    {
        var items = new List<KeyValue>();
        int i = 0;
        while (true)
        {
            while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i])))
            {
                i++;
            }

            if (i >= text.Length)
            {
                return items;
            }

            int keyStart = i;
            while (i < text.Length && text[i] is not (':' or '=' or '(' or ',') && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            string key = text[keyStart..i];
            char delimiter = i < text.Length ? text[i] : '\0';
            if (delimiter is not (':' or '=' or '('))
            {
                items.Add(new KeyValue(key, string.Empty, '\0'));
                continue;
            }

            i++;
            int valueStart = i;
            int depth = 0;
            while (i < text.Length)
            {
                char c = text[i];
                if (c is '(' or '[')
                {
                    depth++;
                }
                else if (c is ')' or ']')
                {
                    if (depth == 0 && c == ')' && delimiter == '(')
                    {
                        break;
                    }

                    depth--;
                }
                else if (depth == 0 && delimiter != '(' && (c == ',' || char.IsWhiteSpace(c)))
                {
                    break;
                }

                i++;
            }

            if (delimiter == '(' && i >= text.Length)
            {
                throw new TextParseException($"{key}: missing `)' in `{text[keyStart..]}'");
            }

            string value = text[valueStart..i];
            if (delimiter == '(')
            {
                i++;
            }

            items.Add(new KeyValue(key, value, delimiter));
        }
    }

    /// <summary>
    /// Parses a flow's instructions. Plain actions become one apply_actions; <c>goto_table:N</c>,
    /// <c>write_actions(...)</c>, <c>clear_actions</c>, <c>write_metadata:V[/M]</c> and <c>meter:N</c> are
    /// instructions, which OVS requires in its canonical order. <c>drop</c> (alone) means no instructions.
    /// </summary>
    public static InstructionList ParseInstructions(string text, PortNames names) => ParseFlowInstructions(text, names, null);

    /// <summary>
    /// As <see cref="ParseInstructions(string, PortNames)"/>, for a flow whose match is <paramref name="match"/>:
    /// the OpenFlow 1.0-era actions whose OpenFlow 1.3 encoding depends on the match (mod_vlan_vid, mod_vlan_pcp,
    /// mod_tp_src, mod_tp_dst, set_vlan_vid, set_vlan_pcp) are encoded as ovs-ofctl encodes them for that flow.
    /// </summary>
    public static InstructionList ParseInstructions(string text, PortNames names, Dvr.OpenFlow.Match.Match? match) =>
        ParseFlowInstructions(text, names, match is null ? null : new FlowActionContext(match));

    private static InstructionList ParseFlowInstructions(string text, PortNames names, FlowActionContext? flow)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(names);
        var items = SplitKeyValues(text);
        var apply = new List<OfpAction>();
        var instructions = new List<OfpInstruction>();
        bool sawApply = false;
        bool sawDrop = false;
        int lastOrder = -1;
        string lastName = string.Empty;

        void Add(OfpInstruction? instruction, int order, string name)
        {
            if (order < lastOrder)
            {
                throw new TextParseException($"invalid instruction ordering: {name} must appear before {lastName}, for OpenFlow 1.1+ compatibility");
            }

            if (order == lastOrder && order != 1)
            {
                throw new TextParseException($"instruction {name} may be specified only once");
            }

            lastOrder = order;
            lastName = name;
            if (instruction is not null)
            {
                instructions.Add(instruction);
            }
        }

        foreach (var item in items)
        {
            switch (item.Key.ToLowerInvariant())
            {
                case "drop":
                    sawDrop = true;
                    break;
                case "meter":
                    Add(new MeterInstruction(ParseUInt32(item.Value, "meter")), 0, "meter");
                    break;
                case "apply_actions":
                    throw new TextParseException("apply_actions is the default instruction");
                case "clear_actions":
                    Add(new ClearActionsInstruction(), 2, "clear_actions");
                    break;
                case "write_actions":
                    var written = ParseActionList(item.Value, names, flow);
                    if (written.Actions.FirstOrDefault(a => !WriteActionsInstruction.IsAllowedInActionSet(a)) is { } disallowed)
                    {
                        throw new TextParseException($"write_actions: action {disallowed} is not allowed in the action set");
                    }

                    Add(written.Count == 0 ? null : new WriteActionsInstruction(written), 3, "write_actions");
                    break;
                case "write_metadata":
                    Add(ParseWriteMetadata(item.Value), 4, "write_metadata");
                    break;
                case "goto_table":
                    Add(new GotoTableInstruction(ParseByte(item.Value, "goto_table")), 5, "goto_table");
                    break;
                default:
                    if (!sawApply || lastOrder != 1)
                    {
                        Add(null, 1, "apply_actions");
                        sawApply = true;
                    }

                    ParseAction(item, names, apply, flow);
                    break;
            }
        }

        if (sawDrop && (items.Count > 1))
        {
            throw new TextParseException("\"drop\" must not be accompanied by any other action or instruction");
        }

        if (apply.Count > 0)
        {
            instructions.Insert(instructions.FindIndex(i => i.CanonicalOrder > 1) is int at and >= 0 ? at : instructions.Count, new ApplyActionsInstruction(new ActionList(apply.ToArray())));
        }

        return new InstructionList(instructions.ToArray());
    }

    /// <summary>Parses a plain action list (e.g. the inside of write_actions(...)); "drop" alone is the empty list.</summary>
    public static ActionList ParseActions(string text, PortNames names) => ParseActionList(text, names, null);

    private static ActionList ParseActionList(string text, PortNames names, FlowActionContext? flow)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(names);
        var items = SplitKeyValues(text);
        var actions = new List<OfpAction>();
        foreach (var item in items)
        {
            if (item.Key.Equals("drop", StringComparison.OrdinalIgnoreCase))
            {
                if (items.Count > 1)
                {
                    throw new TextParseException("\"drop\" must not be accompanied by any other action or instruction");
                }

                continue;
            }

            ParseAction(item, names, actions, flow);
        }

        return new ActionList(actions.ToArray());
    }

    private static void ParseAction(KeyValue item, PortNames names, List<OfpAction> actions, FlowActionContext? flow)
    {
        string key = item.Key.ToLowerInvariant();
        string value = item.Value;
        switch (key)
        {
            case "output":
                actions.Add(value.Contains('[', StringComparison.Ordinal) || IsFieldName(value)
                    ? new OutputRegAction(NxmSubfield.Parse(value))
                    : OutputTo(ParsePort(value, names)));
                break;
            case "controller":
                actions.Add(ParseController(item));
                break;
            case "resubmit":
                actions.Add(ParseResubmit(item, names));
                break;
            case "push_vlan":
                ushort tpid = (ushort)ParseUInt(value, "push_vlan", ushort.MaxValue);
                if (tpid is not (0x8100 or 0x88a8))
                {
                    throw new TextParseException($"push_vlan: {value}: not a valid VLAN ethertype");
                }

                actions.Add(new PushVlanAction(tpid));
                flow?.PushVlan();
                break;
            case "pop_vlan":
            case "strip_vlan":
                actions.Add(new PopVlanAction());
                flow?.PopVlan();
                break;
            case "mod_vlan_vid":
            case "set_vlan_vid":
                ushort vid = (ushort)ParseUInt(value, key, 4095);
                AddVlanPushIfNeeded(actions, flow, key);
                actions.Add(SetField("vlan_vid", (UInt128)(vid | 0x1000u), key));
                break;
            case "mod_vlan_pcp":
            case "set_vlan_pcp":
                ulong pcp = ParseUInt(value, key, 7);
                AddVlanPushIfNeeded(actions, flow, key);
                actions.Add(SetField("vlan_pcp", pcp, key));
                break;
            case "enqueue":
                actions.AddRange(ParseEnqueue(item, names));
                break;
            case "push":
            case "pop":
                actions.Add(ParseStack(key == "pop", value));
                break;
            case "exit":
                actions.Add(new ExitAction());
                break;
            case "fin_timeout":
                if (flow is not null && flow.TransportProtocol != "tcp")
                {
                    // check_FIN_TIMEOUT: only a TCP flow can see a FIN.
                    throw new TextParseException("fin_timeout: the flow's match must pin tcp for OpenFlow 1.3");
                }

                actions.Add(ParseFinTimeout(value));
                break;
            case "mod_dl_src":
                actions.Add(SetField("eth_src", ParseWith(value, "eth_src", names), key));
                break;
            case "mod_dl_dst":
                actions.Add(SetField("eth_dst", ParseWith(value, "eth_dst", names), key));
                break;
            case "mod_nw_src":
                actions.Add(SetField("ip_src", ParseWith(value, "ip_src", names), key));
                break;
            case "mod_nw_dst":
                actions.Add(SetField("ip_dst", ParseWith(value, "ip_dst", names), key));
                break;
            case "mod_nw_tos":
                ulong tos = ParseUInt(value, key, 255);
                if ((tos & 3) != 0)
                {
                    throw new TextParseException($"{key}: {value}: ECN bits must be zero");
                }

                actions.Add(SetField("ip_dscp", tos >> 2, key));
                break;
            case "mod_nw_ecn":
                actions.Add(SetField("nw_ecn", ParseUInt(value, key, 3), key));
                break;
            case "mod_nw_ttl":
            case "set_nw_ttl":
                actions.Add(new SetNwTtlAction((byte)ParseUInt(value, key, 255)));
                break;
            case "dec_ttl":
                actions.Add(item.Delimiter == '(' ? ParseDecTtlIds(value) : new DecNwTtlAction());
                break;
            case "set_mpls_ttl":
                actions.Add(new SetMplsTtlAction((byte)ParseUInt(value, key, 255)));
                break;
            case "dec_mpls_ttl":
                actions.Add(new DecMplsTtlAction());
                break;
            case "push_mpls":
                ushort mplsType = (ushort)ParseUInt(value, key, ushort.MaxValue);
                if (mplsType is not (0x8847 or 0x8848))
                {
                    throw new TextParseException($"push_mpls: {value}: not a valid MPLS ethertype");
                }

                actions.Add(new PushMplsAction(mplsType));
                break;
            case "pop_mpls":
                actions.Add(new PopMplsAction((ushort)ParseUInt(value, key, ushort.MaxValue)));
                break;
            case "set_queue":
                actions.Add(new SetQueueAction(ParseUInt32(value, key)));
                break;
            case "pop_queue":
                actions.Add(new PopQueueAction());
                break;
            case "group":
                actions.Add(new GroupAction(ParseUInt32(value, key)));
                break;
            case "set_field":
                ParseSetField(value, names, actions);
                break;
            case "load":
                actions.AddRange(ParseLoad(value));
                break;
            case "move":
                actions.Add(ParseMove(value));
                break;
            case "set_tunnel":
            case "set_tunnel64":
                actions.Add(SetField("tun_id", ParseUInt(value, key, ulong.MaxValue), key));
                break;
            case "note":
                actions.Add(ParseNote(value));
                break;
            case "conjunction":
                actions.Add(ParseConjunction(value));
                break;
            case "learn":
                actions.Add(ParseLearn(value, names));
                break;
            case "ct":
                actions.Add(ParseConntrack(item.Delimiter == '(' ? value : string.Empty, names));
                break;
            case "mod_tp_src":
            case "mod_tp_dst":
                // OVS picks tcp_/udp_/sctp_ from the flow's match (check_SET_L4_SRC_PORT, encode_SET_L4_SRC_PORT).
                string protocol = flow?.TransportProtocol ?? throw new TextParseException(
                    $"{item.Key}: the flow's match must pin tcp, udp or sctp (not a later fragment) for OpenFlow 1.3; write set_field:{value}->tcp_{key[^3..]} (or udp_/sctp_) instead");
                actions.Add(SetField($"{protocol}_{key[^3..]}", ParseUInt(value, key, ushort.MaxValue), key));
                break;
            default:
                if (item.Delimiter == '\0' && TryParsePort(item.Key, names, out uint port))
                {
                    actions.Add(OutputTo(port));
                    break;
                }

                throw new TextParseException($"unknown action {item.Key}");
        }
    }

    /// <summary>
    /// OVS encode_SET_VLAN_VID / encode_SET_VLAN_PCP for OpenFlow 1.1+: mod_vlan_* on a flow that has no VLAN header
    /// (by its match and the actions so far) first pushes an 802.1Q tag; set_vlan_* never does, so OVS rejects it
    /// for OpenFlow 1.3 on such a flow (check_SET_VLAN_VID: "inconsistent match").
    /// </summary>
    private static void AddVlanPushIfNeeded(List<OfpAction> actions, FlowActionContext? flow, string key)
    {
        if (flow is null || flow.HasVlan)
        {
            return;
        }

        if (key.StartsWith("set_", StringComparison.Ordinal))
        {
            throw new TextParseException($"{key}: the flow has no VLAN header, so OpenFlow 1.3 cannot express it (use mod_{key[4..]}, which pushes one)");
        }

        actions.Add(new PushVlanAction());
        flow.PushVlan();
    }

    /// <summary>OVS parse_ENQUEUE: <c>enqueue:PORT:QUEUE</c> or <c>enqueue(PORT,QUEUE)</c>, in OpenFlow 1.3 set_queue, output, pop_queue.</summary>
    private static OfpAction[] ParseEnqueue(KeyValue item, PortNames names)
    {
        string[] parts = item.Value.Split(item.Delimiter == '(' ? ',' : ':');
        if (parts.Length != 2)
        {
            throw new TextParseException($"enqueue: {item.Value}: expected port and queue, as enqueue:PORT:QUEUE or enqueue(PORT,QUEUE)");
        }

        uint port = ParsePort(parts[0].Trim(), names);
        uint queue = ParseUInt32(parts[1].Trim(), "enqueue");
        // encode_ENQUEUE (OpenFlow 1.1+) writes the output with max_len 0xffff, whatever the port.
        return [new SetQueueAction(queue), new OutputAction(port, ushort.MaxValue), new PopQueueAction()];
    }

    /// <summary>OVS parse_FIN_TIMEOUT: <c>fin_timeout(idle_timeout=N,hard_timeout=N)</c>, either or both.</summary>
    private static FinTimeoutAction ParseFinTimeout(string text)
    {
        ushort idle = 0;
        ushort hard = 0;
        foreach (var option in SplitKeyValues(text))
        {
            switch (option.Key)
            {
                case "idle_timeout":
                    idle = (ushort)ParseUInt(option.Value, "fin_timeout idle_timeout", ushort.MaxValue);
                    break;
                case "hard_timeout":
                    hard = (ushort)ParseUInt(option.Value, "fin_timeout hard_timeout", ushort.MaxValue);
                    break;
                default:
                    throw new TextParseException($"fin_timeout: invalid key \"{option.Key}\"");
            }
        }

        return new FinTimeoutAction(idle, hard);
    }

    /// <summary>OVS nxm_parse_stack_action: <c>push:SUBFIELD</c> (any readable field) or <c>pop:SUBFIELD</c> (a writable one).</summary>
    private static StackAction ParseStack(bool pop, string text)
    {
        var subfield = NxmSubfield.Parse(text);
        if (pop && !subfield.Field.Writable)
        {
            throw new TextParseException($"pop:{text}: destination field is read-only");
        }

        return new StackAction(pop, subfield);
    }

    /// <summary>
    /// What OVS's ofpacts_check learns from a flow's match while it walks the actions: whether a VLAN header is
    /// present (the match's CFI bit, then push_vlan/pop_vlan) and which transport protocol mod_tp_* rewrites.
    /// </summary>
    private sealed class FlowActionContext
    {
        private int _vlans;

        public FlowActionContext(Dvr.OpenFlow.Match.Match match)
        {
            var vid = match.Get(OxmFields.VlanVid);
            _vlans = vid is { } v && (v.Value & 0x1000) != 0 ? 1 : 0;
            uint? ethType = match.Get(OxmFields.EthType) is { HasMask: false } t ? (uint)t.Value : null;
            uint? proto = match.Get(OxmFields.IpProto) is { HasMask: false } p ? (uint)p.Value : null;
            bool ip = ethType is MatchPrerequisites.EthTypeIpv4 or MatchPrerequisites.EthTypeIpv6;
            bool laterFragment = match.Get(OxmFields.IpFrag) is { } frag && (frag.Value & 0x2) != 0;
            TransportProtocol = !ip || laterFragment ? null : proto switch
            {
                MatchPrerequisites.IpProtoTcp => "tcp",
                MatchPrerequisites.IpProtoUdp => "udp",
                MatchPrerequisites.IpProtoSctp => "sctp",
                _ => null,
            };
        }

        public bool HasVlan => _vlans > 0;

        /// <summary>"tcp", "udp" or "sctp" when the match pins one (and is not a later fragment), else null.</summary>
        public string? TransportProtocol { get; }

        public void PushVlan() => _vlans++;

        public void PopVlan() => _vlans = Math.Max(0, _vlans - 1);
    }

    private static bool IsFieldName(string text) => NxmFieldTable.FromName(text.Trim()) is not null && !TryParsePort(text, PortNames.None, out _);

    private static OutputAction OutputTo(uint port) => new(port, port == Actions.OfpPort.Controller ? ushort.MaxValue : (ushort)0);

    private static OfpAction ParseController(KeyValue item)
    {
        if (item.Delimiter == '\0')
        {
            return new OutputAction(Actions.OfpPort.Controller, ushort.MaxValue);
        }

        if (item.Delimiter != '(')
        {
            return new OutputAction(Actions.OfpPort.Controller, (ushort)ParseUInt(item.Value, "controller", ushort.MaxValue));
        }

        ushort maxLength = ushort.MaxValue;
        ushort id = 0;
        byte reason = ControllerAction.ReasonAction;
        foreach (var option in SplitKeyValues(item.Value))
        {
            switch (option.Key)
            {
                case "reason":
                    if (!PacketInReasons.TryParse(option.Value, out reason))
                    {
                        throw new TextParseException($"unknown reason \"{option.Value}\"");
                    }

                    break;
                case "max_len":
                    maxLength = (ushort)ParseUInt(option.Value, "max_len", ushort.MaxValue);
                    break;
                case "id":
                    id = (ushort)ParseUInt(option.Value, "id", ushort.MaxValue);
                    break;
                default:
                    throw new TextParseException($"controller: unsupported option {option.Key}");
            }
        }

        return reason == ControllerAction.ReasonAction && id == 0
            ? new OutputAction(Actions.OfpPort.Controller, maxLength)
            : new ControllerAction(maxLength, id, reason);
    }

    private static ResubmitAction ParseResubmit(KeyValue item, PortNames names)
    {
        if (item.Delimiter != '(')
        {
            return new ResubmitAction(ParseResubmitPort(item.Value, names));
        }

        var parts = item.Value.Split(',');
        if (parts.Length > 3)
        {
            throw new TextParseException($"resubmit({item.Value}): too many arguments");
        }

        uint port = parts[0].Trim().Length == 0 ? Actions.OfpPort.InPort : ParseResubmitPort(parts[0], names);
        byte table = 255;
        if (parts.Length > 1 && parts[1].Trim().Length > 0)
        {
            table = ParseByte(parts[1], "resubmit table");
        }

        bool ct = false;
        if (parts.Length > 2)
        {
            if (parts[2].Trim() != "ct")
            {
                throw new TextParseException($"{parts[2]}: unknown resubmit argument");
            }

            ct = true;
        }

        if (port == Actions.OfpPort.InPort && table == 255)
        {
            throw new TextParseException($"at least one \"in_port\" or \"table\" must be specified on resubmit");
        }

        return new ResubmitAction(port, table, ct);
    }

    private static uint ParseResubmitPort(string text, PortNames names)
    {
        uint port = ParsePort(text, names);
        return NxmValues.Port32To16(port) is null ? throw new TextParseException($"{text}: port out of range for resubmit") : port;
    }

    private static DecTtlCountIdsAction ParseDecTtlIds(string value)
    {
        var ids = ImmutableArray.CreateBuilder<ushort>();
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            ids.Add((ushort)ParseUInt(part, "dec_ttl", ushort.MaxValue));
        }

        if (ids.Count == 0)
        {
            throw new TextParseException("dec_ttl_cnt_ids: expected at least one controller id.");
        }

        return new DecTtlCountIdsAction(ids.ToImmutable());
    }

    private static SetFieldAction SetField(string fieldName, UInt128 value, string context)
    {
        var info = NxmFieldTable.FromName(fieldName) ?? throw new TextParseException($"{context}: unknown field {fieldName}");
        var field = OxmFields.FromHeader(info.SetFieldHeader)
            ?? throw new TextParseException($"{context}: field {info.MfName} cannot be set with an OpenFlow 1.3 set_field by this codec");
        return new SetFieldAction(field, value);
    }

    private static UInt128 ParseWith(string value, string fieldName, PortNames names) =>
        NxmValues.ParseValue(NxmFieldTable.FromName(fieldName)!, value, names);

    /// <summary>
    /// <c>set_field:VALUE[/MASK]-&gt;FIELD</c>: a full value is an OFPAT_SET_FIELD; a partial mask becomes one
    /// NXAST_REG_LOAD per contiguous run of mask bits, which is what OVS writes in OpenFlow 1.3.
    /// </summary>
    private static void ParseSetField(string text, PortNames names, List<OfpAction> actions)
    {
        int arrow = text.LastIndexOf("->", StringComparison.Ordinal);
        if (arrow < 0)
        {
            throw new TextParseException($"{text}: missing `->'");
        }

        string fieldName = text[(arrow + 2)..].Trim();
        var info = NxmFieldTable.FromName(fieldName) is { } found && !fieldName.StartsWith("NXM_", StringComparison.Ordinal) && !fieldName.StartsWith("OXM_", StringComparison.Ordinal)
            ? found
            : throw new TextParseException($"{fieldName} is not a valid OXM field name");
        if (!info.Writable)
        {
            throw new TextParseException($"{fieldName} is read-only");
        }

        string valueText = text[..arrow];
        int slash = valueText.IndexOf('/', StringComparison.Ordinal);
        bool isVlanVid = info.MfName == "vlan_vid";
        UInt128 ParsePart(string part) => isVlanVid ? NxmValues.ParseInteger(part, "vlan_vid") : NxmValues.ParseValue(info, part, names);
        var value = ParsePart(slash < 0 ? valueText : valueText[..slash]);
        var all = info.Bits >= 128 ? UInt128.MaxValue : (UInt128.One << info.Bits) - 1;
        var mask = slash < 0 ? all : ParsePart(valueText[(slash + 1)..]);
        if (isVlanVid)
        {
            // The OXM value carries OFPVID_PRESENT; OVS would encode a value without it that no switch accepts.
            if ((value & 0x1000) == 0 || value > 0x1fff)
            {
                throw new TextParseException($"set_field:{valueText}->vlan_vid: the value must include OFPVID_PRESENT (0x1000), e.g. {(int)(value & 0xfff) | 0x1000}");
            }

            all = 0x1fff;
            mask = slash < 0 ? all : mask;
        }

        if ((mask & all) == all)
        {
            var field = OxmFields.FromHeader(info.SetFieldHeader)
                ?? throw new TextParseException($"set_field: field {info.MfName} is not supported by this codec");
            actions.Add(new SetFieldAction(field, value & all));
            return;
        }

        if (info.Bits > 64)
        {
            throw new TextParseException($"set_field: masked set of {info.MfName} (wider than 64 bits) is not supported");
        }

        // One REG_LOAD per run of ones in the mask, lowest bits first (nxm_reg_load / set_field_to_nxast).
        int bit = 0;
        while (bit < info.Bits)
        {
            if (((mask >> bit) & 1) == 0)
            {
                bit++;
                continue;
            }

            int start = bit;
            while (bit < info.Bits && ((mask >> bit) & 1) == 1)
            {
                bit++;
            }

            int bits = bit - start;
            ulong part = (ulong)((value >> start) & ((UInt128.One << bits) - 1));
            actions.Add(new RegLoadAction(new NxmSubfield(info, start, bits), part));
        }
    }

    private static (string Left, string Right) SplitArrow(string text, string action)
    {
        int arrow = text.IndexOf("->", StringComparison.Ordinal);
        return arrow < 0 ? throw new TextParseException($"{text}: missing `->' following {action}") : (text[..arrow].Trim(), text[(arrow + 2)..].Trim());
    }

    private static List<OfpAction> ParseLoad(string text)
    {
        var (left, right) = SplitArrow(text, "value");
        var dst = NxmSubfield.Parse(right);
        var value = NxmValues.ParseInteger(left, "load");
        if (dst.Bits < 128 && value >> dst.Bits != 0)
        {
            throw new TextParseException($"{text}: value {left} does not fit into {dst.Bits} bits");
        }

        if (!dst.Field.Writable)
        {
            throw new TextParseException($"{right}: destination field is read-only");
        }

        if (dst.Bits > 64)
        {
            throw new TextParseException($"{text}: loads wider than 64 bits are not supported");
        }

        return [new RegLoadAction(dst, (ulong)value)];
    }

    private static RegMoveAction ParseMove(string text)
    {
        var (left, right) = SplitArrow(text, "source");
        var src = NxmSubfield.Parse(left);
        var dst = NxmSubfield.Parse(right);
        if (src.Bits != dst.Bits)
        {
            throw new TextParseException($"{text}: source field is {src.Bits} bits wide but destination is {dst.Bits} bits wide");
        }

        if (!dst.Field.Writable)
        {
            throw new TextParseException($"{right}: destination field is read-only");
        }

        return new RegMoveAction(src, dst);
    }

    private static NoteAction ParseNote(string text)
    {
        var bytes = new List<byte>();
        string hex = text.Replace(".", string.Empty, StringComparison.Ordinal);
        if (hex.Length % 2 != 0 || !hex.All(char.IsAsciiHexDigit))
        {
            throw new TextParseException($"note: {text}: bad hex digits");
        }

        for (int i = 0; i < hex.Length; i += 2)
        {
            bytes.Add(byte.Parse(hex.AsSpan(i, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
        }

        // The encoded note is padded with zeros to 8 bytes and decodes with that padding, so keep it.
        int padded = Math.Max(16, ((10 + bytes.Count + 7) / 8) * 8) - 10;
        while (bytes.Count < padded)
        {
            bytes.Add(0);
        }

        return new NoteAction([.. bytes]);
    }

    private static ConjunctionAction ParseConjunction(string text)
    {
        var parts = text.Split(',');
        var clause = parts.Length == 2 ? parts[1].Split('/') : [];
        if (parts.Length != 2 || clause.Length != 2)
        {
            throw new TextParseException($"\"conjunction\" syntax is \"conjunction(id,i/n)\", not \"{text}\"");
        }

        uint id = ParseUInt32(parts[0], "conjunction id");
        ulong k = ParseUInt(clause[0], "conjunction clause", 64);
        ulong n = ParseUInt(clause[1], "conjunction clauses", 64);
        if (n < 2)
        {
            throw new TextParseException($"conjunction({text}): n must be at least 2");
        }

        if (k < 1 || k > n)
        {
            throw new TextParseException($"conjunction({text}): clause {k} is out of range 1..{n}");
        }

        return new ConjunctionAction(id, (byte)(k - 1), (byte)n);
    }

    /// <summary>ct(...) as lib/ofp-actions.c parse_CT.</summary>
    private static ConntrackAction ParseConntrack(string text, PortNames names)
    {
        var ct = new ConntrackAction();
        var nested = new List<OfpAction>();
        foreach (var item in SplitKeyValues(text))
        {
            switch (item.Key)
            {
                case "commit":
                    ct = ct with { Flags = ct.Flags | ConntrackFlags.Commit };
                    break;
                case "force":
                    ct = ct with { Flags = ct.Flags | ConntrackFlags.Force };
                    break;
                case "table":
                    ct = ct with { RecirculateTable = ParseByte(item.Value, "ct table") };
                    break;
                case "zone":
                    if (NxValuesIsInteger(item.Value, out var zone))
                    {
                        ct = ct with { Zone = (ushort)ParseUInt(item.Value, "ct zone", ushort.MaxValue), ZoneSource = null };
                        _ = zone;
                    }
                    else
                    {
                        var source = NxmSubfield.Parse(item.Value);
                        if (source.Bits != 16)
                        {
                            throw new TextParseException($"ct zone: {item.Value}: zone field must be 16 bits wide, not {source.Bits}");
                        }

                        ct = ct with { ZoneSource = source, Zone = 0 };
                    }

                    break;
                case "alg":
                    ushort alg = item.Value switch
                    {
                        "ftp" => 21,
                        "tftp" => 69,
                        _ => (ushort)ParseUInt(item.Value, "ct alg", ushort.MaxValue),
                    };
                    ct = ct with { Alg = alg };
                    break;
                case "nat":
                    nested.Insert(0, item.Delimiter == '(' ? NatAction.Parse(item.Value) : new NatAction(NatFlags.None));
                    break;
                case "exec":
                    foreach (var action in ParseActions(item.Value, names).Actions)
                    {
                        if (!ConntrackAction.IsAllowedInside(action))
                        {
                            throw new TextParseException($"ct: action {action} is not allowed inside exec(...)");
                        }

                        nested.Add(action);
                    }

                    break;
                default:
                    throw new TextParseException($"ct: unknown argument `{item.Key}'");
            }
        }

        var actions = new ActionList(nested.ToArray());
        if ((ct.Flags & ConntrackFlags.Commit) == 0 && ConntrackAction.NeedsCommit(actions))
        {
            throw new TextParseException("ct: commit is required when actions other than a bare nat are given");
        }

        return ct with { Actions = actions };
    }

    private static bool NxValuesIsInteger(string text, out UInt128 value) => NxmValues.TryParseInteger(text, out value);

    private static bool IsMfName(string name) =>
        !name.StartsWith("NXM_", StringComparison.Ordinal) && !name.StartsWith("OXM_", StringComparison.Ordinal) && NxmFieldTable.FromName(name) is not null;

    /// <summary>learn(...) as lib/learn.c learn_parse.</summary>
    private static LearnAction ParseLearn(string text, PortNames names)
    {
        var learn = new LearnAction();
        var specs = ImmutableArray.CreateBuilder<LearnSpec>();
        foreach (var item in SplitKeyValues(text))
        {
            string name = item.Key;
            string value = item.Value;
            switch (name)
            {
                case "table":
                    byte table = ParseByte(value, "learn table");
                    learn = table == 255 ? throw new TextParseException($"{text}: table id 255 not valid for `learn' action") : learn with { TableId = table };
                    break;
                case "priority":
                    learn = learn with { Priority = (ushort)ParseUInt(value, "priority", ushort.MaxValue) };
                    break;
                case "idle_timeout":
                    learn = learn with { IdleTimeout = (ushort)ParseUInt(value, "idle_timeout", ushort.MaxValue) };
                    break;
                case "hard_timeout":
                    learn = learn with { HardTimeout = (ushort)ParseUInt(value, "hard_timeout", ushort.MaxValue) };
                    break;
                case "fin_idle_timeout":
                    learn = learn with { FinIdleTimeout = (ushort)ParseUInt(value, "fin_idle_timeout", ushort.MaxValue) };
                    break;
                case "fin_hard_timeout":
                    learn = learn with { FinHardTimeout = (ushort)ParseUInt(value, "fin_hard_timeout", ushort.MaxValue) };
                    break;
                case "cookie":
                    learn = learn with { Cookie = ParseUInt(value, "cookie", ulong.MaxValue) };
                    break;
                case "send_flow_rem":
                    learn = learn with { Flags = learn.Flags | LearnFlags.SendFlowRemoved };
                    break;
                case "delete_learned":
                    learn = learn with { Flags = learn.Flags | LearnFlags.DeleteLearned };
                    break;
                default:
                    specs.Add(ParseLearnSpec(text, item, names));
                    break;
            }
        }

        return learn with { Specs = specs.ToImmutable() };
    }

    private static LearnSpec ParseLearnSpec(string whole, KeyValue item, PortNames names)
    {
        string name = item.Key;
        string value = item.Value;
        if (IsMfName(name) && item.Delimiter != '\0')
        {
            var field = NxmFieldTable.FromName(name)!;
            var immediate = NxmValues.ParseValue(field, value, names);
            return new LearnSpec(LearnSpecKind.Match, field.Bits, null, immediate, NxmSubfield.Whole(field));
        }

        if (name.Contains('[', StringComparison.Ordinal))
        {
            var dst = NxmSubfield.Parse(name);
            var src = dst;
            if (value.Length > 0)
            {
                if (!value.Contains('[', StringComparison.Ordinal) && NxmValues.TryParseInteger(value, out var immediate))
                {
                    return new LearnSpec(LearnSpecKind.Match, dst.Bits, null, immediate, dst);
                }

                src = NxmSubfield.Parse(value);
                if (src.Bits != dst.Bits)
                {
                    throw new TextParseException($"{whole}: bit widths of {name} ({src.Bits}) and {value} ({dst.Bits}) differ");
                }
            }

            return new LearnSpec(LearnSpecKind.Match, src.Bits, src, 0, dst);
        }

        switch (name)
        {
            case "load":
                int stop = value.IndexOfAny(['[', '-']);
                if (stop >= 0 && value[stop] == '-')
                {
                    var (left, right) = SplitArrow(value, "value");
                    var dst = NxmSubfield.Parse(right);
                    var immediate = NxmValues.ParseInteger(left, "learn load");
                    if (dst.Bits < 128 && immediate >> dst.Bits != 0)
                    {
                        throw new TextParseException($"{value}: value does not fit into {dst.Bits} bits");
                    }

                    return new LearnSpec(LearnSpecKind.Load, dst.Bits, null, immediate, dst);
                }

                var move = ParseMove(value);
                return new LearnSpec(LearnSpecKind.Load, move.Source.Bits, move.Source, 0, move.Destination);
            case "output":
                var source = NxmSubfield.Parse(value);
                return new LearnSpec(LearnSpecKind.Output, source.Bits, source, 0, null);
            default:
                throw new TextParseException($"{whole}: unknown keyword {name}");
        }
    }

    private static WriteMetadataInstruction ParseWriteMetadata(string text)
    {
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        ulong metadata = ParseUInt(slash < 0 ? text : text[..slash], "write_metadata", ulong.MaxValue);
        ulong mask = slash < 0 ? ulong.MaxValue : ParseUInt(text[(slash + 1)..], "write_metadata mask", ulong.MaxValue);
        return new WriteMetadataInstruction(metadata, mask);
    }

    private static ulong ParseUInt(string text, string context, ulong max)
    {
        if (!NxmValues.TryParseInteger(text, out var value) || value > max)
        {
            throw new TextParseException($"{context}: `{text}' is not a valid integer in range 0..{max}");
        }

        return (ulong)value;
    }

    private static uint ParseUInt32(string text, string context) => (uint)ParseUInt(text, context, uint.MaxValue);

    private static byte ParseByte(string text, string context) => (byte)ParseUInt(text, context, byte.MaxValue);

    /// <summary>A port as lib/ofp-port.c ofputil_port_from_string reads it: a reserved name, a number or an interface name.</summary>
    public static uint ParsePort(string text, PortNames names) =>
        TryParsePort(text, names, out uint port) ? port : throw new TextParseException($"{text}: unknown port");

    public static bool TryParsePort(string text, PortNames names, out uint port)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(names);
        text = text.Trim();
        port = text.ToUpperInvariant() switch
        {
            "IN_PORT" => Actions.OfpPort.InPort,
            "TABLE" => Actions.OfpPort.Table,
            "NORMAL" => Actions.OfpPort.Normal,
            "FLOOD" => Actions.OfpPort.Flood,
            "ALL" => Actions.OfpPort.All,
            "CONTROLLER" => Actions.OfpPort.Controller,
            "LOCAL" => Actions.OfpPort.Local,
            "ANY" or "NONE" => Actions.OfpPort.Any,
            _ => 0,
        };
        if (port != 0)
        {
            return true;
        }

        if (uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port))
        {
            // 16-bit reserved numbers (0xfff8...) mean the same reserved ports (ofputil_port_from_string).
            return port < 0xff00 || port >= Actions.OfpPort.Max || (port is >= 0xff00 and <= 0xffff && (port = port + 0xffff0000u) != 0);
        }

        string name = text.Length >= 2 && text[0] == '"' && text[^1] == '"' ? text[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal) : text;
        return names.TryGetNumber(name, out port);
    }
}
