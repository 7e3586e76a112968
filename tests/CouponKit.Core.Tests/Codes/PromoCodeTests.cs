using CouponKit.Codes;

namespace CouponKit.Core.Tests.Codes;

public class PromoCodeTests
{
    // Check characters worked out by hand (weights 1..n, sum mod 31), so the format cannot drift unnoticed:
    // codes already handed out must keep validating.
    // "23456789A": values 0..8, Σ (i+1)·i = 240, 240 mod 31 = 23 → 'S'.
    [Theory]
    [InlineData("23456789AS")]
    [InlineData("K7QHX4M2PN")]
    [InlineData("SUMMERK7QHX4M2PN")]
    [InlineData("ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ")]
    public void IsWellFormed_KnownAnswer_ReturnsTrue(string code)
    {
        Assert.True(PromoCode.IsWellFormed(code));
    }

    [Fact]
    public void Alphabet_Always_Has31DistinctUnambiguousSymbols()
    {
        Assert.Equal(31, PromoCode.Alphabet.Distinct().Count());
        Assert.DoesNotContain(PromoCode.Alphabet, c => "01ILO".Contains(c, StringComparison.Ordinal));
    }

    [Fact]
    public void IsWellFormed_WrongCheckCharacter_ReturnsFalse()
    {
        Assert.False(PromoCode.IsWellFormed("23456789AT"));
    }

    [Theory]
    [InlineData(" 23456789as ")]
    [InlineData("2345-6789-AS")]
    [InlineData("2345 6789\tAS")]
    [InlineData("２３４５６７８９ＡＳ")] // full-width, as typed with a CJK input method
    public void Parse_FormattingNoise_ReturnsCanonical(string input)
    {
        Assert.Equal("23456789AS", PromoCode.Parse(input));
    }

    [Fact]
    public void Parse_CanonicalInput_ReturnsSameInstance()
    {
        var code = "23456789AS";

        Assert.Same(code, PromoCode.Parse(code));
    }

    [Fact]
    public void Normalize_LowerCaseWithDashesAndSpaces_UpperCasesAndStrips()
    {
        Assert.Equal("AB2CD", PromoCode.Normalize("  ab-2 c-d\n"));
    }

    [Fact]
    public void Normalize_CharactersOutsideAlphabet_AreKept()
    {
        Assert.Equal("O0_É", PromoCode.Normalize("o0_É"));
    }

    [Fact]
    public void Normalize_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => PromoCode.Normalize(null!));
    }

    [Fact]
    public void Parse_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => PromoCode.Parse(null!));
    }

    [Fact]
    public void TryParse_Null_ReturnsFalse()
    {
        Assert.False(PromoCode.TryParse(null, out var code));
        Assert.Null(code);
    }

    [Fact]
    public void TryParse_ValidCode_ReturnsCanonical()
    {
        Assert.True(PromoCode.TryParse("2345-6789-as", out var code));
        Assert.Equal("23456789AS", code);
    }

    [Fact]
    public void IsWellFormed_Null_ReturnsFalse()
    {
        Assert.False(PromoCode.IsWellFormed(null));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" - ")]
    [InlineData("2345678S")] // too short: 8 characters
    [InlineData("23456789AS2345678923456789AS24")] // 30 characters but the wrong check character (3 is right)
    [InlineData("O3456789AS")] // O is not in the alphabet
    [InlineData("03456789AS")] // 0 is not in the alphabet
    [InlineData("23456789A$")]
    public void TryParse_NotWellFormed_ReturnsFalse(string input)
    {
        Assert.False(PromoCode.TryParse(input, out var code));
        Assert.Null(code);
    }

    [Fact]
    public void TryParse_LongerThanMaxLength_ReturnsFalse()
    {
        // Beyond 30 characters the weights would repeat modulo 31 and stop catching every typo, so longer input is refused
        // whatever its last character.
        var payload = new string('Z', PromoCode.MaxLength);
        var completions = PromoCode.Alphabet.Count(c => PromoCode.IsWellFormed(payload + c));

        Assert.True(PromoCode.IsWellFormed("23456789AS2345678923456789AS23"));
        Assert.Equal(0, completions);
    }

    [Fact]
    public void TryParse_ShortestAndLongest_AreAccepted()
    {
        Assert.Equal(10, PromoCode.MinLength);
        Assert.Equal(30, PromoCode.MaxLength);
        Assert.True(PromoCode.IsWellFormed("23456789AS"));
        Assert.True(PromoCode.IsWellFormed(new string('Z', 30)));
    }

    [Theory]
    [InlineData("23456789AT", "check character")]
    [InlineData("2345678", "7 characters")]
    [InlineData("O3456789AS", "never use")]
    [InlineData(" ", "empty")]
    public void Parse_NotWellFormed_ThrowsWithReason(string input, string reason)
    {
        var exception = Assert.Throws<InvalidPromoCodeException>(() => PromoCode.Parse(input));

        Assert.Contains(reason, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NotWellFormed_MessageMasksTheCode()
    {
        var mistyped = "K7QHX4M2PA";

        var exception = Assert.Throws<InvalidPromoCodeException>(() => PromoCode.Parse(mistyped.ToLowerInvariant()));

        Assert.IsAssignableFrom<FormatException>(exception);
        Assert.DoesNotContain(mistyped, exception.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("QHX4M2", exception.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("'K7*****PA'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_VeryLongInput_MessageStaysShort()
    {
        var exception = Assert.Throws<InvalidPromoCodeException>(() => PromoCode.Parse(new string('A', 10_000)));

        Assert.Contains("10000 characters", exception.Message, StringComparison.Ordinal);
        Assert.True(exception.Message.Length < 200, exception.Message);
    }

    [Theory]
    [InlineData("K7QHX4M2PN", "K7*****PN")]
    [InlineData("k7qh-x4m2-pn", "K7*****PN")]
    [InlineData("SUMMERK7QHX4M2PN", "SU*****PN")]
    [InlineData("K7QHX4M2P", "*****")] // shorter than a code: masked entirely
    [InlineData("", "*****")]
    public void Mask_Code_ShowsOnlyTwoCharactersAtEachEnd(string code, string expected)
    {
        Assert.Equal(expected, PromoCode.Mask(code));
    }

    [Fact]
    public void Mask_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => PromoCode.Mask(null!));
    }

    [Theory]
    [InlineData("23456789AS", 4, "2345-6789-AS")]
    [InlineData("2345-6789-as", 5, "23456-789AS")]
    [InlineData("23456789AS", 10, "23456789AS")]
    [InlineData("23456789AS", 1, "2-3-4-5-6-7-8-9-A-S")]
    public void Format_GroupSize_GroupsFromTheLeft(string code, int groupSize, string expected)
    {
        var formatted = PromoCode.Format(code, groupSize);

        Assert.Equal(expected, formatted);
        Assert.Equal("23456789AS", PromoCode.Normalize(formatted));
    }

    [Fact]
    public void Format_DefaultGroupSize_IsFour()
    {
        Assert.Equal("K7QH-X4M2-PN", PromoCode.Format("K7QHX4M2PN"));
    }

    [Fact]
    public void Format_GroupSizeZero_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PromoCode.Format("23456789AS", 0));
    }

    [Fact]
    public void Format_NotWellFormed_Throws()
    {
        Assert.Throws<InvalidPromoCodeException>(() => PromoCode.Format("23456789AT"));
    }
}
