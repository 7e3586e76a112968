using CouponKit.InMemory;
using CouponKit.Issuance;
using CouponKit.Messaging;
using CouponKit.Ports;
using CouponKit.Redemption;

namespace CouponKit.Core.Tests.Issuance;

public class CouponClaimsTests
{
    private static readonly string[] T1 = ["t1"];
    private static readonly string[] Users = ["u1", "u2"];

    private readonly TestKit _kit = new();

    [Fact]
    public async Task ClaimAsync_ActiveTemplate_IssuesAnAvailableCoupon()
    {
        await _kit.ActiveAsync(TestKit.Draft());
        _kit.Time.Advance(TimeSpan.FromMinutes(5));

        var result = await _kit.ClaimAsync("t1", "u1", "k1");

        Assert.True(result.IsIssued);
        Assert.False(result.IsReplay);
        Assert.Null(result.Rejection);
        var coupon = result.Coupon!;
        var now = Shop.Now.AddMinutes(5);
        Assert.Equal(
            ("t1", "u1", CouponState.Available, now, now.AddDays(7), now, ClaimChannels.Grab, (string?)null, 1L),
            (coupon.TemplateId, coupon.UserId, coupon.State, coupon.ValidFrom, coupon.ValidUntil, coupon.ClaimedAt, coupon.Channel, coupon.OrderId, coupon.Version));
        Assert.Equal([coupon], _kit.Store.Coupons);
        Assert.Equal(new(100, 1), await _kit.Templates.GetStockAsync("t1"));
        Assert.Equal(coupon, await _kit.Store.FindByClaimKeyAsync("k1", CancellationToken.None));
        var issued = Assert.Single(_kit.Outbox(CouponTopics.Issued));
        Assert.Equal(($"coupon:{coupon.CouponId}:issued", coupon.CouponId), (issued.MessageId, issued.Key)); // keyed by its aggregate, the coupon
        Assert.Equal(new CouponEvents.CouponIssued(coupon.CouponId, "t1", "u1", "k1", now), CouponEvents.Read<CouponEvents.CouponIssued>(issued));
    }

    [Fact]
    public async Task ClaimAsync_FixedValidity_CouponGetsTheTemplateWindow()
    {
        var from = Shop.Now.AddDays(1);
        var until = Shop.Now.AddDays(10);
        await _kit.ActiveAsync(TestKit.Draft() with { Validity = CouponValidity.Between(from, until) });

        var coupon = await _kit.IssueAsync("t1", "u1");

        Assert.Equal((from, until), (coupon.ValidFrom, coupon.ValidUntil));
    }

