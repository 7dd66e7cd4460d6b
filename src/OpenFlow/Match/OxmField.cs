using Dvr.OpenFlow.Actions;

namespace Dvr.OpenFlow.Match;

/// <summary>
/// One match field as it goes on the wire: OXM TLV header (OpenFlow 1.3.5 §7.2.3.2)
/// <code>
///  31              16 15        9  8  7        0
///  +-----------------+-----------+---+----------+
///  |    oxm_class    | oxm_field |HM | oxm_len  |
///  +-----------------+-----------+---+----------+
/// </code>
/// Descriptors are singletons (see <see cref="OxmFields"/>), so an entry holds a reference and equality is
/// reference equality. <see cref="EncodeOrder"/> is the position Open vSwitch gives the field when it
/// encodes a match (lib/nx-match.c, nx_put_raw), so our bytes equal ovs-ofctl's for the same flow.
/// </summary>
public sealed class OxmField
{
    public OxmField(string name, ushort oxmClass, byte field, int length, bool maskable, int encodeOrder, uint experimenter = 0)
    {
        Name = name;
        Class = oxmClass;
        Field = field;
        Length = length;
        Maskable = maskable;
        EncodeOrder = encodeOrder;
        Experimenter = experimenter;
        Bits = length * 8;
        OvsName = name;
        OnesMask = OxmEntry.AllOnes(length);
    }

    /// <summary>Open vSwitch's canonical field name (e.g. "eth_src", "tun_id", "reg0").</summary>
    public string Name { get; }

    public ushort Class { get; }

    public byte Field { get; }

    /// <summary>Value length in bytes (the mask, when present, has the same length).</summary>
    public int Length { get; }

    public bool Maskable { get; }

    public int EncodeOrder { get; }

    /// <summary>Experimenter id for class 0xffff fields, 0 otherwise.</summary>
    public uint Experimenter { get; }

    /// <summary>Significant bits of the value (vlan_vid has 13 of its 16, mpls_label 20 of 32); a larger value is OFPBMC_BAD_VALUE.</summary>
    public int Bits
    {
        get => _bits;
        init
        {
            _bits = value;
            ValueBitsMask = value >= 128 ? UInt128.MaxValue : (UInt128.One << value) - 1;
        }
    }

    private readonly int _bits;

    /// <summary>All ones over <see cref="Length"/> bytes, computed once: decoding compares every mask with it.</summary>
    internal UInt128 OnesMask { get; }

    /// <summary>All ones over <see cref="Bits"/>: a value with a bit outside it does not fit the field.</summary>
    internal UInt128 ValueBitsMask { get; private init; }

    /// <summary>How Open vSwitch writes a value of this field (lib/meta-flow.h "Formatting").</summary>
    public FieldValueFormat Format { get; init; } = FieldValueFormat.Decimal;

    /// <summary>What an earlier field must pin before this one may appear (OpenFlow 1.3.5 §7.2.3.6 table 12, OVS's MFP_*).</summary>
    public FieldPrerequisite Prerequisite { get; init; }

    /// <summary>Open vSwitch's primary name (mf->name): printed after "->" in set_field and accepted by ovs-ofctl.</summary>
    public string OvsName { get; init; }

    /// <summary>
    /// False for OpenFlow 1.3 fields Open vSwitch 3.1 does not implement (in_phy_port, pbb_isid, ipv6_exthdr):
    /// OVS treats them as unknown (OFPBMC_BAD_FIELD when strict, skipped when loose), and so does this codec.
    /// </summary>
    public bool KnownToOvs { get; init; } = true;

    /// <summary>False for fields that describe the packet but that a controller never matches in a flow's OXM (nw_tos, vlan_tci, xreg).</summary>
    public bool InMatch { get; init; } = true;

    /// <summary>Header without the has-mask bit and with the unmasked length.</summary>
    public uint Header => ((uint)Class << 16) | ((uint)Field << 9) | (uint)(Length + (Experimenter != 0 ? 4 : 0));

    /// <summary>Class and field only (has-mask and length cleared): identifies the field.</summary>
    public uint TypeKey => ((uint)Class << 16) | ((uint)Field << 9);

    /// <summary>
    /// <see cref="NxmFieldTable.FromSetFieldHeader"/> of <see cref="Header"/>, looked up on first use: decoding and
    /// printing a set_field ask for it once per action.
    /// </summary>
    internal NxmFieldInfo? SetFieldInfo
    {
        get
        {
            if (!Volatile.Read(ref _setFieldInfoResolved))
            {
                // Idempotent, so threads racing here store the same value; the flag is published after it.
                _setFieldInfo = NxmFieldTable.FromSetFieldHeader(Header);
                Volatile.Write(ref _setFieldInfoResolved, true);
            }

            return _setFieldInfo;
        }
    }

    private NxmFieldInfo? _setFieldInfo;
    private bool _setFieldInfoResolved;

    public override string ToString() => Name;
}
