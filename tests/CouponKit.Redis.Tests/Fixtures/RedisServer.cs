using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CouponKit.Redis.Tests.Fixtures;

/// <summary>
/// A throwaway redis-server child process on a free loopback port: no persistence, its working folder in a temporary
/// directory, killed on dispose. Fails (never skips) when redis-server is not installed. Outages: <see cref="Kill"/> (optionally
/// after a snapshot, so that the data survives) and <see cref="RestartAsync"/> on the same port and folder.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private readonly string _directory;
    private readonly string _executable;
    private Process _process;
    private readonly StringBuilder _output = new();

    private RedisServer(string executable, Process process, int port, string directory)
    {
        _executable = executable;
        _process = process;
        Port = port;
        _directory = directory;
    }

    public int Port { get; }

    /// <summary>Gets a StackExchange.Redis configuration string with short, bounded timeouts.</summary>
    public string Configuration => ConfigurationFor(Port);

    public bool IsRunning => !_process.HasExited;

    public static string ConfigurationFor(int port) =>
        $"127.0.0.1:{port},abortConnect=false,allowAdmin=true,connectTimeout=2000,syncTimeout=15000,asyncTimeout=15000,connectRetry=1";

    public static async Task<RedisServer> StartAsync()
    {
        var executable = FindExecutable("redis-server")
            ?? throw new InvalidOperationException(
                "redis-server is not installed, and the Redis tests need a real one. Install it with eng/install-test-deps.sh " +
                "(or: apt-get install redis-server); the tests start and stop their own instance on a loopback port.");
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var port = FreePort();
            var directory = Directory.CreateTempSubdirectory("couponkit-redis-").FullName;
            var server = new RedisServer(executable, Launch(executable, port, directory, null), port, directory);
            server.Attach();
            try
            {
                await server.WaitForPingAsync();
                return server;
            }
            catch (InvalidOperationException ex)
            {
                last = ex;
                await server.DisposeAsync();
            }
        }

        throw new InvalidOperationException("redis-server did not answer PING after 3 attempts.", last);
    }

    /// <summary>Kills the server (an outage), after a snapshot (<c>SAVE</c>) when <paramref name="keepData"/>, so that <see cref="RestartAsync"/> loads the data back.</summary>
    /// <param name="keepData">Whether the data survives the restart.</param>
    public void Kill(bool keepData)
    {
        if (keepData && !_process.HasExited)
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            stream.Write("SAVE\r\n"u8);
            var buffer = new byte[16];
            var read = stream.Read(buffer);
            if (!Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+OK", StringComparison.Ordinal))
            {
                throw new InvalidOperationException("redis-server did not save its data before the kill.");
            }
        }
        else
        {
            var snapshot = Path.Combine(_directory, "dump.rdb");
            if (File.Exists(snapshot))
            {
                File.Delete(snapshot);
            }
        }

        Stop();
    }

    /// <summary>Starts the server again on the same port and folder (loading the snapshot of <see cref="Kill"/>, if any).</summary>
    /// <returns>A task that completes when it answers PING.</returns>
    public async Task RestartAsync()
    {
        Stop();
        _process.Dispose();
        _process = Launch(_executable, Port, _directory, Path.Combine(_directory, "dump.rdb"));
        Attach();
        await WaitForPingAsync();
    }

    /// <summary>Kills the server (an outage).</summary>
    public void Stop()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temporary folder is harmless
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>A loopback port nothing listens on (taken from the OS, then released).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static Process Launch(string executable, int port, string directory, string? snapshot)
    {
        var start = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        var args = new List<string> { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--daemonize", "no", "--dir", directory, "--loglevel", "warning" };
        if (snapshot is not null && File.Exists(snapshot))
        {
            args.AddRange(["--dbfilename", Path.GetFileName(snapshot)]);
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
    }

    private void Attach()
    {
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private async Task WaitForPingAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                break;
            }

            try
            {
                using var client = new TcpClient();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
                var buffer = new byte[16];
                var read = await stream.ReadAsync(buffer, timeout.Token);
                if (Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or IOException)
            {
                // not listening yet
            }

            await Task.Delay(50);
        }

        string output;
        lock (_output)
        {
            output = _output.ToString();
        }

        throw new InvalidOperationException($"redis-server on port {Port} did not answer PING within {StartTimeout.TotalSeconds} s. Its output:\n{output}");
    }

    private static string? FindExecutable(string name)
    {
        var paths = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/bin", "/usr/sbin", "/usr/local/bin"]);
        return paths.Select(p => Path.Combine(p, name)).FirstOrDefault(File.Exists);
    }
}
