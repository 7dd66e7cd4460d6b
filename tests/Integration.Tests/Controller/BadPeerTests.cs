using System.Diagnostics;
using Dvr.DvrFlows.Controller;
using Dvr.OpenFlow.Connection;
using Dvr.OpenFlow.Wire;
using NUnit.Framework;

namespace Dvr.Integration.Tests.Controller;

/// <summary>
/// Misbehaving peers are answered (where the spec says so), dropped with a log line, and do not disturb a
/// well-behaved switch on the same listener. Loopback TCP only; no OVS needed.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(30_000)]
public class BadPeerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private CapturingLoggerProvider _log = null!;
    private ControllerHost _host = null!;
    private System.Net.EndPoint _endpoint = null!;

    [SetUp]
    public void StartController()
    {
        _log = new CapturingLoggerProvider();
        var controller = new DvrController(PortFlowSource.Topology, new PortFlowSource(), loggerFactory: _log);
        var options = new OpenFlowChannelOptions { EchoInterval = TimeSpan.FromMilliseconds(300), EchoTimeout = TimeSpan.FromMilliseconds(300), HelloTimeout = TimeSpan.FromSeconds(2) };
        _host = new ControllerHost(controller, options, _log);
        _endpoint = _host.Listen(OpenFlowEndpoint.Parse("tcp:127.0.0.1:0")).LocalEndPoint!;
    }

    [TearDown]
    public async Task StopController()
    {
        await _host.DisposeAsync();
        _log.Dispose();
    }

    [Test]
    public async Task Garbage_GetsBadLenErrorAndIsDropped()
    {
        await using var peer = new SimulatedSwitch();
        await peer.ConnectAsync(_endpoint);

        await peer.SendAsync(Convert.FromHexString("0400000400000007")); // length 4 < header
        var hello = await peer.ReadAsync(Wait);
        var error = await peer.ReadAsync(Wait);
        var end = await peer.ReadAsync(Wait);

        Assert.Multiple(() =>
        {
            Assert.That(hello![1], Is.EqualTo((byte)OfpType.Hello));
            Assert.That(Convert.ToHexStringLower(error!.AsSpan(0, 12)), Is.EqualTo("0401001400000007" + "00010006"), "OFPT_ERROR BAD_REQUEST/BAD_LEN, 20 bytes: header, type, code, the 8 offending bytes");
            Assert.That(error.AsSpan(12).ToArray(), Is.EqualTo(Convert.FromHexString("0400000400000007")));
            Assert.That(end, Is.Null);
            Assert.That(peer.Closed, Is.True);
        });
        await WaitForLogAsync("malformed message");
    }

    [Test]
    public async Task WrongVersion_GetsHelloFailedAndIsDropped()
    {
        await using var peer = new SimulatedSwitch();
        await peer.ConnectAsync(_endpoint);

        await peer.SendAsync(Convert.FromHexString("0100000800000001")); // OpenFlow 1.0 HELLO, no bitmap
        await peer.ReadAsync(Wait);
        var error = await peer.ReadAsync(Wait);
        var end = await peer.ReadAsync(Wait);

        Assert.Multiple(() =>
        {
            Assert.That(error![1], Is.EqualTo((byte)OfpType.Error));
            Assert.That(Convert.ToHexStringLower(error.AsSpan(8, 4)), Is.EqualTo("00000000"), "OFPET_HELLO_FAILED / OFPHFC_INCOMPATIBLE");
            Assert.That(System.Text.Encoding.ASCII.GetString(error.AsSpan(12)), Does.Contain("peer supports version 0x01"));
            Assert.That(end, Is.Null);
        });
        await WaitForLogAsync("version negotiation failed");
    }

    [Test]
    public async Task TruncatedFrame_IsLoggedAndDropped()
    {
        await using var peer = new SimulatedSwitch();
        await peer.ConnectAsync(_endpoint);

        await peer.SendAsync(Convert.FromHexString("0400000800000001"));
        await peer.SendAsync(Convert.FromHexString("040e006400000002" + "00000000000000000000")); // says 100 bytes, sends 18
        peer.CloseWrite();

        await WaitForLogAsync("truncated frame");
    }

    [Test]
    public async Task SilentPeer_IsDeclaredDeadAfterEchoTimeout_WhileHealthySwitchStays()
    {
        using var stop = new CancellationTokenSource();
        await using var healthy = new SimulatedSwitch();
        await using var silent = new SimulatedSwitch { AnswerEcho = false };
        await healthy.ConnectAsync(_endpoint);
        await silent.ConnectAsync(_endpoint);
        var healthyRun = healthy.RunAsync(stop.Token);
        var clock = Stopwatch.StartNew();
        var silentRun = silent.RunAsync(stop.Token);

        await WaitForLogAsync("dead peer");
        var deadAfter = clock.Elapsed;
        await Task.Delay(1000); // several more echo intervals for the healthy switch
        await stop.CancelAsync();
        await Task.WhenAll(healthyRun, silentRun);

        Assert.Multiple(() =>
        {
            Assert.That(deadAfter, Is.LessThan(TimeSpan.FromSeconds(3)));
            Assert.That(silent.EchoRequestsSeen, Is.GreaterThanOrEqualTo(1), "the controller probed before giving up");
            Assert.That(healthy.Closed, Is.False, "the healthy switch is still connected");
            Assert.That(healthy.EchoRequestsSeen, Is.GreaterThanOrEqualTo(2));
            Assert.That(_log.Contains("datapath 0000000000000999 with 3 port(s)"), Is.True, "PORT_DESC parts were reassembled");
        });
    }

    [Test]
    public async Task NoHello_IsDroppedAfterHelloTimeout()
    {
        await using var peer = new SimulatedSwitch();
        await peer.ConnectAsync(_endpoint);

        await peer.ReadAsync(Wait); // our HELLO
        var end = await peer.ReadAsync(TimeSpan.FromSeconds(5));

        Assert.That(end, Is.Null);
        await WaitForLogAsync("no HELLO within");
    }

    [Test]
    public async Task AllBadPeersAtOnce_HealthySwitchKeepsBeingServed()
    {
        // Arrange: a healthy switch, then every kind of bad peer on the same listener at the same time. A
        // listener of its own with 1 s echo timers, so a loaded machine cannot make the healthy switch late.
        await _host.DisposeAsync();
        var controller = new DvrController(PortFlowSource.Topology, new PortFlowSource(), loggerFactory: _log);
        var options = new OpenFlowChannelOptions { EchoInterval = TimeSpan.FromSeconds(1), EchoTimeout = TimeSpan.FromSeconds(1), HelloTimeout = TimeSpan.FromSeconds(2) };
        _host = new ControllerHost(controller, options, _log);
        _endpoint = _host.Listen(OpenFlowEndpoint.Parse("tcp:127.0.0.1:0")).LocalEndPoint!;
        using var stop = new CancellationTokenSource();
        await using var healthy = new SimulatedSwitch();
        await healthy.ConnectAsync(_endpoint);
        var healthyRun = healthy.RunAsync(stop.Token);
        await WaitForLogAsync("datapath 0000000000000999 with 3 port(s)");
        int echoesBefore = healthy.EchoRequestsSeen;
        await using var garbage = new SimulatedSwitch();
        await using var wrongVersion = new SimulatedSwitch();
        await using var truncated = new SimulatedSwitch();
        await using var silent = new SimulatedSwitch { AnswerEcho = false, DatapathId = 0x998 };
        await using var mute = new SimulatedSwitch();
        foreach (var peer in new[] { garbage, wrongVersion, truncated, silent, mute })
        {
            await peer.ConnectAsync(_endpoint);
        }

        // Act
        await garbage.SendAsync(Convert.FromHexString("0400000400000007"));
        await wrongVersion.SendAsync(Convert.FromHexString("0100000800000001"));
        await truncated.SendAsync(Convert.FromHexString("0400000800000001" + "040e006400000002" + "0000"));
        truncated.CloseWrite();
        var silentRun = silent.RunAsync(stop.Token);
        var clock = Stopwatch.StartNew();
        foreach (string drop in new[] { "malformed message", "version negotiation failed", "truncated frame", "dead peer", "no HELLO within" })
        {
            await WaitForLogAsync(drop);
        }

        var badPeersDroppedAfter = clock.Elapsed;
        await stop.CancelAsync();
        await Task.WhenAll(healthyRun, silentRun);

        // Assert: the healthy switch was probed and answered all along, and never dropped.
        Assert.Multiple(() =>
        {
            Assert.That(healthy.Closed, Is.False);
            Assert.That(healthy.EchoRequestsSeen - echoesBefore, Is.GreaterThanOrEqualTo(1), $"probed and answered during {badPeersDroppedAfter.TotalSeconds:0.0} s of bad peers");
            Assert.That(_log.Lines.Count(l => l.Contains("tcp:127.0.0.1", StringComparison.Ordinal) && l.Contains(": connection closed: ", StringComparison.Ordinal)), Is.EqualTo(5), "exactly the five bad peers were dropped:\n" + string.Join("\n", _log.Lines));
        });
    }

    private async Task WaitForLogAsync(string text)
    {
        var clock = Stopwatch.StartNew();
        while (!_log.Contains(text))
        {
            if (clock.Elapsed > Wait)
            {
                Assert.Fail($"no log line containing '{text}'. Log:\n{string.Join('\n', _log.Lines)}");
            }

            await Task.Delay(20);
        }
    }
}
