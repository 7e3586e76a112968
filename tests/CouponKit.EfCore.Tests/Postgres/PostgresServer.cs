using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace CouponKit.EfCore.Tests.Postgres;

/// <summary>
/// A throwaway PostgreSQL 15 cluster: <c>initdb</c> into a temporary folder, <c>pg_ctl start</c> on a free loopback port (unix
/// sockets in the same folder; fsync and full-page writes off, for speed), stopped and deleted on dispose. Commits stay
/// synchronous, so that a kill (<see cref="KillAsync"/>, the OS survives) loses no acknowledged commit.
/// When the tests run as root (PostgreSQL refuses it), the cluster runs as the <c>postgres</c> system user, created with
/// <c>useradd</c> when missing. Fails loudly (never skips) when the binaries are not installed.
/// </summary>
/// <remarks>
/// Use it as a collection fixture (<see cref="PostgresFixture"/>), or start an own instance for tests that kill the server.
/// The superuser is <c>postgres</c> with trust authentication on loopback.
/// </remarks>
public sealed partial class PostgresServer : IAsyncLifetime
{
    /// <summary>The folder with initdb and pg_ctl; the environment variable <c>COUPONKIT_PG_BIN</c> overrides it.</summary>
    public const string DefaultBinDirectory = "/usr/lib/postgresql/15/bin";

