using System.ComponentModel.DataAnnotations;
using CouponKit.Codes;

namespace CouponKit.Core.Tests.Codes;

public class PromoCodeGeneratorTests
{
    [Fact]
    public void Generate_DefaultOptions_ReturnsWellFormedTenCharacterCode()
    {
        var code = new PromoCodeGenerator().Generate();

        Assert.Equal(10, code.Length);
        Assert.True(PromoCode.IsWellFormed(code));
        Assert.Equal(code, PromoCode.Parse(code));
    }

    [Fact]
    public void EntropyBits_DefaultOptions_Is44Point6()
    {
        Assert.Equal(9 * Math.Log2(31), new PromoCodeGenerator().EntropyBits, 10);
        Assert.InRange(new PromoCodeGenerator().EntropyBits, 44.5, 44.6);
    }

    [Fact]
    public void EntropyBits_Prefix_AddsNothing()
    {
        var generator = new PromoCodeGenerator(new PromoCodeGeneratorOptions { Prefix = "SUMMER", BodyLength = 12 });

        Assert.Equal(12 * Math.Log2(31), generator.EntropyBits, 10);
    }

    [Theory]
    [InlineData(8, "39.6 bits")]
    [InlineData(1, "5.0 bits")]
    [InlineData(0, "0.0 bits")]
    [InlineData(-3, "-14.9 bits")]
    public void Constructor_BodyBelow40Bits_ThrowsWithEntropy(int bodyLength, string entropy)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(
            () => new PromoCodeGenerator(new PromoCodeGeneratorOptions { BodyLength = bodyLength }));

        Assert.Contains(entropy, exception.Message, StringComparison.Ordinal);
        Assert.Contains("at least 40 bits", exception.Message, StringComparison.Ordinal);
        Assert.Equal("options", exception.ParamName);
        Assert.Equal(bodyLength, exception.ActualValue);
    }

    [Theory]
    [InlineData("SALE", 'L')]
    [InlineData("summer", 's')]
    [InlineData("X-1", '-')]
    [InlineData("BLACK0", 'L')]
    public void Constructor_PrefixOutsideAlphabet_Throws(string prefix, char offending)
    {
        var exception = Assert.Throws<ArgumentException>(
            () => new PromoCodeGenerator(new PromoCodeGeneratorOptions { Prefix = prefix }));

        Assert.Contains($"'{offending}'", exception.Message, StringComparison.Ordinal);
        Assert.Equal("options", exception.ParamName);
    }

    [Theory]
    [InlineData("", 29)]
    [InlineData("SUMMER", 23)]
    public void Constructor_LongestCode_IsAccepted(string prefix, int bodyLength)
    {
        var code = new PromoCodeGenerator(new PromoCodeGeneratorOptions { Prefix = prefix, BodyLength = bodyLength }).Generate();

        Assert.Equal(PromoCode.MaxLength, code.Length);
        Assert.True(PromoCode.IsWellFormed(code));
    }

    [Theory]
    [InlineData("", 30)]
    [InlineData("SUMMER", 24)]
    public void Constructor_CodeLongerThanMaxLength_Throws(string prefix, int bodyLength)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(
            () => new PromoCodeGenerator(new PromoCodeGeneratorOptions { Prefix = prefix, BodyLength = bodyLength }));

        Assert.Contains("at most 29", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 9, true)]
    [InlineData("SUMMER", 23, true)]
    [InlineData("SALE", 9, false)]
    [InlineData("summer", 9, false)]
    [InlineData(null, 8, false)]
    [InlineData(null, 30, false)]
    public void Options_DataAnnotations_AgreeWithConstructor(string? prefix, int bodyLength, bool valid)
    {
        var options = new PromoCodeGeneratorOptions { Prefix = prefix, BodyLength = bodyLength };

        var annotationsValid = Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true);
        var constructorValid = Record.Exception(() => new PromoCodeGenerator(options)) is null;

        Assert.Equal(valid, annotationsValid);
        Assert.Equal(valid, constructorValid);
    }

    [Fact]
    public void Constructor_NullOptions_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new PromoCodeGenerator(null!));
    }

    [Fact]
    public void Constructor_OptionsChangedAfterwards_AreIgnored()
    {
        var options = new PromoCodeGeneratorOptions { Prefix = "XMAS" };
        var generator = new PromoCodeGenerator(options);

        options.Prefix = "EASTER";
        options.BodyLength = 20;

        var code = generator.Generate();
        Assert.StartsWith("XMAS", code, StringComparison.Ordinal);
        Assert.Equal(4 + 9 + 1, code.Length);
    }

    [Fact]
    public void Generate_Prefix_StartsWithPrefixAndCheckCharacterCoversIt()
    {
        var code = new PromoCodeGenerator(new PromoCodeGeneratorOptions { Prefix = "SHP27" }).Generate();

        Assert.StartsWith("SHP27", code, StringComparison.Ordinal);
        Assert.Equal(5 + 9 + 1, code.Length);
        Assert.True(PromoCode.IsWellFormed(code));
        Assert.False(PromoCode.IsWellFormed(string.Concat("SHP28", code.AsSpan(5))));
    }

    [Fact]
    public void Generate_Batch_AllUniqueAndWellFormed()
    {
        var codes = new PromoCodeGenerator().Generate(50_000);

        Assert.Equal(50_000, codes.Count);
        Assert.Equal(codes.Count, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.All(codes, code => Assert.True(PromoCode.IsWellFormed(code), code));
    }

    [Fact]
    public void Generate_Batch_UsesEverySymbolInEveryBodyPosition()
    {
        // Not a bias test: a coarse check that no symbol or position is stuck.
        var codes = new PromoCodeGenerator().Generate(5_000);

        for (var position = 0; position < 9; position++)
        {
            var symbols = codes.Select(code => code[position]).Distinct().Count();
            Assert.Equal(31, symbols);
        }
    }

    [Fact]
    public void Generate_Zero_ReturnsEmpty()
    {
        Assert.Empty(new PromoCodeGenerator().Generate(0));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(PromoCodeGenerator.MaxBatchCount + 1)]
    public void Generate_CountOutOfRange_Throws(int count)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => new PromoCodeGenerator().Generate(count));

        Assert.Equal("count", exception.ParamName);
    }

    [Fact]
    public void MaxBatchCount_Is1Million()
    {
        Assert.Equal(1_000_000, PromoCodeGenerator.MaxBatchCount);
    }
}
