namespace CouponKit.Codes;

/// <summary>
/// The check character of a promo code: a weighted sum modulo 31.
/// </summary>
/// <remarks>
/// <para>
/// Let <c>v(x)</c> be the index of symbol <c>x</c> in <see cref="PromoCodeConstants.Alphabet"/> (0..30), and let the payload
/// (prefix and random body) be <c>p[0] .. p[n-1]</c> with <c>n ≤ 29</c>. The check character <c>c</c> is the symbol with
/// <c>v(c) = (1·v(p[0]) + 2·v(p[1]) + … + n·v(p[n-1])) mod 31</c>. Equivalently, giving the check character the weight
/// <c>30 ≡ -1</c>, a code <c>x[0] .. x[n]</c> is valid exactly when <c>S(x) = Σ w[i]·v(x[i]) ≡ 0 (mod 31)</c>, with weights
/// <c>w = 1, 2, …, n, 30</c>.
/// </para>
/// <para>
/// Proof that every single substitution and every transposition is detected. 31 is prime, so the integers modulo 31 form
/// a field: a product of two non-zero residues is non-zero. The weights are pairwise distinct and non-zero modulo 31
/// because <c>1 ≤ i ≤ n ≤ 29 &lt; 30</c>.
/// </para>
/// <list type="bullet">
/// <item><description>
/// Substituting symbol <c>b</c> for <c>a ≠ b</c> at position <c>j</c> changes the sum by <c>w[j]·(v(b) - v(a))</c>.
/// <c>w[j] ≢ 0</c>, and <c>0 &lt; |v(b) - v(a)| ≤ 30</c> so <c>v(b) - v(a) ≢ 0</c>; the product is non-zero, the sum is no
/// longer 0 and the altered code is rejected.
/// </description></item>
/// <item><description>
/// Swapping different symbols <c>a</c> at <c>j</c> and <c>b</c> at <c>k</c> changes the sum by
/// <c>(w[j] - w[k])·(v(b) - v(a))</c>. The weights are distinct, so both factors are non-zero and the code is rejected.
/// This covers adjacent transpositions, the check character itself, and swaps at any distance.
/// </description></item>
/// </list>
/// <para>
/// Not guaranteed: two or more substitutions, and inserting or deleting an alphabet symbol (each slips through with a
/// probability of about 1/31). A symbol outside the alphabet is always rejected, before the sum is computed.
/// The check character guards against typing mistakes, not against guessing: the entropy of the body does that.
/// </para>
/// <para>
/// This algorithm is part of the format of every code already handed out: changing it invalidates them all.
/// </para>
/// </remarks>
internal static class PromoCodeChecksum
{
    private static readonly sbyte[] Values = BuildValues();

    /// <summary>Returns the index of <paramref name="symbol"/> in the alphabet, or -1 when it is not a promo-code symbol.</summary>
    public static int ValueOf(char symbol) => symbol < Values.Length ? Values[symbol] : -1;

    /// <summary>Computes the check character of <paramref name="payload"/>, whose symbols must all be in the alphabet.</summary>
    public static char ComputeCheckCharacter(ReadOnlySpan<char> payload)
    {
        var sum = 0;
        for (var i = 0; i < payload.Length; i++)
        {
            // (i + 1) ≤ 29 and the value ≤ 30, so reducing at each step keeps the sum far from overflow.
            sum = (sum + ((i + 1) * ValueOf(payload[i]))) % PromoCodeConstants.Radix;
        }

        return PromoCodeConstants.Alphabet[sum];
    }

    /// <summary>
    /// Returns whether the last symbol of <paramref name="code"/> is the check character of the rest. All symbols must be
    /// in the alphabet, and the length between 2 and <see cref="PromoCodeConstants.MaxPayloadLength"/> + 1.
    /// </summary>
    public static bool HasValidCheckCharacter(ReadOnlySpan<char> code) =>
        ComputeCheckCharacter(code[..^1]) == code[^1];

    private static sbyte[] BuildValues()
    {
        var values = new sbyte[128];
        values.AsSpan().Fill(-1);
        for (var i = 0; i < PromoCodeConstants.Alphabet.Length; i++)
        {
            values[PromoCodeConstants.Alphabet[i]] = (sbyte)i;
        }

        return values;
    }
}
