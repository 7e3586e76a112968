namespace CouponKit.Samples;

/// <summary>
/// One chapter of the tour. Chapters run in order on a shared <see cref="TourContext"/>; each one stands on its own
/// (it takes what it needs from the context), so new chapters (issuance, redemption) can join anywhere in the list.
/// </summary>
public interface ITourChapter
{
    /// <summary>Gets the chapter's title, printed as its heading.</summary>
    string Title { get; }

    /// <summary>Prints the chapter.</summary>
    /// <param name="context">The shop, the engine and the console.</param>
    void Run(TourContext context);
}
