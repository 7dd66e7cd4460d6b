using System.Net;
using System.Net.Sockets;
using Dvr.DvrFlows.Topology;
using Dvr.OvsTestbed;
using NUnit.Framework;

namespace Dvr.Integration.Tests.Testbed;

/// <summary>
/// The bridges inside the host namespaces reach a controller in the root namespace, over a unix socket (through the
/// rundir symlink) and over TCP (through the control bridge). The "controller" here only accepts and reads the
/// switch's OpenFlow HELLO.
/// </summary>
[TestFixture]
[Category("Testbed")]
[NonParallelizable]
public class TestbedControllerTests
{
    /// <summary>OpenFlow 1.3 wire version; OFPT_HELLO is type 0 (OpenFlow 1.3.5 §7.1, §7.5.1).</summary>
    private const byte OpenFlow13 = 0x04;

    [Test]
    public async Task Up_UnixController_EveryBridgeSendsOpenFlow13Hello()
    {
        // Arrange
        string socketPath = Path.Combine(Path.GetTempPath(), $"tbG-ctl-{Environment.ProcessId}.sock");
        File.Delete(socketPath);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(16);
        var options = new TestbedOptions { Prefix = "tbG-", Controller = ControllerTarget.Parse($"unix:{socketPath}") };
        try
        {
            // Act
            await using var testbed = await OvsTestbed.Testbed.UpAsync(TestbedFixtures.TwoHosts(), options);
            var hellos = await AcceptHellosAsync(listener, expected: 4);

            // Assert: 2 hosts × (br-int, br-tun).
            Assert.That(hellos, Has.Count.EqualTo(4).And.All.EqualTo((OpenFlow13, (byte)0)));
        }
        finally
        {
            File.Delete(socketPath);
        }
    }

    [Test]
    public async Task Up_TcpController_BridgesConnectThroughTheControlBridge()
    {
        // Arrange: an address of its own, so other testbeds' control bridges on the box do not collide.
        using var listener = new TcpListener(IPAddress.Any, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var options = new TestbedOptions { Prefix = "tbH-", Controller = ControllerTarget.Parse($"tcp:198.19.253.254:{port}") };

        // Act
        await using var testbed = await OvsTestbed.Testbed.UpAsync(TestbedFixtures.TwoHosts(), options);
        var hellos = await AcceptHellosAsync(listener.Server, expected: 4);
        string target = (await testbed.Host("a").VsctlAsync("get-controller", "br-int")).Stdout.Trim();

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(hellos, Has.Count.EqualTo(4).And.All.EqualTo((OpenFlow13, (byte)0)));
            Assert.That(target, Is.EqualTo($"tcp:198.19.253.254:{port}"));
        });
    }

    [Test]
    public void ControllerTarget_Parse_RejectsRelativeUnixPathAndMissingPort()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => ControllerTarget.Parse("unix:ctl.sock"), Throws.InstanceOf<FormatException>().With.Message.Contains("absolute"));
            Assert.That(() => ControllerTarget.Parse("tcp:198.51.100.254"), Throws.InstanceOf<FormatException>().With.Message.Contains("tcp:IPv4:PORT"));
            Assert.That(ControllerTarget.Parse("none"), Is.SameAs(ControllerTarget.None));
        });
    }

    private static async Task<List<(byte Version, byte Type)>> AcceptHellosAsync(Socket listener, int expected)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var hellos = new List<(byte, byte)>();
        var connections = new List<Socket>();
        try
        {
            while (hellos.Count < expected)
            {
                var connection = await listener.AcceptAsync(timeout.Token);
                connections.Add(connection);
                var header = new byte[8];
                int read = 0;
                while (read < header.Length)
                {
                    int n = await connection.ReceiveAsync(header.AsMemory(read), SocketFlags.None, timeout.Token);
                    if (n == 0)
                    {
                        break;
                    }

                    read += n;
                }

                if (read == header.Length)
                {
                    hellos.Add((header[0], header[1]));
                }
            }
        }
        finally
        {
            foreach (var connection in connections)
            {
                connection.Dispose();
            }
        }

        return hellos;
    }
}
