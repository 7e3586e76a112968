using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace CouponKit.LoadTest.Infrastructure;

/// <summary>
/// Stops the servers this process started when it is interrupted (Ctrl+C, SIGTERM, SIGQUIT), so that no PostgreSQL cluster or
/// redis-server is left running; a normal run stops them itself when a mode ends. The stops are synchronous (no async work
/// while the process is going down).
/// </summary>
internal static class Cleanup
{
    private static readonly ConcurrentDictionary<object, Action> Stops = new();
    private static readonly List<PosixSignalRegistration> Registrations = [];

    public static void Install()
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT })
        {
            Registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                StopAll();
                Environment.Exit(130);
            }));
        }
    }

    public static void Register(object server, Action stop) => Stops[server] = stop;

    public static void Unregister(object server) => Stops.TryRemove(server, out _);

    private static void StopAll()
    {
        foreach (var (server, stop) in Stops.ToArray())
        {
            Unregister(server);
            try
            {
                stop();
            }
#pragma warning disable CA1031 // Best effort on the way out.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Console.Error.WriteLine($"Could not stop a server: {ex.Message}");
            }
        }
    }
}
