using System.Net;
using Dvr.OpenFlow;
using PacketDotNet;
using PacketDotNet.Utils;
using SharpPcap;
using SharpPcap.LibPcap;

namespace Dvr.OvsTestbed.Capture;

/// <summary>One Ethernet frame as the checks need it: MACs, and the IPv4 or ARP addresses inside.</summary>
public sealed record FrameSummary(MacAddress Source, MacAddress Destination, IPAddress? IpSource, IPAddress? IpDestination, bool IsArp, IPAddress? ArpTarget, bool IsIcmp)
{
    public override string ToString() =>
        IsArp ? $"{Source} > {Destination} ARP who-has {ArpTarget}" : $"{Source} > {Destination} {IpSource} > {IpDestination}{(IsIcmp ? " ICMP" : string.Empty)}";
}

/// <summary>A VXLAN packet on the underlay (RFC 7348): outer IPv4 endpoints, the VNI and the inner frame.</summary>
public sealed record VxlanFrame(IPAddress OuterSource, IPAddress OuterDestination, uint Vni, FrameSummary Inner)
{
    public override string ToString() => $"{OuterSource} > {OuterDestination} vni {Vni}: {Inner}";
}

/// <summary>Reads pcap files written by <see cref="PacketCaptureSession"/> with SharpPcap and decodes them with PacketDotNet.</summary>
public static class PcapReader
{
    /// <summary>The IANA VXLAN port (RFC 7348 §5), which OVS uses by default.</summary>
    public const int VxlanPort = 4789;

    private const int UdpHeaderLength = 8;

    /// <summary>VXLAN header: flags(1) reserved(3) VNI(3) reserved(1).</summary>
    private const int VxlanHeaderLength = 8;

    public static IReadOnlyList<FrameSummary> ReadFrames(string pcapFile) =>
        ReadRaw(pcapFile).Select(data => Summarize(new EthernetPacket(new ByteArraySegment(data)))).ToList();

    public static IReadOnlyList<VxlanFrame> ReadVxlan(string pcapFile)
    {
        var frames = new List<VxlanFrame>();
        foreach (var data in ReadRaw(pcapFile))
        {
            var outer = new EthernetPacket(new ByteArraySegment(data));
            if (outer.Extract<IPv4Packet>() is not { } ip || outer.Extract<UdpPacket>() is not { } udp || udp.DestinationPort != VxlanPort)
            {
                continue;
            }

            // The UDP layer's own bytes: PacketDotNet decodes port 4789 as VXLAN itself, leaving PayloadData empty.
            var payload = udp.Bytes.AsSpan(UdpHeaderLength).ToArray();
            if (payload.Length < VxlanHeaderLength + 14)
            {
                continue;
            }

            uint vni = (uint)((payload[4] << 16) | (payload[5] << 8) | payload[6]);
            var inner = new EthernetPacket(new ByteArraySegment(payload, VxlanHeaderLength, payload.Length - VxlanHeaderLength));
            frames.Add(new VxlanFrame(ip.SourceAddress, ip.DestinationAddress, vni, Summarize(inner)));
        }

        return frames;
    }

    private static FrameSummary Summarize(EthernetPacket frame)
    {
        var source = Mac(frame.SourceHardwareAddress.GetAddressBytes());
        var destination = Mac(frame.DestinationHardwareAddress.GetAddressBytes());
        if (frame.Extract<ArpPacket>() is { } arp)
        {
            return new FrameSummary(source, destination, arp.SenderProtocolAddress, arp.TargetProtocolAddress, true, arp.TargetProtocolAddress, false);
        }

        if (frame.Extract<IPv4Packet>() is { } ip)
        {
            return new FrameSummary(source, destination, ip.SourceAddress, ip.DestinationAddress, false, null, ip.Protocol == ProtocolType.Icmp);
        }

        return new FrameSummary(source, destination, null, null, false, null, false);
    }

    private static MacAddress Mac(byte[] bytes)
    {
        ulong value = 0;
        foreach (byte b in bytes)
        {
            value = (value << 8) | b;
        }

        return new MacAddress(value);
    }

    private static List<byte[]> ReadRaw(string pcapFile)
    {
        var packets = new List<byte[]>();
        using var device = new CaptureFileReaderDevice(pcapFile);
        device.Open();
        while (device.GetNextPacket(out PacketCapture capture) == GetPacketStatus.PacketRead)
        {
            packets.Add(capture.GetPacket().Data);
        }

        return packets;
    }
}