    private const string ServiceUser = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);
    private readonly string _bin;
    private string? _root;
    private string? _runAs;

    /// <summary>Initializes a new instance of the <see cref="PostgresServer"/> class; <see cref="InitializeAsync"/> starts it.</summary>
    public PostgresServer()
    {
        _bin = Environment.GetEnvironmentVariable("COUPONKIT_PG_BIN") is { Length: > 0 } bin ? bin : DefaultBinDirectory;
    }

    /// <summary>Gets the loopback port the server listens on.</summary>
    public int Port { get; private set; }

    private string DataDirectory => Path.Combine(_root!, "data");

    private string LogFile => Path.Combine(_root!, "postgres.log");

    /// <summary>Creates, starts and returns a cluster of its own (dispose it).</summary>
    /// <returns>The running server.</returns>
    public static async Task<PostgresServer> StartNewAsync()
    {
        var server = new PostgresServer();
        await server.InitializeAsync();
        return server;
    }

    /// <summary>Gets a connection string to a database of this server (pooled, with short connect timeouts).</summary>
    /// <param name="database">The database name.</param>
    /// <returns>The connection string.</returns>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Database = database,
        Username = ServiceUser,
        Pooling = true,
        MaxPoolSize = 100,
        Timeout = 5,
        CommandTimeout = 60,
        IncludeErrorDetail = true,
        MaxAutoPrepare = 32,
        NoResetOnClose = true,
    }.ConnectionString;

    /// <summary>Creates an empty database (a copy of <paramref name="template"/> when given) and returns its connection string.</summary>
    /// <param name="name">The new database's name: lower-case letters, digits and underscores.</param>
    /// <param name="template">An existing database to copy (it must have no open connections), or <see langword="null"/>.</param>
    /// <returns>The connection string of the new database.</returns>
    public async Task<string> CreateDatabaseAsync(string name, string? template = null)
    {
        CheckName(name);
        var sql = new StringBuilder().Append(CultureInfo.InvariantCulture, $"CREATE DATABASE \"{name}\"");
        if (template is not null)
        {
            CheckName(template);
            NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionString(template)));
            sql.Append(CultureInfo.InvariantCulture, $" TEMPLATE \"{template}\"");
        }

        await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql.ToString(), connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>Drops a database, whoever is still connected to it.</summary>
    /// <param name="name">The database's name.</param>
    /// <returns>A task.</returns>
    public async Task DropDatabaseAsync(string name)
    {
        CheckName(name);
        await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Kills the server the way a crash does (<c>pg_ctl stop -m immediate</c>): no checkpoint, clients cut off.</summary>
    /// <returns>A task.</returns>
    public async Task KillAsync()
    {
        await PgCtlAsync("stop", "-m", "immediate", "-w", "-t", "60");
    }

    /// <summary>Starts the server again after <see cref="KillAsync"/> (it recovers from its write-ahead log) on the same port.</summary>
    /// <returns>A task.</returns>
    public async Task StartAsync()
    {
        await PgCtlAsync("start", "-w", "-t", "60", "-l", LogFile);
    }

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        foreach (var tool in new[] { "initdb", "pg_ctl", "postgres" })
        {
            if (!File.Exists(Path.Combine(_bin, tool)))
            {
                throw new InvalidOperationException(
                    $"PostgreSQL 15 is not installed: '{Path.Combine(_bin, tool)}' is missing, and the PostgreSQL tests need a real server. " +
                    "Install it with eng/install-test-deps.sh (or: apt-get install postgresql-15), or point COUPONKIT_PG_BIN at its bin folder; " +
                    "the tests start and remove their own throwaway cluster.");
            }
        }

        _runAs = string.Equals(Environment.UserName, "root", StringComparison.Ordinal) ? await EnsureServiceUserAsync() : null;
        _root = Directory.CreateTempSubdirectory("couponkit-pg-").FullName;
        try
        {
            Directory.CreateDirectory(DataDirectory);
            if (_runAs is not null)
            {
                await RunAsync("chown", ["-R", _runAs, _root]);
            }

            await RunAsync(Path.Combine(_bin, "initdb"), ["-D", DataDirectory, "-U", ServiceUser, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"], asServiceUser: true);
            Exception? last = null;
            for (var attempt = 0; attempt < 3; attempt++)
            {
                Port = FreePort();
                await File.WriteAllTextAsync(Path.Combine(DataDirectory, "postgresql.auto.conf"), Settings());
                try
                {
                    await StartAsync();
                    return;
                }
                catch (InvalidOperationException ex)
                {
                    last = ex; // most likely the port was taken in between; try another one
                }
            }

            throw new InvalidOperationException("PostgreSQL did not start after 3 attempts.", last);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_root is null)
        {
            return;
        }

        try
        {
            if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                await PgCtlAsync("stop", "-m", "immediate", "-w", "-t", "60");
            }
        }
        finally
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                // a leftover temporary folder is harmless
            }

            _root = null;
        }
    }

    private static void CheckName(string name)
    {
        if (!DatabaseName().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a valid test database name (lower-case letters, digits, underscores; up to 63).", nameof(name));
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>The <c>postgres</c> user, created as a system user without login when missing (a machine without the apt package).</summary>
    private static async Task<string> EnsureServiceUserAsync()
    {
        var (code, _) = await TryRunAsync("id", ["-u", ServiceUser]);
        if (code != 0)
        {
            await RunAsync("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", ServiceUser]);
        }

        return ServiceUser;
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments)
    {
        var (code, output) = await TryRunAsync(file, arguments);
        if (code != 0)
        {
            throw new InvalidOperationException($"'{file} {string.Join(' ', arguments)}' failed with exit code {code}:\n{output}");
        }
    }

    private static async Task<(int Code, string Output)> TryRunAsync(string file, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"'{file}' did not start.");
        process.StandardInput.Close();

        // pg_ctl start leaves the postmaster behind with our pipes inherited unless its output goes to a log file (it does: -l).
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"'{file} {string.Join(' ', arguments)}' did not finish within {CommandTimeout}.");
        }

        return (process.ExitCode, (await stdout) + (await stderr));
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex DatabaseName();

    private string Settings() => string.Join(
        '\n',
        "listen_addresses = '127.0.0.1'",
        $"port = {Port.ToString(CultureInfo.InvariantCulture)}",
        $"unix_socket_directories = '{_root}'",
        "max_connections = 300",
        "shared_buffers = 128MB",
        "fsync = off",

        // On: with fsync off a commit only writes the WAL to the OS (no flush), which costs nothing measurable, and an immediate
        // stop (KillAsync) then keeps every acknowledged commit, as a real crash of a synchronous server does. Off loses them.
        "synchronous_commit = on",
        "full_page_writes = off",
        "max_wal_size = 1GB",
        "checkpoint_timeout = 30min",
        "log_min_messages = warning",
        "log_min_error_statement = panic",
        "log_connections = off",
        "log_disconnections = off",
        string.Empty);

    private Task RunAsync(string file, IReadOnlyList<string> arguments, bool asServiceUser) =>
        asServiceUser && _runAs is not null ? RunAsync("runuser", ["-u", _runAs, "--", file, .. arguments]) : RunAsync(file, arguments);

    private async Task PgCtlAsync(params string[] arguments)
    {
        try
        {
            await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, .. arguments], asServiceUser: true);
        }
        catch (InvalidOperationException ex)
        {
            var log = File.Exists(LogFile) ? await File.ReadAllTextAsync(LogFile) : "(no server log)";
            throw new InvalidOperationException($"{ex.Message}\nServer log:\n{(log.Length > 4000 ? log[^4000..] : log)}", ex);
        }
    }
}

/// <summary>
/// The test classes that share one <see cref="PostgresServer"/>. They run one after the other (one collection), each with its
/// own database from <see cref="PostgresServer.CreateDatabaseAsync"/>.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PostgresFixture : ICollectionFixture<PostgresServer>
{
    /// <summary>The collection's name, for <c>[Collection(PostgresFixture.Name)]</c>.</summary>
    public const string Name = "PostgreSQL";
}
