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

    /// <summary>The whole tour, run once for the checks of chapters 6 to 9 (the flash sale takes a few seconds).</summary>
    private static readonly Lazy<(int ExitCode, string Output)> FullTour = new(() => RunTour());

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

        // A progress bar prints its percentages when it happens to refresh, which depends on timing: compare without them.
        Assert.Equal(0, first.ExitCode);
        Assert.Equal(ProgressLine().Replace(first.Output, string.Empty), ProgressLine().Replace(second.Output, string.Empty));
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

    [Fact]
    public void Run_FlashSale_IssuesExactlyTheStock()
    {
        var section = Section(FullTour.Value.Output, "6. Flash sale", "7. Checkout and payment");

        var issued = Assert.Single(Lines(section), l => l.Contains("│ Issued ", StringComparison.Ordinal));
        Assert.Equal("1,000", Cells(issued)[1]);
        var replays = Assert.Single(Lines(section), l => l.Contains("│ Replay ", StringComparison.Ordinal));
        Assert.Equal(IssuanceShop.Retries.ToString(CultureInfo.InvariantCulture), Cells(replays)[1]);
        var soldOut = Assert.Single(Lines(section), l => l.Contains("Rejected: SoldOut", StringComparison.Ordinal));
        var total = Assert.Single(Lines(section), l => l.Contains("│ Total ", StringComparison.Ordinal));
        Assert.Equal(
            IssuanceShop.Users + (2 * IssuanceShop.Retries),
            int.Parse(Cells(total)[1], NumberStyles.AllowThousands, CultureInfo.InvariantCulture));
        Assert.Equal(
            IssuanceShop.Users + (2 * IssuanceShop.Retries) - IssuanceShop.Stock - IssuanceShop.Retries,
            int.Parse(Cells(soldOut)[1], NumberStyles.AllowThousands, CultureInfo.InvariantCulture));
        Assert.Contains("Store stock: Total 1,000, Issued 1,000, Remaining 0", section, StringComparison.Ordinal);
        Assert.Contains("IN-MEMORY", section, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_CheckoutAndPayment_PaidCouponIsUsedUnpaidOneIsReleased()
    {
        var section = Section(FullTour.Value.Output, "7. Checkout and payment", "8. Expiry reminders");

        Assert.Contains("SQLite", section, StringComparison.Ordinal);
        var unpaid = Cells(Assert.Single(Lines(section), l => l.Contains(CheckoutPaymentChapter.UnpaidOrder + " (unpaid)", StringComparison.Ordinal)));
        Assert.Equal(["Locked", "Locked", "Locked", "Available (released)"], unpaid[2..]);
        var paid = Cells(Assert.Single(Lines(section), l => l.Contains(CheckoutPaymentChapter.PaidOrder + " (paid)", StringComparison.Ordinal)));
        Assert.Equal(["Locked", "Used", "Used", "Used"], paid[2..]);
    }

    [Fact]
    public void Run_ExpiryReminders_RemindsThenExpires()
    {
        var section = Section(FullTour.Value.Output, "8. Expiry reminders", "9. Statistics");

        // Columns: clock, call, reminders sent, available, used, expired.
        var dayBefore = Cells(Assert.Single(Lines(section), l => l.Contains("(a day before the end)", StringComparison.Ordinal)));
        Assert.True(Number(dayBefore[2]) >= 1, "no reminder was sent");
        Assert.Equal(0, Number(dayBefore[5]));
        var past = Cells(Assert.Single(Lines(section), l => l.Contains("(past the end)", StringComparison.Ordinal)));
        Assert.True(Number(past[5]) >= 1, "no coupon expired");
        Assert.Equal(0, Number(past[3]));
        Assert.Equal(IssuanceShop.Shoppers - 1, Number(past[5]));
        Assert.Equal(1, Number(past[4]));
    }

    [Fact]
    public void Run_Statistics_MatchTheStory()
    {
        var section = Section(FullTour.Value.Output, "9. Statistics", "end of tour");

        var figures = Lines(section)
            .Select(Cells)
            .Where(c => c.Length >= 2 && int.TryParse(c[1], CultureInfo.InvariantCulture, out _))
            .ToDictionary(c => c[0], c => Number(c[1]), StringComparer.Ordinal);

        Assert.Equal(IssuanceShop.Shoppers, figures["Issued"]);
        Assert.Equal(1, figures["Used"]);
        Assert.Equal(1, figures["Released"]);
        Assert.Equal(IssuanceShop.Shoppers - 1, figures["Expired"]);
        Assert.Equal(2, figures["Locks taken"]);
        Assert.Equal(0, figures["Locked"]);
        Assert.Equal(figures["Issued"], figures["Available"] + figures["Locked"] + figures["Used"] + figures["Expired"]);
        Assert.Equal(figures["Locks taken"], figures["Used"] + figures["Released"] + figures["Locked"]);
    }

    [Fact]
    public void Run_IssuanceChapters_DeleteTheirDatabase()
    {
        var before = TourFolders();

        var (exitCode, _) = RunTour(chapters: [new CheckoutPaymentChapter()]);

        Assert.Equal(0, exitCode);
        Assert.Equal(before, TourFolders());

        static string[] TourFolders() =>
            Directory.GetDirectories(Path.GetTempPath(), "couponkit-tour-*").Order(StringComparer.Ordinal).ToArray();
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

    /// <summary>The cells of a table row, trimmed: <c>│ a │ b │</c> gives <c>[a, b]</c>.</summary>
    private static string[] Cells(string row) =>
        row.Split('│', StringSplitOptions.TrimEntries).Where((_, i) => i > 0).SkipLast(1).ToArray();

    private static int Number(string cell) => int.Parse(cell, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

    [GeneratedRegex("HM[2-9A-HJKMNP-Z]{2}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}")]
    private static partial Regex DisplayedCode();

    [GeneratedRegex(@"(?<caught>\d+) of (?<total>\d+)\W*rejected without a lookup")]
    private static partial Regex TypoSweep();

    [GeneratedRegex(@"(?m)^[^\n]*: \d{1,3}%\r?\n")]
    private static partial Regex ProgressLine();

    private sealed class FailingChapter : ITourChapter
    {
        public string Title => "Failing";

        public void Run(TourContext context) => throw new InvalidOperationException("chapter failed on purpose");
    }
}
