using System.Globalization;
using System.Text;
using CouponKit.Codes;
using Spectre.Console;

namespace CouponKit.Samples.Chapters;

/// <summary>
/// Chapter 5: promo codes. The generator draws random codes with a check character, so a mistyped code is refused
/// before any database lookup. The codes are random: this is the one chapter whose output changes between runs.
/// </summary>
public sealed class PromoCodesChapter : ITourChapter
{
    /// <summary>The prefix of the shop's codes (promo-code symbols only: no 0, 1, I, L or O).</summary>
    public const string Prefix = "HM";

    /// <summary>The position of the character the customer mistypes.</summary>
    private const int TypoIndex = 5;

    /// <inheritdoc />
    public string Title => "Promo codes";

    /// <inheritdoc />
    public void Run(TourContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var console = context.Console;
        Ui.Call(console, $"var codes = new PromoCodeGenerator(new PromoCodeGeneratorOptions {{ Prefix = \"{Prefix}\" }}).Generate(5);");
        var generator = new PromoCodeGenerator(new PromoCodeGeneratorOptions { Prefix = Prefix });
        var codes = generator.Generate(5);

        var table = Ui.Table(
            Ui.NumberColumn("#"),
            Ui.Column("Printed on the flyer (PromoCode.Format)"),
            Ui.Column("Stored (canonical)"),
            Ui.Column("In logs (PromoCode.Mask)"));
        for (var i = 0; i < codes.Count; i++)
        {
            table.AddRow(
                Ui.Text((i + 1).ToString(CultureInfo.InvariantCulture)),
                Ui.Text(PromoCode.Format(codes[i]), "bold"),
                Ui.Text(codes[i], "grey"),
                Ui.Text(PromoCode.Mask(codes[i]), "grey"));
        }

        console.Write(table);
        Ui.Note(console, string.Create(CultureInfo.InvariantCulture, $"Each code: prefix {Prefix}, {generator.EntropyBits:0.0} bits of randomness, then a check character. Codes are random: they change on every run."));
        console.WriteLine();

        var original = codes[0];
        var typo = Mistype(original, TypoIndex);
        console.MarkupLine($"A customer types [bold]{Highlight(typo, TypoIndex)}[/] [grey](one character wrong in code #1)[/]");
        Ui.Call(console, "PromoCode.IsWellFormed(input)");
        if (PromoCode.IsWellFormed(typo))
        {
            throw new InvalidOperationException("A mistyped promo code was accepted; the check character should refuse it.");
        }

        console.MarkupLine($"  [red bold]✗ Rejected without a lookup[/]: {Markup.Escape(ReasonOf(typo))}");

        console.WriteLine();
        var sloppy = Sloppy(original);
        console.MarkupLine($"A customer types [bold]\"{Markup.Escape(sloppy)}\"[/] [grey](code #1 in lower case, with spaces)[/]");
        Ui.Call(console, "PromoCode.TryParse(input, out var canonical)");
        if (!PromoCode.TryParse(sloppy, out var canonical) || canonical != original)
        {
            throw new InvalidOperationException("A correct promo code typed in lower case with spaces was not recognized.");
        }

        console.MarkupLine($"  [green bold]✓ Well-formed[/]: looked up as {Markup.Escape(canonical)}");

        var (typos, caught) = CountSingleTypos(original);
        console.WriteLine();
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"Every single-character typo of code #1: [bold]{caught} of {typos}[/] rejected without a lookup."));
    }

    /// <summary>Replaces one character with the next symbol of the alphabet.</summary>
    private static string Mistype(string code, int index)
    {
        var symbol = PromoCode.Alphabet.IndexOf(code[index], StringComparison.Ordinal);
        var chars = code.ToCharArray();
        chars[index] = PromoCode.Alphabet[(symbol + 1) % PromoCode.Alphabet.Length];
        return new string(chars);
    }

    /// <summary>The code in groups of four as printed, with the mistyped character in red.</summary>
    private static string Highlight(string code, int index)
    {
        var text = new StringBuilder();
        for (var i = 0; i < code.Length; i++)
        {
            if (i > 0 && i % 4 == 0)
            {
                text.Append('-');
            }

            text.Append(i == index ? $"[red underline]{code[i]}[/]" : code[i].ToString());
        }

        return text.ToString();
    }

    /// <summary>Why <see cref="PromoCode.Parse"/> refuses the code (the message masks the code).</summary>
    private static string ReasonOf(string input)
    {
        try
        {
            PromoCode.Parse(input);
            return "accepted";
        }
        catch (InvalidPromoCodeException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>The code as a hurried customer types it: lower case, in groups separated by spaces.</summary>
    private static string Sloppy(string code)
    {
        var text = new StringBuilder();
        for (var i = 0; i < code.Length; i++)
        {
            if (i > 0 && i % 4 == 0)
            {
                text.Append(' ');
            }

            text.Append(char.IsAsciiLetterUpper(code[i]) ? (char)(code[i] + ('a' - 'A')) : code[i]);
        }

        return text.ToString();
    }

    /// <summary>Tries every other symbol at every position; returns how many typos there are and how many are refused.</summary>
    private static (int Typos, int Caught) CountSingleTypos(string code)
    {
        int typos = 0, caught = 0;
        var chars = code.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var keep = chars[i];
            foreach (var symbol in PromoCode.Alphabet)
            {
                if (symbol == keep)
                {
                    continue;
                }

                chars[i] = symbol;
                typos++;
                caught += PromoCode.IsWellFormed(new string(chars)) ? 0 : 1;
            }

            chars[i] = keep;
        }

        return (typos, caught);
    }
}
