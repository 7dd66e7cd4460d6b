using System.Buffers.Binary;
using System.Diagnostics;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Tests.Messages;
using Dvr.OpenFlow.Text;
using Dvr.OpenFlow.Wire;
using NUnit.Framework;

namespace Dvr.OpenFlow.Tests.Fuzz;

/// <summary>
/// Seeded mutation fuzzing of <see cref="MessageDecoder.Decode"/>: valid messages of every family are bit-flipped,
/// truncated, extended, and given corrupt length fields, and random frames are generated. The only exception
/// allowed out of decoding is <see cref="OpenFlowException"/>; whatever decodes must re-encode and print without
/// throwing. Deterministic (fixed seeds) and bounded in count.
/// </summary>
[TestFixture]
public class DecoderFuzzTests
{
    private const int MutationsPerSeed = 400;

    private static readonly Lazy<List<byte[]>> Seeds = new(() =>
    {
        var seeds = MessageCorpus.AllBytes().ToList();

        // OVS's own FLOW_MODs with Nicira actions and many match fields, for deeper structure.
        string[] flows =
        [
            "table=1,priority=2,dl_vlan=5,dl_src=fa:16:3e:00:00:01 actions=mod_dl_src:fa:16:3f:00:00:01,goto_table:2",
            "priority=10,ip,in_port=1,dl_vlan=5,nw_dst=10.0.0.0/24 actions=learn(table=10,hard_timeout=300,priority=1,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:NXM_OF_IN_PORT[]->NXM_NX_REG0[0..15]),resubmit(,5)",
            "tcp,tp_dst=80,tun_id=0x5,reg3=7 actions=push_vlan:0x8100,set_field:4097->vlan_vid,output:1,clear_actions,write_metadata:0x1/0xff",
            "arp,arp_tpa=10.0.1.1,arp_op=1 actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],CONTROLLER:65535",
        ];
        foreach (string flow in flows)
        {
            byte[] bytes = MessageOracle.ParseHexDump(MessageOracle.Run("-O", "OpenFlow13", "-mmmmm", "parse-flow", flow));
            Assert.That(bytes, Is.Not.Empty, $"ovs-ofctl did not encode {flow}");
            seeds.Add(bytes);
        }

        return seeds;
    });

    [Test]
    public void Decode_MutatedMessagesOfEveryFamily_OnlyThrowsOpenFlowException()
    {
        // Arrange
        var seeds = Seeds.Value;
        var random = new Random(20261123);
        var clock = Stopwatch.StartNew();
        int decoded = 0;
        int rejected = 0;

        // Act / Assert (each call asserts on its own)
        foreach (byte[] seed in seeds)
        {
            for (int i = 0; i < MutationsPerSeed; i++)
            {
                byte[] mutated = Mutate(seed, random);
                if (Exercise(mutated, random.Next(10) == 0))
                {
                    decoded++;
                }
                else
                {
                    rejected++;
                }
            }
        }

        // Assert: the mutations really explore both outcomes, and the run stays short.
        Assert.Multiple(() =>
        {
            Assert.That(decoded, Is.GreaterThan(seeds.Count), "too few mutated messages decoded");
            Assert.That(rejected, Is.GreaterThan(seeds.Count * MutationsPerSeed / 4), "too few mutated messages rejected");
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(45)));
        });
    }

    [Test]
    public void Decode_RandomFrames_OnlyThrowsOpenFlowException()
    {
        // Arrange: random bodies behind a plausible header of every OpenFlow 1.3 type.
        var random = new Random(7);

        // Act / Assert
        for (int i = 0; i < 20_000; i++)
        {
            int bodyLength = random.Next(0, i % 100 == 0 ? 2000 : 120);
            var frame = new byte[OfpHeader.Size + bodyLength];
            random.NextBytes(frame.AsSpan(OfpHeader.Size));
            new OfpHeader(OfpHeader.Version13, (OfpType)random.Next(0, 31), (ushort)frame.Length, (uint)i).Write(frame);
            if (frame[1] is (byte)OfpType.MultipartRequest or (byte)OfpType.MultipartReply && bodyLength >= 2)
            {
                // Steer the multipart type into the known range so bodies get decoded.
                frame[8] = 0;
                frame[9] = (byte)random.Next(0, 15);
            }

            Exercise(frame, print: i % 10 == 0);
        }
    }

    /// <summary>Decodes strictly and loosely; returns true when the loose decode succeeded.</summary>
    private static bool Exercise(byte[] frame, bool print)
    {
        bool decodedAny = false;
        foreach (var mode in new[] { DecodeMode.Strict, DecodeMode.Loose })
        {
            OpenFlowMessage message;
            try
            {
                message = MessageDecoder.Decode(frame, mode);
            }
            catch (OpenFlowException)
            {
                continue;
            }
            catch (Exception ex)
            {
                Assert.Fail($"{mode} decode of {Convert.ToHexStringLower(frame)} threw {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}");
                return false;
            }

            decodedAny = mode == DecodeMode.Loose;
            try
            {
                _ = message.ToBytes();
            }
            catch (Exception ex)
            {
                Assert.Fail($"re-encoding {message.GetType().Name} decoded from {Convert.ToHexStringLower(frame)} threw {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}");
            }
        }

        if (print)
        {
            try
            {
                _ = OfpPrint.Format(frame);
            }
            catch (Exception ex)
            {
                Assert.Fail($"printing {Convert.ToHexStringLower(frame)} threw {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}");
            }
        }

        return decodedAny;
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        byte[] bytes = (byte[])seed.Clone();
        switch (random.Next(6))
        {
            case 0:
                // 1-4 bit flips anywhere, header included.
                for (int n = random.Next(1, 5); n > 0; n--)
                {
                    int bit = random.Next(bytes.Length * 8);
                    bytes[bit / 8] ^= (byte)(1 << (bit % 8));
                }

                return bytes;
            case 1:
                // Truncate and fix the length field, so the decoder sees a short but well-framed body.
                bytes = bytes[..random.Next(OfpHeader.Size, bytes.Length + 1)];
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)bytes.Length);
                return bytes;
            case 2:
                // Truncate without fixing the length field.
                return bytes[..random.Next(0, bytes.Length)];
            case 3:
                // Corrupt the length field.
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)random.Next(0, 0x10000));
                return bytes;
            case 4:
                // Random byte values in the body, length kept.
                for (int n = random.Next(1, 8); n > 0 && bytes.Length > OfpHeader.Size; n--)
                {
                    bytes[random.Next(OfpHeader.Size, bytes.Length)] = (byte)random.Next(256);
                }

                return bytes;
            default:
                // Append random bytes and fix the length field (trailing garbage, longer lists).
                byte[] extra = new byte[random.Next(1, 64)];
                random.NextBytes(extra);
                bytes = [.. bytes, .. extra];
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)bytes.Length);
                return bytes;
        }
    }
}
