namespace CouponKit.Benefits;

/// <summary>
/// The record of a random draw, kept with the coupon so that an auditor can replay it: the generator, the seed, and what it
/// gave. Replaying <see cref="Algorithm"/> from <see cref="Seed"/> over the template's <see cref="LuckyDraw"/> gives the same
/// <see cref="Value"/> (<see cref="LuckyDraws.Replay"/>).
/// </summary>
/// <param name="Algorithm">The generator and the way it was used, for example <c>xoshiro256**/splitmix64;uniform</c>.</param>
/// <param name="Seed">The 64-bit seed, drawn from the operating system's CSPRNG at claim time.</param>
/// <param name="Value">The face value drawn.</param>
/// <param name="PrizeIndex">For a weighted table, the index of the prize drawn; otherwise <see langword="null"/>.</param>
public sealed record BenefitDraw(string Algorithm, ulong Seed, Money Value, int? PrizeIndex);