    [Fact]
    public async Task ClaimAsync_SameKeyAgain_ReturnsTheSameCouponAsReplayAndIssuesNothing()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { PerUserLimit = 5 });
        var first = await _kit.ClaimAsync("t1", "u1", "k1");
        var before = await _kit.SnapshotAsync(T1);

        var again = await _kit.ClaimAsync("t1", "u1", "k1");

        Assert.True(again.IsIssued);
        Assert.True(again.IsReplay);
        Assert.Equal(first.Coupon, again.Coupon);
        await _kit.AssertUnchangedAsync(before, T1);
    }

    [Fact]
    public async Task ClaimAsync_SameKeyAfterPause_StillReturnsTheIssuedCoupon()
    {
        await _kit.ActiveAsync(TestKit.Draft());
        var first = await _kit.ClaimAsync("t1", "u1", "k1");
        await _kit.Templates.PauseAsync("t1");

        var again = await _kit.ClaimAsync("t1", "u1", "k1");

        Assert.True(again.IsReplay);
        Assert.Equal(first.Coupon!.CouponId, again.Coupon!.CouponId);
    }

    [Fact]
    public async Task ClaimAsync_KeyReusedByAnotherUser_ThrowsIdempotencyKeyConflictExceptionAndChangesNothing()
    {
        await _kit.ActiveAsync(TestKit.Draft());
        await _kit.ClaimAsync("t1", "u1", "k1");
        var before = await _kit.SnapshotAsync(T1, Users);

        var error = await Assert.ThrowsAsync<IdempotencyKeyConflictException>(() => _kit.ClaimAsync("t1", "u2", "k1"));

        Assert.Equal(("k1", "idempotency_key_conflict"), (error.Key, error.ErrorCode));
        await _kit.AssertUnchangedAsync(before, T1, Users);
    }

    [Fact]
    public async Task ClaimAsync_KeyReusedForAnotherTemplate_ThrowsIdempotencyKeyConflictException()
    {
        await _kit.ActiveAsync(TestKit.Draft("t1"));
        await _kit.ActiveAsync(TestKit.Draft("t2"));
        await _kit.ClaimAsync("t1", "u1", "k1");
        var before = await _kit.SnapshotAsync(["t1", "t2"]);

        await Assert.ThrowsAsync<IdempotencyKeyConflictException>(() => _kit.ClaimAsync("t2", "u1", "k1"));

        await _kit.AssertUnchangedAsync(before, ["t1", "t2"]);
    }

    [Fact]
    public async Task ClaimAsync_DraftTemplate_IsRejectedNotActive()
    {
        await _kit.Templates.CreateAsync(TestKit.Draft());

        await AssertRejectedAsync(ClaimRejection.NotActive, () => _kit.ClaimAsync("t1", "u1", "k1"));
    }

    [Fact]
    public async Task ClaimAsync_BeforeTheClaimWindow_IsRejectedNotStartedThenIssuedAtTheStart()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { ClaimStartsAt = Shop.Now.AddHours(1) });
        _kit.Time.Advance(TimeSpan.FromHours(1) - TimeSpan.FromTicks(1));

        await AssertRejectedAsync(ClaimRejection.NotStarted, () => _kit.ClaimAsync("t1", "u1", "k1"));

        _kit.Time.Advance(TimeSpan.FromTicks(1));
        Assert.True((await _kit.ClaimAsync("t1", "u1", "k1")).IsIssued);
    }

    [Fact]
    public async Task ClaimAsync_AtTheClaimWindowEnd_IsRejectedEnded()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { ClaimEndsAt = Shop.Now.AddHours(1) });
        _kit.Time.Advance(TimeSpan.FromHours(1));

        await AssertRejectedAsync(ClaimRejection.Ended, () => _kit.ClaimAsync("t1", "u1", "k1"));
    }

    [Fact]
    public async Task ClaimAsync_FixedValidityOver_IsRejectedEnded()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { Validity = CouponValidity.Between(Shop.Now, Shop.Now.AddDays(1)) });
        _kit.Time.Advance(TimeSpan.FromDays(1));

        await AssertRejectedAsync(ClaimRejection.Ended, () => _kit.ClaimAsync("t1", "u1", "k1"));
    }

    [Fact]
    public async Task ClaimAsync_EndedTemplate_IsRejectedEnded()
    {
        await _kit.ActiveAsync(TestKit.Draft());
        await _kit.Templates.EndAsync("t1");

        await AssertRejectedAsync(ClaimRejection.Ended, () => _kit.ClaimAsync("t1", "u1", "k1"));
    }

    [Fact]
    public async Task ClaimAsync_PausedTemplate_IsRejectedPausedThenIssuedAfterResume()
    {
        await _kit.ActiveAsync(TestKit.Draft());
        await _kit.Templates.PauseAsync("t1");

        await AssertRejectedAsync(ClaimRejection.Paused, () => _kit.ClaimAsync("t1", "u1", "k1"));

        await _kit.Templates.ResumeAsync("t1");
        Assert.True((await _kit.ClaimAsync("t1", "u1", "k1")).IsIssued);
    }

    [Fact]
    public async Task ClaimAsync_NoInventoryLeft_IsRejectedSoldOut()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { TotalInventory = 1 });
        await _kit.IssueAsync("t1", "u1");

        await AssertRejectedAsync(ClaimRejection.SoldOut, () => _kit.ClaimAsync("t1", "u2", "k2"));

        Assert.Equal(new(1, 1), await _kit.Templates.GetStockAsync("t1"));
    }

    [Fact]
    public async Task ClaimAsync_UserHoldsTheLimit_IsRejectedLimitReached()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { PerUserLimit = 2 });
        await _kit.IssueAsync("t1", "u1");
        await _kit.IssueAsync("t1", "u1");

        await AssertRejectedAsync(ClaimRejection.LimitReached, () => _kit.ClaimAsync("t1", "u1", "k3"));

        Assert.True((await _kit.ClaimAsync("t1", "u2", "k4")).IsIssued);
    }

    [Fact]
    public async Task ClaimAsync_UserNotInTheSegments_IsRejectedNotEligible()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { Audience = Audience.InSegments("vip", "beijing"), PerUserLimit = 5 });

        await AssertRejectedAsync(ClaimRejection.NotEligible, () => _kit.ClaimAsync("t1", TestKit.User("u1", "shanghai"), "k1"));
        await AssertRejectedAsync(ClaimRejection.NotEligible, () => _kit.ClaimAsync("t1", TestKit.User("u1"), "k2"));

        Assert.True((await _kit.ClaimAsync("t1", TestKit.User("u1", "shanghai", "beijing"), "k3")).IsIssued);
    }

    [Fact]
    public async Task ClaimAsync_ExistingUserForNewUsersOnly_IsRejectedNotEligible()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { Audience = new Audience { NewUsersOnly = true } });

        await AssertRejectedAsync(ClaimRejection.NotEligible, () => _kit.ClaimAsync("t1", new UserProfile("u1", isNewUser: false), "k1"));

        Assert.True((await _kit.ClaimAsync("t1", new UserProfile("u1", isNewUser: true), "k2")).IsIssued);
    }

    [Fact]
    public async Task ClaimAsync_ChannelNotOffered_IsRejectedChannelClosed()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { Channels = ClaimChannels.Push | ClaimChannels.PromoCode });

        await AssertRejectedAsync(ClaimRejection.ChannelClosed, () => _kit.ClaimAsync("t1", "u1", "k1", ClaimChannels.Grab));

        var pushed = await _kit.ClaimAsync("t1", "u1", "k2", ClaimChannels.Push);
        Assert.Equal(ClaimChannels.Push, pushed.Coupon!.Channel);
    }

    [Fact]
    public async Task ClaimAsync_NotEnoughPoints_IsRejectedInsufficientPointsAndKeepsTheBalance()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { ClaimCostPoints = 50 });
        _kit.Points.SetBalance("u1", 49);

        await AssertRejectedAsync(ClaimRejection.InsufficientPoints, () => _kit.ClaimAsync("t1", "u1", "k1"));

        Assert.Equal(49, _kit.Points.BalanceOf("u1"));
    }

    [Fact]
    public async Task ClaimAsync_CostsPoints_DeductsOnceEvenWhenReplayed()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { ClaimCostPoints = 30 });
        _kit.Points.SetBalance("u1", 100);

        var first = await _kit.ClaimAsync("t1", "u1", "k1");
        var replay = await _kit.ClaimAsync("t1", "u1", "k1");

        Assert.True(first.IsIssued && replay.IsReplay);
        Assert.Equal(70, _kit.Points.BalanceOf("u1"));
        Assert.Empty(_kit.Bus.Published);
    }

    [Fact]
    public async Task ClaimAsync_SoldOutAfterPointsWereTaken_RefundsThePoints()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { ClaimCostPoints = 30, TotalInventory = 1 });
        _kit.Points.SetBalance("u1", 100);
        _kit.Points.SetBalance("u2", 100);
        await _kit.IssueAsync("t1", "u1");

        await AssertRejectedAsync(ClaimRejection.SoldOut, () => _kit.ClaimAsync("t1", "u2", "k2"));

        Assert.Equal((70L, 100L), (_kit.Points.BalanceOf("u1"), _kit.Points.BalanceOf("u2")));
    }

    [Fact]
    public async Task ClaimAsync_SoldOutClaimRetriedWithItsKey_IsToldSoldOutAgainAndKeepsTheRefund()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { ClaimCostPoints = 30, TotalInventory = 1 });
        _kit.Points.SetBalance("u1", 100);
        _kit.Points.SetBalance("u2", 100);
        await _kit.IssueAsync("t1", "u1");
        await AssertRejectedAsync(ClaimRejection.SoldOut, () => _kit.ClaimAsync("t1", "u2", "k2"));

        // The retry's deduction is refused by the ledger (its key was refunded); the answer is the claim's, not "no points".
        await AssertRejectedAsync(ClaimRejection.SoldOut, () => _kit.ClaimAsync("t1", "u2", "k2"));

        Assert.Equal(100L, _kit.Points.BalanceOf("u2"));
    }

    [Fact]
    public async Task ClaimAsync_LimitReachedAfterPointsWereTaken_RefundsThePoints()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { ClaimCostPoints = 30 });
        _kit.Points.SetBalance("u1", 100);
        await _kit.IssueAsync("t1", "u1");

        await AssertRejectedAsync(ClaimRejection.LimitReached, () => _kit.ClaimAsync("t1", "u1", "k2"));

        Assert.Equal(70, _kit.Points.BalanceOf("u1"));

        // Retried with its key (whose deduction the ledger refunded and now refuses): told the limit again, not "no points".
        await AssertRejectedAsync(ClaimRejection.LimitReached, () => _kit.ClaimAsync("t1", "u1", "k2"));
        Assert.Equal(70, _kit.Points.BalanceOf("u1"));
    }

    [Fact]
    public async Task ClaimAsync_RefundFailsInTheLedger_PublishesAPointsRefundCommand()
    {
        var kit = new TestKit();
        var ledger = new RefundFailingLedger(kit.Points);
        var claims = new CouponClaims(kit.Store, kit.Store, kit.Limiter, ledger, kit.Bus, kit.Time, Microsoft.Extensions.Options.Options.Create(kit.Options));
        await kit.ActiveAsync(TestKit.Draft() with { ClaimCostPoints = 30, TotalInventory = 1 });
        kit.Points.SetBalance("u1", 100);
        kit.Points.SetBalance("u2", 100);
        await kit.IssueAsync("t1", "u1");

        var result = await claims.ClaimAsync(new ClaimRequest { TemplateId = "t1", User = TestKit.User("u2"), IdempotencyKey = "k2" });

        Assert.Equal(ClaimRejection.SoldOut, result.Rejection);
        Assert.Equal(70, kit.Points.BalanceOf("u2"));
        var command = Assert.Single(kit.Bus.Published);
        Assert.Equal((CouponTopics.Coupon, CouponTopics.PointsRefund, "u2"), (command.Topic, command.Tag, command.Key));
        var refund = System.Text.Json.JsonSerializer.Deserialize<CouponClaims.PointsRefund>(command.Body)!;
        Assert.Equal(("u2", 30L), (refund.UserId, refund.Points));

        await kit.Points.RefundAsync(refund.UserId, refund.Points, refund.IdempotencyKey, CancellationToken.None);
        Assert.Equal(100, kit.Points.BalanceOf("u2"));
    }

    [Fact]
    public async Task ClaimAsync_TooManyAttemptsByAUser_IsRejectedRateLimitedWithRetryAfter()
    {
        var kit = new TestKit(new CouponKitOptions { ClaimsPerUser = 2, ClaimRateWindow = TimeSpan.FromMinutes(1) });
        await kit.ActiveAsync(TestKit.Draft());
        await kit.IssueAsync("t1", "u1", "k1");
        await kit.ClaimAsync("t1", "u1", "k1");
        var before = await kit.SnapshotAsync(T1);

        var limited = await kit.ClaimAsync("t1", "u1", "k1");

        Assert.Equal(ClaimRejection.RateLimited, limited.Rejection);
        Assert.False(limited.IsIssued);
        Assert.Equal(TimeSpan.FromSeconds(30), limited.RetryAfter);
        await kit.AssertUnchangedAsync(before, T1);
        Assert.True((await kit.ClaimAsync("t1", "u2", "k2")).IsIssued);

        kit.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.True((await kit.ClaimAsync("t1", "u1", "k1")).IsReplay);
    }

    [Fact]
    public async Task ClaimAsync_TooManyAttemptsFromAnIp_IsRejectedRateLimited()
    {
        var kit = new TestKit(new CouponKitOptions { ClaimsPerIp = 1, ClaimRateWindow = TimeSpan.FromMinutes(1) });
        await kit.ActiveAsync(TestKit.Draft());
        await kit.Claims.ClaimAsync(new ClaimRequest { TemplateId = "t1", User = TestKit.User("u1"), IdempotencyKey = "k1", ClientIp = "10.0.0.1" });
        var before = await kit.SnapshotAsync(T1);

        var limited = await kit.Claims.ClaimAsync(new ClaimRequest { TemplateId = "t1", User = TestKit.User("u2"), IdempotencyKey = "k2", ClientIp = "10.0.0.1" });

        Assert.Equal(ClaimRejection.RateLimited, limited.Rejection);
        Assert.Equal(TimeSpan.FromMinutes(1), limited.RetryAfter);
        await kit.AssertUnchangedAsync(before, T1);
    }

    [Fact]
    public async Task ClaimAsync_UnknownTemplate_ThrowsTemplateNotFoundExceptionAndChangesNothing()
    {
        await _kit.ActiveAsync(TestKit.Draft());
        var before = await _kit.SnapshotAsync(T1, Users);

        var error = await Assert.ThrowsAsync<TemplateNotFoundException>(() => _kit.ClaimAsync("nope", "u1", "k1"));

        Assert.Equal("nope", error.TemplateId);
        await _kit.AssertUnchangedAsync(before, T1, Users);
    }

    [Theory]
    [InlineData("blank template")]
    [InlineData("template id too long")]
    [InlineData("blank key")]
    [InlineData("key too long")]
    [InlineData("no channel")]
    [InlineData("two channels")]
    [InlineData("unknown channel")]
    [InlineData("empty ip")]
    [InlineData("ip too long")]
    public async Task ClaimAsync_MalformedRequest_ThrowsArgumentExceptionAndChangesNothing(string mistake)
    {
        var kit = new TestKit(new CouponKitOptions { ClaimsPerUser = 1 });
        await kit.ActiveAsync(TestKit.Draft());
        var request = new ClaimRequest { TemplateId = "t1", User = TestKit.User("u1"), IdempotencyKey = "k1" };
        request = mistake switch
        {
            "blank template" => new ClaimRequest { TemplateId = " ", User = request.User, IdempotencyKey = "k1" },
            "template id too long" => new ClaimRequest { TemplateId = new string('t', 129), User = request.User, IdempotencyKey = "k1" },
            "blank key" => new ClaimRequest { TemplateId = "t1", User = request.User, IdempotencyKey = "\t" },
            "key too long" => new ClaimRequest { TemplateId = "t1", User = request.User, IdempotencyKey = new string('k', CouponClaims.MaxIdempotencyKeyLength + 1) },
            "no channel" => new ClaimRequest { TemplateId = "t1", User = request.User, IdempotencyKey = "k1", Channel = ClaimChannels.None },
            "two channels" => new ClaimRequest { TemplateId = "t1", User = request.User, IdempotencyKey = "k1", Channel = ClaimChannels.Grab | ClaimChannels.Push },
            "unknown channel" => new ClaimRequest { TemplateId = "t1", User = request.User, IdempotencyKey = "k1", Channel = (ClaimChannels)8 },
            "empty ip" => new ClaimRequest { TemplateId = "t1", User = request.User, IdempotencyKey = "k1", ClientIp = string.Empty },
            _ => new ClaimRequest { TemplateId = "t1", User = request.User, IdempotencyKey = "k1", ClientIp = new string('1', 65) },
        };
        var before = await kit.SnapshotAsync(T1);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => kit.Claims.ClaimAsync(request));

        await kit.AssertUnchangedAsync(before, T1);
        Assert.True((await kit.ClaimAsync("t1", "u1", "k1")).IsIssued); // the malformed request took no rate-limit permit
    }

    [Fact]
    public async Task ClaimAsync_MissingRequestOrUser_ThrowsArgumentNullException()
    {
        await _kit.ActiveAsync(TestKit.Draft());

        await Assert.ThrowsAsync<ArgumentNullException>(() => _kit.Claims.ClaimAsync(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => _kit.Claims.ClaimAsync(new ClaimRequest { TemplateId = "t1", User = null!, IdempotencyKey = "k1" }));
        await Assert.ThrowsAsync<ArgumentNullException>(() => _kit.Claims.ClaimAsync(new ClaimRequest { TemplateId = null!, User = TestKit.User("u1"), IdempotencyKey = "k1" }));
        Assert.Throws<ArgumentException>(() => new UserProfile(" "));
        Assert.Empty(_kit.Store.Coupons);
    }

    // Regression: the points were deducted under "claim:" + key whatever the user and template, so when another user's claim
    // with the same key slipped in between this claim's key lookup and its deduction, the ledger saw the other user's
    // deduction as this one, deducted nothing, and the refund after the key conflict credited this user with the other's
    // points.
    [Fact]
    public async Task ClaimAsync_KeyTakenByAnotherUserDuringTheClaim_NeitherMintsNorLosesPoints()
    {
        await _kit.ActiveAsync(TestKit.Draft() with { ClaimCostPoints = 30 });
        _kit.Points.SetBalance("u1", 100);
        _kit.Points.SetBalance("u2", 100);
        var store = new InterleavingCouponStore(_kit.Store);
        var claims = new CouponClaims(_kit.Store, store, _kit.Limiter, _kit.Points, _kit.Bus, _kit.Time, Microsoft.Extensions.Options.Options.Create(_kit.Options));
        store.AfterFirstLookup = () => _kit.ClaimAsync("t1", "u1", "shared");

        await Assert.ThrowsAsync<IdempotencyKeyConflictException>(() => claims.ClaimAsync(new ClaimRequest { TemplateId = "t1", User = TestKit.User("u2"), IdempotencyKey = "shared" }));

        Assert.Equal("u1", Assert.Single(_kit.Store.Coupons).UserId);
        Assert.Equal((70L, 100L), (_kit.Points.BalanceOf("u1"), _kit.Points.BalanceOf("u2")));
        Assert.Empty(_kit.Bus.Published);
    }

    // The same race for one user and two templates: the conflict's refund must not return the points of the coupon issued.
    [Fact]
    public async Task ClaimAsync_KeyTakenBySameUserForAnotherTemplateDuringTheClaim_KeepsThePointsOfTheIssuedCoupon()
    {
        await _kit.ActiveAsync(TestKit.Draft("t1") with { ClaimCostPoints = 30 });
        await _kit.ActiveAsync(TestKit.Draft("t2") with { ClaimCostPoints = 30 });
        _kit.Points.SetBalance("u1", 100);
        var store = new InterleavingCouponStore(_kit.Store);
        var claims = new CouponClaims(_kit.Store, store, _kit.Limiter, _kit.Points, _kit.Bus, _kit.Time, Microsoft.Extensions.Options.Options.Create(_kit.Options));
        store.AfterFirstLookup = () => _kit.ClaimAsync("t1", "u1", "shared");

        await Assert.ThrowsAsync<IdempotencyKeyConflictException>(() => claims.ClaimAsync(new ClaimRequest { TemplateId = "t2", User = TestKit.User("u1"), IdempotencyKey = "shared" }));

        Assert.Equal("t1", Assert.Single(_kit.Store.Coupons).TemplateId);
        Assert.Equal(70, _kit.Points.BalanceOf("u1"));
    }

    /// <summary>Asserts a claim is rejected with the reason and leaves coupons, stock, outbox, balances and bus as they were.</summary>
    private async Task AssertRejectedAsync(ClaimRejection rejection, Func<Task<ClaimResult>> claim)
    {
        var before = await _kit.SnapshotAsync(T1, Users);

        var result = await claim();

        Assert.Equal(rejection, result.Rejection);
        Assert.False(result.IsIssued);
        Assert.Null(result.Coupon);
        Assert.False(string.IsNullOrWhiteSpace(result.Message));
        Assert.Null(result.RetryAfter);
        await _kit.AssertUnchangedAsync(before, T1, Users);
    }

    /// <summary>A coupon store that lets another claim run right after the first key lookup, which then finds nothing.</summary>
    private sealed class InterleavingCouponStore(InMemoryCouponKitStore inner) : ICouponStore
    {
        public Func<Task>? AfterFirstLookup { get; set; }

        public async Task<IssuedCoupon?> FindByClaimKeyAsync(string claimKey, CancellationToken cancellationToken)
        {
            var found = await inner.FindByClaimKeyAsync(claimKey, cancellationToken);
            if (AfterFirstLookup is { } other)
            {
                AfterFirstLookup = null;
                await other();
            }

            return found;
        }

        public Task<IssueOutcome> IssueAsync(IssueCommand command, CancellationToken cancellationToken) => inner.IssueAsync(command, cancellationToken);

        public Task<IssuedCoupon?> FindAsync(string couponId, CancellationToken cancellationToken) => ((ICouponStore)inner).FindAsync(couponId, cancellationToken);

        public Task<IReadOnlyList<IssuedCoupon>> ListByUserAsync(string userId, CancellationToken cancellationToken) => inner.ListByUserAsync(userId, cancellationToken);
    }

    /// <summary>A ledger whose refunds always fail, so that the claim hands them to the bus.</summary>
    private sealed class RefundFailingLedger(InMemoryPointsLedger inner) : IPointsLedger
    {
        public Task<bool> TryDeductAsync(string userId, long points, string idempotencyKey, CancellationToken cancellationToken) =>
            inner.TryDeductAsync(userId, points, idempotencyKey, cancellationToken);

        public Task RefundAsync(string userId, long points, string idempotencyKey, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("ledger down");
    }
}
