using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using Dvr.DvrFlows.Reconcile;
using Dvr.OpenFlow.Connection;
using Dvr.OpenFlow.Errors;
using Dvr.OpenFlow.Messages;
using Dvr.OpenFlow.Messages.Multipart;
using Dvr.OpenFlow.Messages.Switch;
using Dvr.OpenFlow.Messages.Symmetric;
using Dvr.OpenFlow.Wire;

namespace Dvr.SwitchSim.Tests;

/// <summary>
/// The controller end of one connection, for driving a switch (real OVS or simulated) with the same
/// messages: sends them with the xids given, records every OFPT_ERROR by xid, and reads flows back.
/// </summary>
public sealed class TestController : IAsyncDisposable
{
    private readonly ConcurrentDictionary<uint, OfpError> _errors = new();

    private TestController(OpenFlowChannel channel)
    {
        Channel = channel;
        channel.MessageReceived = frame =>
        {
            if (frame.Type == OfpType.Error)
            {
                _errors[frame.Xid] = ((ErrorMessage)MessageDecoder.Decode(frame.Bytes.Span, DecodeMode.Loose)).Error;
            }

            return ValueTask.CompletedTask;
        };
        channel.Start();
    }

    public OpenFlowChannel Channel { get; }

    /// <summary>Errors received so far, by the xid they answer.</summary>
    public IReadOnlyDictionary<uint, OfpError> Errors => _errors;

    /// <summary>Connects to a bridge's management socket (OVS <c>BRIDGE.mgmt</c>).</summary>
    public static async Task<TestController> ConnectUnixAsync(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        var controller = new TestController(SocketTransport.CreateChannel(socket, "unix:" + path, null, null));
        await controller.Channel.Negotiated;
        return controller;
    }

    /// <summary>A simulated switch and a controller joined by an in-memory connection.</summary>
    public static async Task<(TestController Controller, SimulatedSwitch Switch)> ConnectSimulatedAsync(SimulatedSwitchOptions options)
    {
        var toSwitch = new Pipe();
        var toController = new Pipe();
        var simulated = SimulatedSwitch.Attach(new DuplexPipe(toSwitch.Reader, toController.Writer), options);
        var controller = new TestController(new OpenFlowChannel(new DuplexPipe(toController.Reader, toSwitch.Writer), "in-memory"));
        await controller.Channel.Negotiated;
        await simulated.Negotiated;
        return (controller, simulated);
    }

    public async Task SendAsync(IEnumerable<OpenFlowMessage> messages)
    {
        foreach (var message in messages)
        {
            await Channel.SendAsync(message);
        }
    }

    /// <summary>A barrier round trip: every error for earlier messages has arrived when it returns.</summary>
    public Task BarrierAsync() => Channel.RequestAsync(new BarrierRequest());

    public async Task<IReadOnlyList<OpenFlowFrame>> FlowStatsPartsAsync(FlowStatsRequest request) =>
        await Channel.RequestAsync(new MultipartRequest { Body = request });

    /// <summary>Every flow, formatted as dump-flows prints it, sorted (OVS does not order flows of equal priority).</summary>
    public async Task<List<string>> DumpAsync()
    {
        var parts = await FlowStatsPartsAsync(new FlowStatsRequest());
        var entries = MultipartAssembler.FlowEntries(parts.Select(p => (MultipartReply)MessageDecoder.Decode(p.Bytes.Span, DecodeMode.Loose)));
        return [.. entries.Select(e => new FlowEntry(e.TableId, e.Priority, e.Match, e.Cookie, e.Instructions).Format()).Order(StringComparer.Ordinal)];
    }

    public ValueTask DisposeAsync() => Channel.DisposeAsync();

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
