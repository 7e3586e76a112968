using System.Globalization;

namespace CouponKit.LoadTest.Infrastructure;

/// <summary>The command line: <c>mode --name value ...</c>. Options a mode does not read are reported as unknown.</summary>
internal sealed class Args
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public Args(IReadOnlyList<string> args)
    {
        Mode = args.Count > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : null;
        for (var i = Mode is null ? 0 : 1; i < args.Count; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{name}': options are --name value.");
            }

            if (name == "--help")
            {
                _values[name] = "true";
                continue;
            }

            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"Option {name} needs a value.");
            }

            _values[name] = args[++i];
        }
    }

    public string? Mode { get; }

    public bool Help => _values.ContainsKey("--help") || Mode is null;

    public string String(string name, string fallback)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var v) ? v : fallback;
    }

    public string? OptionalString(string name)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var v) ? v : null;
    }

    public int Int(string name, int fallback, int min = 1, int max = int.MaxValue)
    {
        _read.Add(name);
        if (!_values.TryGetValue(name, out var v))
        {
            return fallback;
        }

        var value = int.Parse(v.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        return value < min || value > max ? throw new ArgumentException($"{name} must be {min} to {max}, got {value}.") : value;
    }

    public TimeSpan Seconds(string name, double fallback, double min = 0)
    {
        _read.Add(name);
        var seconds = _values.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return seconds < min ? throw new ArgumentException($"{name} must be at least {min} s.") : TimeSpan.FromSeconds(seconds);
    }

    public int[] Ints(string name, int[] fallback)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var v)
            ? v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray()
            : fallback;
    }

    /// <summary>Throws for options nobody read (a typo would otherwise silently run the defaults).</summary>
    public void ThrowIfUnknown()
    {
        var unknown = _values.Keys.Where(k => k != "--help" && !_read.Contains(k)).ToArray();
        if (unknown.Length > 0)
        {
            throw new ArgumentException($"Unknown option(s) for this mode: {string.Join(", ", unknown)}.");
        }
    }
}
