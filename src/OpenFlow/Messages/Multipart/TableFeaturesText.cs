using System.Globalization;
using System.Text;

namespace Dvr.OpenFlow.Messages.Multipart;

/// <summary>
/// ovs-ofctl's text for TABLE_FEATURES (Open vSwitch 3.1, lib/ofp-table.c ofputil_table_features_format):
/// properties are first reduced to what OVS keeps (instruction and action sets, next-table sets, field sets in
/// OVS field order), then printed with OVS's shorthands: a table equal to the previous one is folded into
/// "tables A...B: ditto", repeated parts print as "(same …)", and field lists are compressed
/// (<c>tun_{id,src}</c>, <c>reg0...reg15</c>).
/// </summary>
internal static class TableFeaturesText
{
    private static readonly Dictionary<(uint Header, uint Experimenter), int> FieldIndex =
        TableFeatureFieldCatalog.Fields.Select((f, i) => (f, i)).ToDictionary(x => (x.f.Header, x.f.Experimenter), x => x.i);

    // OVS's instruction order (enum ovs_instruction_type) as OpenFlow instruction types, with OVS's names.
    private static readonly (ushort Type, string Name)[] InstructionOrder =
    [
        (6, "meter"), (4, "apply_actions"), (5, "clear_actions"), (3, "write_actions"), (2, "write_metadata"), (1, "goto_table"),
    ];

    /// <summary>Action type bits OVS keeps in its action bitmaps (see <see cref="ActionTypeBitmap"/>).</summary>
    private const uint KnownActionBits = (1u << 0) | (0x7ffu << 15);

    public static void Format(StringBuilder output, ValueList<TableFeatures> tables)
    {
        Summary? previous = null;
        int firstDitto = -1;
        int lastDitto = -1;
        foreach (var table in tables)
        {
            var summary = Summary.Of(table);
            FormatTable(output, summary, previous, ref firstDitto, ref lastDitto);
            previous = summary;
        }

        FinishDitto(output, firstDitto, lastDitto);
    }

    private static void FinishDitto(StringBuilder output, int firstDitto, int lastDitto)
    {
        if (firstDitto < 0)
        {
            return;
        }

        output.Append('\n');
        output.Append(firstDitto == lastDitto ? $"  table {firstDitto}: ditto\n" : $"  tables {firstDitto}...{lastDitto}: ditto\n");
    }

