using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CouponKit.LoadTest.Infrastructure;

/// <summary>The result of a finished process.</summary>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="Output">What it wrote to standard output.</param>
/// <param name="Error">What it wrote to standard error.</param>
/// <param name="Elapsed">Wall time from start to exit.</param>
internal sealed record ProcessResult(int ExitCode, string Output, string Error, TimeSpan Elapsed)
{
    public ProcessResult EnsureSuccess(string what) =>
        ExitCode == 0 ? this : throw new InvalidOperationException($"{what} failed with exit code {ExitCode}:\n{Error}\n{Output}");
}

/// <summary>Starts tools (initdb, pg_ctl, pgbench, psql, redis-benchmark) and finds free loopback ports.</summary>
internal static class Shell
{
    /// <summary>Gets a value indicating whether this process runs as root (PostgreSQL refuses to run as root).</summary>
    public static bool IsRoot => Environment.IsPrivilegedProcess && !OperatingSystem.IsWindows();

    /// <summary>Runs a tool to its end; <paramref name="runAs"/> runs it as that user through <c>runuser</c> when we are root.</summary>
    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> arguments, string? runAs = null, CancellationToken cancellationToken = default)
    {
        var start = Prepare(file, arguments, runAs);
        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        var error = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (error) { error.AppendLine(e.Data); } } };
        var watch = Stopwatch.StartNew();
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {file}.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        watch.Stop();
        return new ProcessResult(process.ExitCode, output.ToString(), error.ToString(), watch.Elapsed);
    }

    /// <summary>Starts a long-running server process (redis-server) and returns it; the caller stops it.</summary>
    public static Process StartServer(string file, IEnumerable<string> arguments, string? runAs = null)
    {
        var start = Prepare(file, arguments, runAs);
        var process = new Process { StartInfo = start };
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {file}.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>The first line a tool prints for <c>--version</c>, or a note that it is missing.</summary>
    public static async Task<string> VersionOfAsync(string file)
    {
        try
        {
            var result = await RunAsync(file, ["--version"]).ConfigureAwait(false);
            return result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "?";
        }
#pragma warning disable CA1031 // A missing tool is reported, not fatal here.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return $"not available ({ex.Message})";
        }
    }

    /// <summary>A TCP port on 127.0.0.1 that was free a moment ago.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Finds a tool: an absolute path as is, else the first match on PATH.</summary>
    public static string Which(string name)
    {
        if (Path.IsPathRooted(name))
        {
            return File.Exists(name) ? name : throw new FileNotFoundException($"{name} not found.");
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{name} not found on PATH; install it (apt-get install {name}).");
    }

    private static ProcessStartInfo Prepare(string file, IEnumerable<string> arguments, string? runAs)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (runAs is not null && IsRoot)
        {
            start.FileName = "runuser";
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add(runAs);
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(file);
        }
        else
        {
            start.FileName = file;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }
}
