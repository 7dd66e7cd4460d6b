using Dvr.OpenFlow.Text;

namespace Dvr.DvrFlows.Trace;

/// <summary>Splits <c>key=value,key,...</c> (ofproto/trace's flow syntax) into pairs; quotes protect commas in names.</summary>
public static class FlowTextPairs
{
    public static IReadOnlyList<KeyValuePair<string, string?>> Split(string text)
    {
        var pairs = new List<KeyValuePair<string, string?>>();
        int start = 0;
        bool quoted = false;
        for (int i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] == '"')
            {
                quoted = !quoted;
                continue;
            }

            if (i < text.Length && (quoted || (text[i] != ',' && !char.IsWhiteSpace(text[i]))))
            {
                continue;
            }

            var token = text[start..i];
            start = i + 1;
            if (token.Length == 0)
            {
                continue;
            }

            int eq = token.IndexOf('=', StringComparison.Ordinal);
            pairs.Add(eq < 0
                ? new KeyValuePair<string, string?>(token, null)
                : new KeyValuePair<string, string?>(token[..eq], token[(eq + 1)..].Trim('"')));
        }

        if (quoted)
        {
            throw new TextParseException($"unterminated quote in '{text}'");
        }

        return pairs;
    }
}
