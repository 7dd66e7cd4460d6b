using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Dvr.Integration.Tests.Controller;

/// <summary>Collects formatted log lines so tests can assert that a drop was logged.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ILoggerFactory
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public bool Contains(string text) => _lines.Any(l => l.Contains(text, StringComparison.Ordinal));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string line = $"{logLevel} {category}: {formatter(state, exception)}";
            owner._lines.Enqueue(line);
            if (Environment.GetEnvironmentVariable("DVR_TEST_LOG") == "1")
            {
                Console.Error.WriteLine(line);
            }
        }
    }
}
