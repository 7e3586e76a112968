using System.Globalization;
using Npgsql;

namespace CouponKit.LoadTest.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL 15 cluster: <c>initdb</c> into a temporary directory and <c>pg_ctl start</c> on a free loopback
/// port, as the <c>postgres</c> user when this process runs as root. Durability settings are left at their defaults
/// (<c>fsync</c>, <c>synchronous_commit</c> and <c>full_page_writes</c> on), so commits wait for the disk as in production.
/// Disposing stops the server and deletes the directory.
/// </summary>
internal sealed class PostgresServer : IAsyncDisposable
{
    public const string DefaultBin = "/usr/lib/postgresql/15/bin";
    public const string Database = "loadtest";
    private const string OsUser = "postgres";

    private readonly string _directory;
    private readonly string _bin;

    private PostgresServer(string directory, string bin, int port)
    {
        _directory = directory;
        _bin = bin;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Gets the cluster's data directory (its <c>postmaster.pid</c> names the server process).</summary>
    public string DataDirectory => Path.Combine(_directory, "data");

    public string Version { get; private set; } = "?";

    /// <summary>Gets the settings that matter for the figures, as the server reports them.</summary>
    public IReadOnlyList<(string Name, string Value)> Settings { get; private set; } = [];

    /// <summary>Gets a value indicating whether the server loaded <c>pg_stat_statements</c> (<c>--statements true</c>).</summary>
    public bool TracksStatements { get; private set; }

    /// <summary>
    /// With <c>--statements true</c>: the statements that cost the server the most time since the last call (then reset), as a
    /// Markdown table, for finding where a run's server time goes; otherwise empty.
    /// </summary>
    public async Task<string> TakeStatementsAsync(int top = 12)
    {
        if (!TracksStatements)
        {
            return string.Empty;
        }

        await using var connection = new NpgsqlConnection(ConnectionString(2) + ";Pooling=false");
        await connection.OpenAsync().ConfigureAwait(false);
        await using (var create = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", connection))
        {
            await create.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        var text = new System.Text.StringBuilder("| Calls | Rows | Total ms | Mean ms | Statement |\n|---:|---:|---:|---:|---|\n");
        await using (var read = new NpgsqlCommand($"SELECT calls, rows, total_exec_time, mean_exec_time, regexp_replace(query, '\\s+', ' ', 'g') FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT {top.ToString(CultureInfo.InvariantCulture)}", connection))
        await using (var reader = await read.ExecuteReaderAsync().ConfigureAwait(false))
        {
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                var query = reader.GetString(4);
                text.Append(CultureInfo.InvariantCulture, $"| {reader.GetInt64(0):N0} | {reader.GetInt64(1):N0} | {reader.GetDouble(2):N0} | {reader.GetDouble(3):N3} | `{(query.Length > 160 ? query[..160] + "…" : query).Replace("|", "\\|", StringComparison.Ordinal)}` |\n");
            }
        }

        await using (var reset = new NpgsqlCommand("SELECT pg_stat_statements_reset()", connection))
        {
            await reset.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        return text.ToString();
    }

    public string ConnectionString(int maxPool = 200) =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database={Database};Maximum Pool Size={maxPool.ToString(CultureInfo.InvariantCulture)};Timeout=30;Command Timeout=300;Include Error Detail=true";

    public string Tool(string name) => Path.Combine(_bin, name);

    /// <summary>The arguments that make a client tool (psql, pgbench) connect to this server.</summary>
    public IEnumerable<string> ClientArguments() => ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres"];

    public static async Task<PostgresServer> StartAsync(string bin, bool statements = false)
    {
        if (!File.Exists(Path.Combine(bin, "initdb")))
        {
            throw new FileNotFoundException($"PostgreSQL binaries not found in {bin} (apt-get install postgresql-15, or pass --pg-bin).");
        }

        var directory = Directory.CreateTempSubdirectory("couponkit-loadtest-pg-").FullName;
        var port = Shell.FreePort();
        var server = new PostgresServer(directory, bin, port);
        Cleanup.Register(server, server.StopNow);
        try
        {
            var runAs = Shell.IsRoot ? OsUser : null;
            if (runAs is not null)
            {
                (await Shell.RunAsync("chown", [$"{OsUser}:", directory]).ConfigureAwait(false)).EnsureSuccess("chown");
            }

            var data = Path.Combine(directory, "data");
            (await Shell.RunAsync(server.Tool("initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], runAs).ConfigureAwait(false))
                .EnsureSuccess("initdb");
            var options = string.Join(' ', [
                $"-p {port.ToString(CultureInfo.InvariantCulture)}",
                "-c listen_addresses=127.0.0.1",
                $"-c unix_socket_directories={directory}",
                "-c max_connections=300",
                "-c shared_buffers=512MB",
                "-c max_wal_size=4GB",
                "-c checkpoint_timeout=15min",
                .. statements ? ["-c shared_preload_libraries=pg_stat_statements", "-c pg_stat_statements.track=all"] : Array.Empty<string>(),
            ]);
            (await Shell.RunAsync(server.Tool("pg_ctl"), ["-D", data, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60", "-o", options, "start"], runAs).ConfigureAwait(false))
                .EnsureSuccess("pg_ctl start");

            await using (var admin = new NpgsqlConnection($"Host=127.0.0.1;Port={port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database=postgres;Pooling=false"))
            {
                await admin.OpenAsync().ConfigureAwait(false);
                await using var create = new NpgsqlCommand($"CREATE DATABASE {Database}", admin);
                await create.ExecuteNonQueryAsync().ConfigureAwait(false);
                server.Version = (string)(await new NpgsqlCommand("SHOW server_version", admin).ExecuteScalarAsync().ConfigureAwait(false))!;
                var settings = new List<(string, string)>();
                foreach (var name in new[] { "fsync", "synchronous_commit", "full_page_writes", "wal_level", "shared_buffers", "max_wal_size", "max_connections" })
                {
                    await using var show = new NpgsqlCommand($"SHOW {name}", admin);
                    settings.Add((name, (string)(await show.ExecuteScalarAsync().ConfigureAwait(false))!));
                }

                server.Settings = settings;
                server.TracksStatements = statements;
            }

            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs SQL with psql (for setup that must not go through the code under test).</summary>
    public async Task<ProcessResult> PsqlAsync(string sql) =>
        (await Shell.RunAsync(Tool("psql"), [.. ClientArguments(), "-d", Database, "-v", "ON_ERROR_STOP=1", "-X", "-q", "-c", sql]).ConfigureAwait(false))
            .EnsureSuccess("psql");

    /// <summary>Runs one SQL statement through Npgsql and returns the first column of the first row.</summary>
    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(2) + ";Pooling=false");
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync().ConfigureAwait(false);
        return (T)Convert.ChangeType(value!, typeof(T), CultureInfo.InvariantCulture);
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(2) + ";Pooling=false");
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    /// <summary>Stops the server at once and deletes its directory, synchronously (for an interrupted run).</summary>
    public void StopNow()
    {
        var data = Path.Combine(_directory, "data");
        if (File.Exists(Path.Combine(data, "postmaster.pid")))
        {
            var stop = Shell.IsRoot
                ? new System.Diagnostics.ProcessStartInfo("runuser", ["-u", OsUser, "--", Tool("pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"])
                : new System.Diagnostics.ProcessStartInfo(Tool("pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
            using var process = System.Diagnostics.Process.Start(stop);
            process?.WaitForExit(30_000);
        }

        DeleteDirectory();
    }

    public async ValueTask DisposeAsync()
    {
        Cleanup.Unregister(this);
        NpgsqlConnection.ClearAllPools();
        var data = Path.Combine(_directory, "data");
        if (File.Exists(Path.Combine(data, "postmaster.pid")))
        {
            await Shell.RunAsync(Tool("pg_ctl"), ["-D", data, "-m", "immediate", "-w", "-t", "60", "stop"], Shell.IsRoot ? OsUser : null).ConfigureAwait(false);
        }

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
            // a leftover temp directory is harmless
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
