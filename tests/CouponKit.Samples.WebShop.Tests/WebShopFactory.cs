using System.Net.Http.Headers;
using System.Text;
using CouponKit.Samples.WebShop.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace CouponKit.Samples.WebShop.Tests;

/// <summary>
/// Hosts the web shop in memory on its default setup (SQLite, in-process bus) with a SQLite file in a temporary folder of its
/// own, in the Production environment (so answers must carry no exception details). One per test class.
/// </summary>
public class WebShopFactory : WebApplicationFactory<Program>
{
    /// <summary>The signing key of the tests' tokens.</summary>
    public const string SigningKey = "tests-only-signing-key-0123456789abcdef-0123456789";

    private readonly string _folder = Directory.CreateTempSubdirectory("couponkit-webshop-").FullName;

    /// <summary>Gets the SQLite file.</summary>
    public string DatabasePath => Path.Combine(_folder, "webshop.db");

    /// <summary>Gets the per-user request limit; high so that only the rate-limit tests meet it.</summary>
    protected virtual int PermitLimit => 100_000;

    /// <summary>Gets a token issuer with the host's settings.</summary>
    public DevTokenIssuer Tokens => Services.GetRequiredService<DevTokenIssuer>();

    /// <summary>Creates a client with a shopper's token.</summary>
    /// <param name="userId">The user.</param>
    /// <returns>The client.</returns>
    public HttpClient User(string userId) => WithToken(Tokens.ForUser(userId));

    /// <summary>Creates a client with a merchant's token.</summary>
    /// <param name="merchantId">The merchant.</param>
    /// <returns>The client.</returns>
    public HttpClient Merchant(string merchantId) => WithToken(Tokens.ForMerchant("staff-of-" + merchantId, merchantId));

    /// <summary>Creates a client that sends a bearer token.</summary>
    /// <param name="token">The token.</param>
    /// <returns>The client.</returns>
    public HttpClient WithToken(string token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>
    /// Waits until the background work of earlier requests is done: every outbox message published and every consumer of the
    /// in-process bus idle (the expiry worker writes a claim's reminder to the notify table after the claim has answered).
    /// </summary>
    /// <returns>A task that completes when nothing is left to do.</returns>
    public async Task WhenQuietAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            long pending;
            using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT COUNT(*) FROM ck_outbox WHERE Status = 0";
                pending = (long)command.ExecuteScalar()!;
            }

            await Services.GetRequiredService<CouponKit.InMemory.InMemoryMessageBus>().WhenIdleAsync();
            if (pending == 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{pending} outbox message(s) still pending after 60 s.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Dumps every table but the message tables (outbox, inbox, dead letters) row by row, to compare before and after.</summary>
    /// <returns>The dump.</returns>
    public string DumpBusinessTables()
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        var dump = new StringBuilder();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            // Every table but the message tables, which the background dispatcher updates on its own schedule.
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name NOT LIKE '%outbox%' AND name NOT LIKE '%inbox%' AND name NOT LIKE '%dead_letter%' ORDER BY name";
            using var names = list.ExecuteReader();
            while (names.Read())
            {
                tables.Add(names.GetString(0));
            }
        }

        foreach (var table in tables)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\" ORDER BY 1, 2";
            using var reader = command.ExecuteReader();
            dump.Append("## ").AppendLine(table);
            while (reader.Read())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    dump.Append(reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('|');
                }

                dump.AppendLine();
            }
        }

        return dump.ToString();
    }

    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment("Production");
        builder.UseSetting("ConnectionStrings:CouponKit", new SqliteConnectionStringBuilder { DataSource = DatabasePath, DefaultTimeout = 30 }.ToString());
        builder.UseSetting("CouponKit:Store", "Sqlite");
        builder.UseSetting("WebShop:Jwt:SigningKey", SigningKey);
        builder.UseSetting("WebShop:RateLimit:PermitLimit", PermitLimit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("WebShop:RateLimit:Window", "00:01:00");
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still open: the temporary folder is the OS's to clean.
            }
        }
    }
}
