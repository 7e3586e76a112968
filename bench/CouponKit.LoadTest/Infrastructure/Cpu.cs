using System.Diagnostics;
using System.Globalization;

namespace CouponKit.LoadTest.Infrastructure;

/// <summary>
/// CPU time spent by this process (the client: CouponKit, EF Core, Npgsql) and by a PostgreSQL server (the postmaster and its
/// backends, from <c>/proc</c>), so that a run can report the CPU each claim costs on both sides: on a machine whose cores are
/// shared, throughput follows the CPU per operation.
/// </summary>
internal readonly record struct CpuSample(TimeSpan Client, TimeSpan Server)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    public static CpuSample Take(PostgresServer server) => new(Process.GetCurrentProcess().TotalProcessorTime, ServerCpu(server));

    public static CpuSample operator -(CpuSample end, CpuSample start) => new(end.Client - start.Client, end.Server - start.Server);

    /// <summary>Microseconds of client and server CPU per operation.</summary>
    public string PerOperation(long operations) =>
        operations <= 0
            ? "—"
            : string.Create(CultureInfo.InvariantCulture, $"{Client.TotalMicroseconds / operations:0} / {Server.TotalMicroseconds / operations:0} µs");

    private static TimeSpan ServerCpu(PostgresServer server)
    {
        var pidFile = Path.Combine(server.DataDirectory, "postmaster.pid");
        if (!OperatingSystem.IsLinux() || !File.Exists(pidFile))
        {
            return TimeSpan.Zero;
        }

        var postmaster = File.ReadLines(pidFile).First().Trim();
        double ticks = 0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            var pid = Path.GetFileName(directory);
            if (pid.Length == 0 || !char.IsAsciiDigit(pid[0]))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (IOException)
            {
                continue; // the process ended meanwhile
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            // pid (comm) state ppid ... utime stime: fields after the command name, which may hold spaces.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (pid == postmaster || fields[1] == postmaster)
            {
                ticks += double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
            }

            if (pid == postmaster)
            {
                // cutime, cstime: the backends that ended (pgbench's connections close at its end) and were reaped by the postmaster.
                ticks += double.Parse(fields[13], CultureInfo.InvariantCulture) + double.Parse(fields[14], CultureInfo.InvariantCulture);
            }
        }

        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}
