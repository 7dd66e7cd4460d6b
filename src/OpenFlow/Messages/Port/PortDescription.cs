using System.Text;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;

namespace Dvr.OpenFlow.Messages.Port;

/// <summary>enum ofp_port_state (OpenFlow 1.3.5 §7.2.1).</summary>
[Flags]
public enum PortState : uint
{
    None = 0,
    LinkDown = 1 << 0,
    Blocked = 1 << 1,
    Live = 1 << 2,
}

/// <summary>
/// struct ofp_port (OpenFlow 1.3.5 §7.2.1), 64 bytes, used by PORT_STATUS and the PORT_DESC multipart:
/// <code>
///  0               4               8                       14      16
///  +---------------+---------------+-----------------------+-------+
///  |    port_no    |    pad(4)     |        hw_addr        |pad(2) |
///  +---------------+---------------+-----------------------+-------+
///  |                     name[16] (NUL-padded)                     |
///  +---------------+---------------+---------------+---------------+
///  |    config     |     state     |     curr      |  advertised   |
///  +---------------+---------------+---------------+---------------+
///  |   supported   |     peer      |  curr_speed   |   max_speed   |   (speeds in kbps)
///  +---------------+---------------+---------------+---------------+
/// </code>
/// </summary>
public sealed record PortDescription
{
    public const int Size = 64;

    public const int NameLength = 16;

    public uint PortNumber { get; init; }

    public MacAddress HardwareAddress { get; init; }

    /// <summary>The interface name; the wire holds at most 15 characters plus a NUL, so longer names are cut.</summary>
    public string Name
    {
        get => _name;
        init => _name = value.Length > NameLength - 1 ? value[..(NameLength - 1)] : value;
    }

    private readonly string _name = "";

    public PortConfig Config { get; init; }

    public PortState State { get; init; }

    public PortFeatures Current { get; init; }

    public PortFeatures Advertised { get; init; }

    public PortFeatures Supported { get; init; }

    public PortFeatures Peer { get; init; }

    public uint CurrentSpeedKbps { get; init; }

    public uint MaxSpeedKbps { get; init; }

    public void Encode(ref SpanWriter writer)
    {
        writer.WriteUInt32(PortNumber);
        writer.WriteZeros(4);
        writer.WriteUInt16((ushort)(HardwareAddress.Value >> 32));
        writer.WriteUInt32((uint)HardwareAddress.Value);
        writer.WriteZeros(2);
        var name = writer.Reserve(NameLength);
        name.Clear();
        int length = Math.Min(Name.Length, NameLength - 1);
        for (int i = 0; i < length; i++)
        {
            name[i] = (byte)Name[i];
        }

        writer.WriteUInt32((uint)Config);
        writer.WriteUInt32((uint)State);
        writer.WriteUInt32((uint)Current);
        writer.WriteUInt32((uint)Advertised);
        writer.WriteUInt32((uint)Supported);
        writer.WriteUInt32((uint)Peer);
        writer.WriteUInt32(CurrentSpeedKbps);
        writer.WriteUInt32(MaxSpeedKbps);
    }

    /// <summary>Decodes one ofp_port. Unknown bits are kept (a switch's state is read loosely).</summary>
    public static PortDescription Decode(ref SpanReader reader)
    {
        uint port = reader.ReadUInt32();
        reader.SkipPadding(4);
        ulong mac = ((ulong)reader.ReadUInt16() << 32) | reader.ReadUInt32();
        reader.SkipPadding(2);
        var nameBytes = reader.ReadBytes(NameLength);
        int nameLength = nameBytes.IndexOf((byte)0);
        var name = nameBytes[..(nameLength < 0 ? NameLength : nameLength)];
        return new PortDescription
        {
            PortNumber = port,
            HardwareAddress = new MacAddress(mac),
            Name = string.Create(name.Length, name.ToArray(), static (span, bytes) =>
            {
                for (int i = 0; i < bytes.Length; i++)
                {
                    span[i] = (char)bytes[i];
                }
            }),
            Config = (PortConfig)reader.ReadUInt32(),
            State = (PortState)reader.ReadUInt32(),
            Current = (PortFeatures)reader.ReadUInt32(),
            Advertised = (PortFeatures)reader.ReadUInt32(),
            Supported = (PortFeatures)reader.ReadUInt32(),
            Peer = (PortFeatures)reader.ReadUInt32(),
            CurrentSpeedKbps = reader.ReadUInt32(),
            MaxSpeedKbps = reader.ReadUInt32(),
        };
    }

