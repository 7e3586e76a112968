using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace CouponKit.LoadTest.Infrastructure;

/// <summary>What the figures were measured on.</summary>
internal static class Machine
{
    public static string Cpu()
    {
        var model = "?";
        if (File.Exists("/proc/cpuinfo"))
        {
            model = File.ReadLines("/proc/cpuinfo")
                .FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        }

        return $"{model}, {Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)} logical cores";
    }

    public static string Memory()
    {
        if (!File.Exists("/proc/meminfo"))
        {
            return "?";
        }

        var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var kb = line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return $"{kb / 1024.0 / 1024.0:0.0} GiB";
    }

    public static string Os()
    {
        var pretty = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Split('=', 2)[1].Trim('"')
            : null;
        return $"{pretty ?? RuntimeInformation.OSDescription}, kernel {Environment.OSVersion.Version}, {RuntimeInformation.OSArchitecture}";
    }

    public static string Runtime() =>
        $"{RuntimeInformation.FrameworkDescription}, {(GCSettings.IsServerGC ? "Server" : "Workstation")} GC, Release build: {IsRelease()}";

    /// <summary>The load averages (1, 5, 15 min) from /proc/loadavg: other work on a shared machine skews the figures.</summary>
    public static string Load() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static string IsRelease()
    {
#if DEBUG
        return "no (Debug: not for the record)";
#else
        return "yes";
#endif
    }
}
