using System.Globalization;
using System.Text;
using Spectre.Console;

namespace CouponKit.LoadTest.Infrastructure;

/// <summary>
/// Collects the markdown a mode produces (to paste into docs/benchmarks.md) and prints tables on the console as it goes.
/// </summary>
internal sealed class Report
{
    private readonly StringBuilder _markdown = new();

    public string Markdown => _markdown.ToString();

    public static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string N(double value, string format = "N0") => value.ToString(format, CultureInfo.InvariantCulture);

    public static string Ratio(double value) => value.ToString("0.00", CultureInfo.InvariantCulture) + "x";

    public static string Verdict(bool met) => met ? "**met**" : "**missed**";

    public void Heading(string text)
    {
        _markdown.AppendLine(CultureInfo.InvariantCulture, $"### {text}").AppendLine();
        AnsiConsole.Write(new Rule($"[bold]{Markup.Escape(text)}[/]").LeftJustified());
    }

    public void Line(string text = "")
    {
        _markdown.AppendLine(text);
        if (text.Length > 0)
        {
            AnsiConsole.MarkupLine(Markup.Escape(text));
        }
    }

    public void Bullets(IEnumerable<string> items)
    {
        foreach (var item in items)
        {
            Line("- " + item);
        }

        Line();
    }

    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, IReadOnlyList<bool>? rightAligned = null)
    {
        var materialized = rows.ToList();
        var console = new Table().Border(TableBorder.Rounded);
        for (var i = 0; i < headers.Count; i++)
        {
            var column = new TableColumn(Markup.Escape(headers[i]));
            if (rightAligned is not null && rightAligned[i])
            {
                column.RightAligned();
            }

            console.AddColumn(column);
        }

        _markdown.AppendLine("| " + string.Join(" | ", headers) + " |");
        _markdown.AppendLine("|" + string.Concat(headers.Select((_, i) => rightAligned is not null && rightAligned[i] ? "---:|" : "---|")));
        foreach (var row in materialized)
        {
            console.AddRow(row.Select(c => Markup.Escape(c.Replace("**", string.Empty, StringComparison.Ordinal))).ToArray());
            _markdown.AppendLine("| " + string.Join(" | ", row) + " |");
        }

        _markdown.AppendLine();
        AnsiConsole.Write(console);
    }

    public void Append(Report other) => _markdown.Append(other.Markdown);
}
