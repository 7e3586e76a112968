using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace CouponKit.LoadTest.Infrastructure;

/// <summary>
/// A throwaway <c>redis-server</c> on a free loopback port, without persistence (no RDB snapshots, no AOF), in a temporary
/// directory. Disposing stops it and deletes the directory.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private RedisServer(Process process, string directory, int port, ConnectionMultiplexer admin)
    {
        _process = process;
        _directory = directory;
        Port = port;
        Admin = admin;
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public string Version { get; private set; } = "?";

    /// <summary>Gets a connection for setup and checks, separate from the one under test.</summary>
    public ConnectionMultiplexer Admin { get; }

    public IDatabase Db => Admin.GetDatabase();

    public IServer ServerApi => Admin.GetServer(Endpoint);

    public static async Task<RedisServer> StartAsync(string executable)
    {
        var file = Shell.Which(executable);
        var directory = Directory.CreateTempSubdirectory("couponkit-loadtest-redis-").FullName;
        var port = Shell.FreePort();
        var process = Shell.StartServer(file, [
            "--port", port.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--save", string.Empty,
            "--appendonly", "no",
            "--dir", directory,
            "--protected-mode", "no",
            "--daemonize", "no",
            "--loglevel", "warning",
        ]);
        ConnectionMultiplexer? admin = null;
        for (var i = 0; i < 100 && admin is null; i++)
        {
            try
            {
                admin = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)},abortConnect=true,connectTimeout=500,allowAdmin=true").ConfigureAwait(false);
            }
            catch (RedisConnectionException)
            {
                await Task.Delay(100).ConfigureAwait(false);
            }
        }

        if (admin is null)
        {
            process.Kill();
            process.Dispose();
            throw new InvalidOperationException("redis-server did not start.");
        }

        var server = new RedisServer(process, directory, port, admin);
        Cleanup.Register(server, server.StopNow);
        server.Version = server.ServerApi.Version.ToString();
        return server;
    }

    /// <summary>Kills the server and deletes its directory, synchronously (for an interrupted run).</summary>
    public void StopNow()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }

        DeleteDirectory();
    }

    public async ValueTask DisposeAsync()
    {
        Cleanup.Unregister(this);
        await Admin.CloseAsync().ConfigureAwait(false);
        Admin.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
        DeleteDirectory();
    }

    private void DeleteDirectory()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
