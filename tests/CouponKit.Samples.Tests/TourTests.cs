using System.Globalization;
using System.Text.RegularExpressions;
using CouponKit.Codes;
using CouponKit.Rules;
using CouponKit.Samples;
using CouponKit.Samples.Chapters;
using CouponKit.Samples.Scenario;
using Spectre.Console.Testing;

namespace CouponKit.Samples.Tests;

/// <summary>
/// Runs the tour against a <see cref="TestConsole"/> and checks what it prints against quotes computed here, independently,
/// with a fresh <see cref="QuoteEngine"/>. The console is wide so that no message wraps inside a table cell.
/// </summary>
public sealed partial class TourTests
{
    private const int WideConsole = 200;

    [Fact]
    public void Run_AllChapters_ReturnsZeroAndPrintsNoException()
    {
        var (exitCode, output) = RunTour();

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("The tour stopped", output, StringComparison.Ordinal);
        foreach (var (chapter, number) in Tour.Chapters.Select((c, i) => (c, i + 1)))
        {
            Assert.Contains($"{number}. {chapter.Title}", output, StringComparison.Ordinal);
        }

        Assert.Contains("end of tour", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_BestCombination_PrintsPayableOfAnIndependentQuote()
    {
        var quote = new QuoteEngine().Quote(DemoShop.CreateCart(), DemoShop.CreateCoupons());

        var section = Section(RunTour().Output, "3. Best combination", "4. Checkout validation");

        // The totals panel reads "Payable  CNY 730.20"; the allocation table's total row ends with the same number.
        Assert.Contains(Lines(section), l => l.Contains("Payable", StringComparison.Ordinal) && l.Contains(quote.Payable.ToString(), StringComparison.Ordinal));
        var totalRow = Assert.Single(Lines(section), l => l.Contains("Total ", StringComparison.Ordinal) && l.Contains('-'));
        Assert.EndsWith(quote.Payable.Amount.ToString("N2", CultureInfo.InvariantCulture) + " │", totalRow.TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(quote.Subtotal + quote.ShippingFee - quote.TotalDiscount, quote.Payable);
        foreach (var applied in quote.Applied)
        {
            Assert.Contains(applied.CouponId, section, StringComparison.Ordinal);
        }

        Assert.Contains("IsProvenOptimal", section, StringComparison.Ordinal);
        Assert.True(quote.IsProvenOptimal);
    }

    [Fact]
    public void Run_BestCombination_PrintsEveryRejectionWithItsReason()
    {
        var quote = new QuoteEngine().Quote(DemoShop.CreateCart(), DemoShop.CreateCoupons());

        var section = Section(RunTour().Output, "3. Best combination", "4. Checkout validation");

        Assert.NotEmpty(quote.Rejected);
        foreach (var rejection in quote.Rejected)
        {
            var row = Assert.Single(Lines(section), l => l.Contains(rejection.Message, StringComparison.Ordinal));
            Assert.Contains(rejection.CouponId, row, StringComparison.Ordinal);
            Assert.Contains(rejection.Code.ToString(), row, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Run_CheckoutValidation_PrintsRefusalWithReasonsThenAcceptance()
    {
        var engine = new QuoteEngine();
        var cart = DemoShop.CreateCart();
        var coupons = DemoShop.CreateCoupons();
        var refused = engine.Validate(cart, DemoShop.RefusedPick.Select(id => coupons.Single(c => c.Id == id)));
        var accepted = engine.Validate(cart, DemoShop.AcceptedPick.Select(id => coupons.Single(c => c.Id == id)));

        var section = Section(RunTour().Output, "4. Checkout validation", "5. Promo codes");

        Assert.False(refused.IsValid);
        Assert.Contains("Refused", section, StringComparison.Ordinal);
        foreach (var rejection in refused.Quote.Rejected)
        {
            var row = Assert.Single(Lines(section), l => l.Contains(rejection.Message, StringComparison.Ordinal));
            Assert.Contains(rejection.CouponId, row, StringComparison.Ordinal);
        }

        Assert.True(accepted.IsValid);
        var verdict = Assert.Single(Lines(section), l => l.Contains("Accepted", StringComparison.Ordinal));
        Assert.Contains(accepted.Quote.Payable.ToString(), verdict, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_PromoCodes_PrintsWellFormedCodesAndRejectsEveryTypo()
    {
        var section = Section(RunTour().Output, "5. Promo codes", "end of tour");

        // The codes are random: check their shape, not their value.
        var printed = DisplayedCode().Matches(section).Select(m => m.Value).Distinct(StringComparer.Ordinal).ToArray();
        Assert.True(printed.Length >= 5, $"expected 5 codes in display form, found {printed.Length}");
        Assert.Equal(5, printed.Count(PromoCode.IsWellFormed));
        Assert.Contains("Rejected without a lookup", section, StringComparison.Ordinal);
        Assert.Contains("check character does not match", section, StringComparison.Ordinal);
        Assert.Contains("Well-formed", section, StringComparison.Ordinal);

        var sweep = TypoSweep().Match(section);
        Assert.True(sweep.Success, "the typo sweep line is missing");
        Assert.Equal(sweep.Groups["total"].Value, sweep.Groups["caught"].Value);
        var codeLength = PromoCode.Normalize(printed[0]).Length;
        Assert.Equal(codeLength * (PromoCode.Alphabet.Length - 1), int.Parse(sweep.Groups["total"].Value, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Run_RuleEngineChaptersTwice_PrintTheSameOutput()
    {
        var chapters = Tour.Chapters.Where(c => c is not PromoCodesChapter).ToArray();

        var first = RunTour(chapters: chapters);
        var second = RunTour(chapters: chapters);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(first.Output, second.Output);
    }

    [Fact]
    public void Run_NarrowConsole_ReturnsZero()
    {
        var (exitCode, output) = RunTour(width: 60);

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_FailingChapter_ReturnsOneAndPrintsTheException()
    {
        var (exitCode, output) = RunTour(chapters: [new FailingChapter()]);

        Assert.Equal(1, exitCode);
        Assert.Contains("The tour stopped", output, StringComparison.Ordinal);
        Assert.Contains("chapter failed on purpose", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Pins the story the tour tells, so that a change in the engine that changes it is noticed here: three coupons apply,
    /// the buy-2-get-1 is left out because it would drop the tiered rebate below its 500 tier, and every reason shows.
    /// </summary>
    [Fact]
    public void Quote_DemoShop_TellsTheTourStory()
    {
        var quote = new QuoteEngine().Quote(DemoShop.CreateCart(), DemoShop.CreateCoupons());

        Assert.Equal(["SHOP-TIERED", "PLAT-12PCT", "SHIP-FREE99"], quote.Applied.Select(a => a.CouponId));

        // 840.20 + 12.00 shipping - (80.00 tier + 30.00 capped 12% + 12.00 shipping) = 730.20.
        Assert.Equal(Money.Of(730.20m, "CNY"), quote.Payable);
        Assert.Equal(
            [RejectionCode.Expired, RejectionCode.OutOfScope, RejectionCode.BelowThreshold, RejectionCode.ConflictsWithCoupon, RejectionCode.NotBeneficial],
            quote.Rejected.Select(r => r.Code).Distinct().Order());
        Assert.Equal(RejectionCode.NotBeneficial, quote.Rejected.Single(r => r.CouponId == "SNACKS-B2G1").Code);
    }

    private static (int ExitCode, string Output) RunTour(int width = WideConsole, IEnumerable<ITourChapter>? chapters = null)
    {
        using var console = new TestConsole().Width(width);
        var exitCode = Tour.Run(console, chapters ?? Tour.Chapters);
        return (exitCode, console.Output);
    }

    private static string Section(string output, string from, string to)
    {
        var start = output.IndexOf(from, StringComparison.Ordinal);
        Assert.True(start >= 0, $"'{from}' is missing from the output");
        var end = output.IndexOf(to, start, StringComparison.Ordinal);
        Assert.True(end >= 0, $"'{to}' is missing after '{from}'");
        return output[start..end];
    }

    private static string[] Lines(string text) => text.Split('\n');

    [GeneratedRegex("HM[2-9A-HJKMNP-Z]{2}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}")]
    private static partial Regex DisplayedCode();

    [GeneratedRegex(@"(?<caught>\d+) of (?<total>\d+)\W*rejected without a lookup")]
    private static partial Regex TypoSweep();

    private sealed class FailingChapter : ITourChapter
    {
        public string Title => "Failing";

        public void Run(TourContext context) => throw new InvalidOperationException("chapter failed on purpose");
    }
}
