using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Dvr.DvrFlows.Compiler;

/// <summary>
/// OVS interface names the topology implies, spelled as Neutron's OVS agent spells them so the two can take
/// over each other's bridges: br-int <c>patch-tun</c> ↔ br-tun <c>patch-int</c>; <c>int-br-X</c> ↔
/// <c>phy-br-X</c> for physical bridge br-X; tunnel ports <c>vxlan-&lt;8 hex digits of the peer IPv4&gt;</c>.
/// </summary>
public static class InterfaceNames
{
    /// <summary>Linux IFNAMSIZ - 1 (neutron_lib.constants.DEVICE_NAME_MAX_LEN).</summary>
    public const int MaxLength = 15;

    /// <summary>Hex digits of the SHA-1 Neutron appends to a truncated name (INTERFACE_HASH_LEN).</summary>
    private const int HashLength = 6;

    public const string PatchTun = "patch-tun";

    public const string PatchInt = "patch-int";

    /// <summary>The br-int side of the patch pair to physical bridge <paramref name="physicalBridge"/> (int-br-ex).</summary>
    public static string IntToPhysical(string physicalBridge) => WithPrefix("int-", physicalBridge);

    /// <summary>The physical bridge side of the patch pair to br-int (phy-br-ex).</summary>
    public static string PhysicalToInt(string physicalBridge) => WithPrefix("phy-", physicalBridge);

    /// <summary>
    /// Tunnel port to <paramref name="remoteIp"/>: <c>vxlan-c000020c</c> for 192.0.2.12 (neutron
    /// ovs_neutron_agent.get_tunnel_name: the IPv4 address as 8 hex digits). For IPv6 Neutron uses the first
    /// hex digits of SHA-1 of the address text, which is what is done here too.
    /// </summary>
    public static string Tunnel(string tunnelType, IPAddress remoteIp)
    {
        string prefix = tunnelType + "-";
        if (remoteIp.AddressFamily == AddressFamily.InterNetwork)
        {
            var bytes = remoteIp.GetAddressBytes();
            uint value = ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
            return prefix + value.ToString("x8", CultureInfo.InvariantCulture);
        }

        return prefix + Sha1Hex(remoteIp.ToString())[..(MaxLength - prefix.Length)];
    }

    /// <summary>neutron.plugins.utils.get_interface_name: prefix + name, truncated with a SHA-1 suffix past 15 characters.</summary>
    private static string WithPrefix(string prefix, string name)
    {
        if (prefix.Length + name.Length <= MaxLength)
        {
            return prefix + name;
        }

        int keep = MaxLength - prefix.Length - HashLength;
        return prefix + name[..keep] + Sha1Hex(name)[..HashLength];
    }

    private static string Sha1Hex(string text)
    {
#pragma warning disable CA5350 // SHA-1 here only reproduces Neutron's interface-name hashing; it protects nothing.
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes(text));
#pragma warning restore CA5350
        return Convert.ToHexStringLower(hash);
    }
}