    /// <summary>
    /// OVS ofputil_phy_port_format:
    /// <code>
    ///  1(eth0): addr:aa:bb:cc:dd:ee:ff
    ///      config:     PORT_DOWN
    ///      state:      LINK_DOWN
    ///      current:    10GB-FD COPPER        (only the non-zero feature sets)
    ///      speed: 10000 Mbps now, 0 Mbps max
    /// </code>
    /// </summary>
    public void Format(StringBuilder output, PortNames names)
    {
        output.Append(' ');
        PortFormat.Append(output, PortNumber, names);
        output.Append('(').Append(PrintableName()).Append("): addr:").Append(HardwareAddress.ToString()).Append('\n');
        output.Append("     config:     ");
        AppendBits(output, (uint)Config & 0x65, ConfigNames);
        output.Append("     state:      ");
        AppendBits(output, (uint)State & 0x7, StateNames);
        AppendFeatures(output, "     current:    ", Current);
        AppendFeatures(output, "     advertised: ", Advertised);
        AppendFeatures(output, "     supported:  ", Supported);
        AppendFeatures(output, "     peer:       ", Peer);
        output.Append("     speed: ").Append(CurrentSpeedKbps / 1000).Append(" Mbps now, ").Append(MaxSpeedKbps / 1000).Append(" Mbps max\n");
    }

    /// <summary>OVS stops the name at the first non-printable character (and at 15 characters).</summary>
    private string PrintableName()
    {
        int end = 0;
        while (end < Name.Length && end < NameLength - 1 && Name[end] >= 32 && Name[end] < 127)
        {
            end++;
        }

        return Name[..end];
    }

    private static void AppendFeatures(StringBuilder output, string label, PortFeatures features)
    {
        // OVS keeps only the 16 feature bits OpenFlow 1.1+ defines (netdev_features).
        uint bits = (uint)features & 0xffff;
        if (bits != 0)
        {
            output.Append(label);
            AppendBits(output, bits, FeatureNames);
        }
    }

    /// <summary>OVS ofp_print_bit_names with ' ' separator, then a newline; "0" when empty.</summary>
    private static void AppendBits(StringBuilder output, uint bits, string?[] names)
    {
        if (bits == 0)
        {
            output.Append("0\n");
            return;
        }

        bool first = true;
        for (int bit = 0; bit < 32; bit++)
        {
            if ((bits & (1u << bit)) != 0 && bit < names.Length && names[bit] is { } name)
            {
                if (!first)
                {
                    output.Append(' ');
                }

                output.Append(name);
                bits &= ~(1u << bit);
                first = false;
            }
        }

        if (bits != 0)
        {
            output.Append(first ? "" : " ").Append("0x").Append(bits.ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        }

        output.Append('\n');
    }

    private static readonly string?[] ConfigNames = ["PORT_DOWN", null, "NO_RECV", null, null, "NO_FWD", "NO_PACKET_IN"];

    private static readonly string?[] StateNames = ["LINK_DOWN", "BLOCKED", "LIVE"];

    private static readonly string?[] FeatureNames =
    [
        "10MB-HD", "10MB-FD", "100MB-HD", "100MB-FD", "1GB-HD", "1GB-FD", "10GB-FD", "40GB-FD",
        "100GB-FD", "1TB-FD", "OTHER", "COPPER", "FIBER", "AUTO_NEG", "AUTO_PAUSE", "AUTO_PAUSE_ASYM",
    ];
}
