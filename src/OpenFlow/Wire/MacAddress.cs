using System.Globalization;

namespace Dvr.OpenFlow;

/// <summary>A 48-bit Ethernet address held as a number (the low 48 bits), formatted as OVS prints it.</summary>
public readonly record struct MacAddress(ulong Value) : IComparable<MacAddress>
{
    public static readonly MacAddress Broadcast = new(0xffff_ffff_ffffUL);

    public static MacAddress Parse(string text) =>
        TryParse(text, out var mac) ? mac : throw new FormatException($"'{text}' is not a MAC address (expected xx:xx:xx:xx:xx:xx)");

    public static bool TryParse(ReadOnlySpan<char> text, out MacAddress mac)
    {
        mac = default;
        ulong value = 0;
        int octets = 0;
        foreach (var range in text.Split(':'))
        {
            var part = text[range];
            if (octets == 6 || part.Length is < 1 or > 2 || !byte.TryParse(part, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out byte b))
            {
                return false;
            }

            value = (value << 8) | b;
            octets++;
        }

        if (octets != 6)
        {
            return false;
        }

        mac = new MacAddress(value);
        return true;
    }

    public bool IsMulticast => ((Value >> 40) & 1) != 0;

    public int CompareTo(MacAddress other) => Value.CompareTo(other.Value);

    public override string ToString() => string.Create(17, Value, static (span, v) =>
    {
        const string hex = "0123456789abcdef";
        for (int i = 0; i < 6; i++)
        {
            byte b = (byte)(v >> (8 * (5 - i)));
            span[i * 3] = hex[b >> 4];
            span[(i * 3) + 1] = hex[b & 0xf];
            if (i < 5)
            {
                span[(i * 3) + 2] = ':';
            }
        }
    });
}