    private static void FormatTable(StringBuilder output, Summary table, Summary? previous, ref int firstDitto, ref int lastDitto)
    {
        bool same = previous is not null && table.FeaturesEqual(previous);
        if (same && table.Name.Length == 0)
        {
            if (firstDitto < 0)
            {
                firstDitto = table.TableId;
            }

            lastDitto = table.TableId;
            return;
        }

        FinishDitto(output, firstDitto, lastDitto);
        firstDitto = -1;
        output.Append("\n  table ").Append(table.TableId.ToString(CultureInfo.InvariantCulture));
        if (table.Name.Length > 0)
        {
            output.Append(" (\"").Append(table.Name).Append("\")");
        }

        output.Append(':');
        if (same)
        {
            output.Append(" ditto");
            return;
        }

        output.Append('\n');
        if (table.MetadataMatch != 0 || table.MetadataWrite != 0)
        {
            output.Append("    metadata: match=").Append(Hex(table.MetadataMatch)).Append(" write=").Append(Hex(table.MetadataWrite)).Append('\n');
        }

        if (table.MaxEntries != 0)
        {
            output.Append("    max_entries=").Append(table.MaxEntries.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        if (previous is not null
            && table.NonMiss.EqualTo(table.TableId, previous.NonMiss, previous.TableId)
            && table.Miss.EqualTo(table.TableId, previous.Miss, previous.TableId))
        {
            if (!table.NonMiss.IsEmpty)
            {
                output.Append("    (same instructions)\n");
            }
        }
        else if (!table.NonMiss.EqualTo(table.TableId, table.Miss, table.TableId))
        {
            output.Append("    instructions (other than table miss):\n");
            FormatInstructions(output, table.NonMiss, previous?.NonMiss);
            output.Append("    instructions (table miss):\n");
            FormatInstructions(output, table.Miss, previous?.Miss);
        }
        else if (!table.NonMiss.IsEmpty)
        {
            output.Append("    instructions (table miss and others):\n");
            FormatInstructions(output, table.NonMiss, previous?.NonMiss);
        }

        if (table.Match.Any(b => b))
        {
            if (previous is not null && table.Match.SequenceEqual(previous.Match))
            {
                output.Append("    (same matching)\n");
            }
            else
            {
                output.Append("    matching:\n");
                FieldLine(output, "      arbitrary mask: ", i => table.Match[i] && table.Mask[i]);
                FieldLine(output, "      exact match or wildcard: ", i => table.Match[i] && !table.Mask[i] && table.Wildcard[i]);
                FieldLine(output, "      must exact match: ", i => table.Match[i] && !table.Mask[i] && !table.Wildcard[i]);
            }
        }
    }

    private static string Hex(ulong value) => value == 0 ? "0" : "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    private static void FieldLine(StringBuilder output, string leader, Func<int, bool> include)
    {
        var names = new List<string>();
        for (int i = 0; i < TableFeatureFieldCatalog.Fields.Length; i++)
        {
            if (include(i))
            {
                names.Add(TableFeatureFieldCatalog.Fields[i].Name);
            }
        }

        if (names.Count > 0)
        {
            output.Append(leader).Append(CompressNames(names, ' ')).Append('\n');
        }
    }

    private static void FormatInstructions(StringBuilder output, InstructionSummary features, InstructionSummary? previous)
    {
        if (features.Next.Any(b => b))
        {
            output.Append("      next tables: ");
            int start = Array.IndexOf(features.Next, true);
            while (start >= 0)
            {
                int end = start + 1;
                while (end < features.Next.Length && features.Next[end])
                {
                    end++;
                }

                output.Append(end == start + 1 ? $"{start}," : $"{start}-{end - 1},");
                start = end < features.Next.Length ? Array.IndexOf(features.Next, true, end) : -1;
            }

            output.Length--;
            output.Append('\n');
        }

        if (features.Instructions != 0)
        {
            if (previous is not null && features.Instructions == previous.Instructions)
            {
                output.Append("      (same instructions)\n");
            }
            else
            {
                output.Append("      instructions: ");
                output.AppendJoin(' ', InstructionOrder.Where(i => (features.Instructions & (1u << i.Type)) != 0).Select(i => i.Name));
                output.Append('\n');
            }
        }

        if (previous is not null && features.Write.EqualTo(previous.Write) && features.Apply.EqualTo(previous.Apply) && features.Write.SetFields.Any(b => b))
        {
            output.Append("      (same actions)\n");
        }
        else if (!features.Write.EqualTo(features.Apply))
        {
            output.Append("      Write-Actions features:\n");
            FormatActions(output, features.Write);
            output.Append("      Apply-Actions features:\n");
            FormatActions(output, features.Apply);
        }
        else if (features.Write.Actions != 0 || features.Write.SetFields.Any(b => b))
        {
            output.Append("      Write-Actions and Apply-Actions features:\n");
            FormatActions(output, features.Write);
        }
    }

    private static void FormatActions(StringBuilder output, ActionSummary actions)
    {
        if (actions.Actions != 0)
        {
            output.Append("        actions: ");
            ActionTypeBitmap.Format(output, actions.Actions);
            output.Append('\n');
        }

        if (actions.SetFields.Any(b => b))
        {
            var names = new List<string>();
            for (int i = 0; i < actions.SetFields.Length; i++)
            {
                if (actions.SetFields[i])
                {
                    names.Add(TableFeatureFieldCatalog.Fields[i].Name);
                }
            }

            output.Append("        supported on Set-Field: ").Append(CompressNames(names, ' ')).Append('\n');
        }
    }

    /// <summary>
    /// OVS's compressed name list: three or more names that differ only by consecutive trailing numbers become
    /// <c>reg0...reg15</c>; a run of names sharing their first "word_" (at least two entries after ranges are
    /// folded) becomes <c>P{…}</c>, where P is what the first two names share up to an underscore and each
    /// name contributes what follows P's length (exactly as ovs-ofctl prints it, even when that cuts a name).
    /// </summary>
    internal static string CompressNames(IReadOnlyList<string> names, char separator)
    {
        var parts = new List<string>();
        int i = 0;
        while (i < names.Count)
        {
            string name = names[i];
            int underscore = name.IndexOf('_', StringComparison.Ordinal);
            if (underscore >= 0)
            {
                string key = name[..(underscore + 1)];
                int end = i;
                while (end < names.Count && names[end].StartsWith(key, StringComparison.Ordinal))
                {
                    end++;
                }

                if (ItemCount(names, i, end) >= 2)
                {
                    string prefix = CommonPrefix(names[i], names[i + 1]);
                    prefix = prefix[..(prefix.LastIndexOf('_') + 1)];
                    var suffixes = new List<string>();
                    for (int k = i; k < end; k++)
                    {
                        suffixes.Add(names[k][Math.Min(prefix.Length, names[k].Length)..]);
                    }

                    parts.Add(prefix + "{" + CompressNames(suffixes, ',') + "}");
                    i = end;
                    continue;
                }
            }

            int run = RangeLength(names, i, names.Count);
            if (run >= 3)
            {
                parts.Add(names[i] + "..." + names[i + run - 1]);
                i += run;
                continue;
            }

            parts.Add(name);
            i++;
        }

        return string.Join(separator, parts);
    }

    private static int ItemCount(IReadOnlyList<string> names, int start, int end)
    {
        int items = 0;
        for (int i = start; i < end;)
        {
            int run = RangeLength(names, i, end);
            i += run >= 3 ? run : 1;
            items++;
        }

        return items;
    }

    private static int RangeLength(IReadOnlyList<string> names, int start, int end)
    {
        if (!SplitNumber(names[start], out string stem, out long number))
        {
            return 1;
        }

        int run = 1;
        while (start + run < end && SplitNumber(names[start + run], out string nextStem, out long next) && nextStem == stem && next == number + run)
        {
            run++;
        }

        return run;
    }

    private static bool SplitNumber(string name, out string stem, out long number)
    {
        int digits = name.Length;
        while (digits > 0 && char.IsAsciiDigit(name[digits - 1]))
        {
            digits--;
        }

        stem = name[..digits];
        number = 0;
        return digits < name.Length && digits > 0 && long.TryParse(name.AsSpan(digits), NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }

    private static string CommonPrefix(string a, string b)
    {
        int length = 0;
        while (length < a.Length && length < b.Length && a[length] == b[length])
        {
            length++;
        }

        return a[..length];
    }

    private sealed record ActionSummary(uint Actions, bool[] SetFields)
    {
        public bool EqualTo(ActionSummary other) => Actions == other.Actions && SetFields.AsSpan().SequenceEqual(other.SetFields);

        public bool IsEmpty => Actions == 0 && !SetFields.Any(b => b);
    }

    private sealed record InstructionSummary(bool[] Next, uint Instructions, ActionSummary Write, ActionSummary Apply)
    {
        public bool IsEmpty => !Next.Any(b => b) && Instructions == 0 && Write.IsEmpty && Apply.IsEmpty;

        /// <summary>OVS table_instruction_features_equal, including its tolerance for "the next table" (see NextEqual).</summary>
        public bool EqualTo(int tableId, InstructionSummary other, int otherTableId) =>
            NextEqual(Next, tableId, other.Next, otherTableId) && Instructions == other.Instructions && Write.EqualTo(other.Write) && Apply.EqualTo(other.Apply);

        /// <summary>
        /// lib/ofp-table.c table_instruction_features_next_equal: next-table sets of adjacent tables count as equal
        /// when they differ only by the later table itself (a table cannot go to itself or back).
        /// </summary>
        private static bool NextEqual(bool[] a, int aTable, bool[] b, int bTable)
        {
            if (bTable == aTable + 1 && a[bTable] && !b[bTable])
            {
                for (int i = 0; i < a.Length; i++)
                {
                    if (i != bTable && a[i] != b[i])
                    {
                        return false;
                    }
                }

                return true;
            }

            if (aTable == bTable + 1)
            {
                return NextEqual(b, bTable, a, aTable);
            }

            return a.AsSpan().SequenceEqual(b);
        }
    }

    private sealed record Summary(
        int TableId,
        string Name,
        ulong MetadataMatch,
        ulong MetadataWrite,
        uint MaxEntries,
        InstructionSummary NonMiss,
        InstructionSummary Miss,
        bool[] Match,
        bool[] Mask,
        bool[] Wildcard)
    {
        public bool FeaturesEqual(Summary other) =>
            MetadataMatch == other.MetadataMatch && MetadataWrite == other.MetadataWrite && MaxEntries == other.MaxEntries
            && NonMiss.EqualTo(TableId, other.NonMiss, other.TableId) && Miss.EqualTo(TableId, other.Miss, other.TableId)
            && Match.AsSpan().SequenceEqual(other.Match);

        public static Summary Of(TableFeatures table)
        {
            int fields = TableFeatureFieldCatalog.Fields.Length;
            var next = new bool[255];
            var nextMiss = new bool[255];
            uint seen = 0;
            uint instructions = 0, instructionsMiss = 0, write = 0, writeMiss = 0, apply = 0, applyMiss = 0;
            bool[] writeSet = new bool[fields], writeSetMiss = new bool[fields], applySet = new bool[fields], applySetMiss = new bool[fields];
            bool[] match = new bool[fields], mask = new bool[fields], wildcard = new bool[fields];
            foreach (var property in table.Properties)
            {
                if ((ushort)property.PropertyType < 32)
                {
                    seen |= 1u << (ushort)property.PropertyType;
                }

                switch (property)
                {
                    case InstructionsProperty p:
                        uint bits = p.Instructions.Where(i => i.Type < 32).Aggregate(0u, (acc, i) => acc | (1u << i.Type)) & 0x7e;
                        if (p.PropertyType == TableFeaturePropertyType.Instructions)
                        {
                            instructions = bits;
                        }
                        else
                        {
                            instructionsMiss = bits;
                        }

                        break;
                    case NextTablesProperty p:
                        var target = p.PropertyType == TableFeaturePropertyType.NextTables ? next : nextMiss;
                        foreach (byte id in p.Tables)
                        {
                            target[id] = true;
                        }

                        break;
                    case ActionsProperty p:
                        uint actions = p.Actions.Where(a => a.Type < 32).Aggregate(0u, (acc, a) => acc | (1u << a.Type)) & KnownActionBits;
                        switch (p.PropertyType)
                        {
                            case TableFeaturePropertyType.WriteActions: write = actions; break;
                            case TableFeaturePropertyType.WriteActionsMiss: writeMiss = actions; break;
                            case TableFeaturePropertyType.ApplyActions: apply = actions; break;
                            default: applyMiss = actions; break;
                        }

                        break;
                    case OxmProperty p:
                        foreach (var id in p.Fields)
                        {
                            uint header = id.HasMask ? Unmasked(id.Header, id.IsExperimenter) : id.Header;
                            if (!FieldIndex.TryGetValue((header, id.Experimenter), out int index))
                            {
                                continue;
                            }

                            switch (p.PropertyType)
                            {
                                case TableFeaturePropertyType.Match:
                                    (id.HasMask ? mask : match)[index] = true;
                                    break;
                                case TableFeaturePropertyType.Wildcards: wildcard[index] = true; break;
                                case TableFeaturePropertyType.WriteSetField: writeSet[index] = true; break;
                                case TableFeaturePropertyType.WriteSetFieldMiss: writeSetMiss[index] = true; break;
                                case TableFeaturePropertyType.ApplySetField: applySet[index] = true; break;
                                default: applySetMiss[index] = true; break;
                            }
                        }

                        break;
                }
            }

            // OVS: a table-miss property that is absent means "same as for other flows".
            bool Missing(TableFeaturePropertyType type) => (seen & (1u << (ushort)type)) == 0;
            if (Missing(TableFeaturePropertyType.InstructionsMiss))
            {
                instructionsMiss = instructions;
            }

            if (Missing(TableFeaturePropertyType.NextTablesMiss))
            {
                nextMiss = next;
            }

            if (Missing(TableFeaturePropertyType.WriteActionsMiss))
            {
                writeMiss = write;
            }

            if (Missing(TableFeaturePropertyType.ApplyActionsMiss))
            {
                applyMiss = apply;
            }

            if (Missing(TableFeaturePropertyType.WriteSetFieldMiss))
            {
                writeSetMiss = writeSet;
            }

            if (Missing(TableFeaturePropertyType.ApplySetFieldMiss))
            {
                applySetMiss = applySet;
            }

            // OVS: maskable fields are matchable and may be wildcarded; only matchable fields are wildcardable.
            for (int i = 0; i < fields; i++)
            {
                match[i] |= mask[i];
                wildcard[i] = (wildcard[i] | mask[i]) & match[i];
            }

            return new Summary(
                table.TableId,
                table.Name,
                table.MetadataMatch,
                table.MetadataWrite,
                table.MaxEntries,
                new InstructionSummary(next, instructions, new ActionSummary(write, writeSet), new ActionSummary(apply, applySet)),
                new InstructionSummary(nextMiss, instructionsMiss, new ActionSummary(writeMiss, writeSetMiss), new ActionSummary(applyMiss, applySetMiss)),
                match,
                mask,
                wildcard);
        }

        private static uint Unmasked(uint header, bool experimenter)
        {
            int length = (int)(header & 0xff);
            int experimenterBytes = experimenter ? 4 : 0;
            return (header & ~0x1ffu) | (uint)(((length - experimenterBytes) / 2) + experimenterBytes);
        }
    }
}
