using CouponKit.Issuance;
using CouponKit.Messaging;

namespace CouponKit.Core.Tests.Issuance;

public class CouponTemplatesTests
{
    private static readonly string[] T1 = ["t1"];

    private readonly TestKit _kit = new();

    [Fact]
    public async Task CreateAsync_ValidDraft_CreatesDraftVersionOneWithFullStock()
    {
        var template = await _kit.Templates.CreateAsync(TestKit.Draft());

        Assert.Equal(("t1", TemplateState.Draft, 1L, Shop.Now, Shop.Now), (template.Id, template.State, template.Version, template.CreatedAt, template.UpdatedAt));
        Assert.Equal(new(100, 0), await _kit.Templates.GetStockAsync("t1"));
        Assert.Same(template, await _kit.Templates.GetAsync("t1"));
        var change = AssertChange(Assert.Single(_kit.Store.OutboxEntries).Message, "t1", 1, TemplateState.Draft);
        Assert.Equal("created", change.Change);
    }

    [Fact]
    public async Task CreateAsync_NoId_GeneratesOne()
    {
        var template = await _kit.Templates.CreateAsync(TestKit.Draft() with { Id = null });

        Assert.False(string.IsNullOrWhiteSpace(template.Id));
        Assert.Same(template, await _kit.Templates.GetAsync(template.Id));
    }

    [Fact]
    public async Task Lifecycle_ActivatePauseResumeEnd_RaisesVersionAndWritesOneChangeEach()
    {
        await _kit.Templates.CreateAsync(TestKit.Draft());
        _kit.Time.Advance(TimeSpan.FromMinutes(1));

        var active = await _kit.Templates.ActivateAsync("t1");
        var paused = await _kit.Templates.PauseAsync("t1");
        var resumed = await _kit.Templates.ResumeAsync("t1");
        var ended = await _kit.Templates.EndAsync("t1");

        Assert.Equal(
            [(TemplateState.Active, 2L), (TemplateState.Paused, 3L), (TemplateState.Active, 4L), (TemplateState.Ended, 5L)],
            new[] { active, paused, resumed, ended }.Select(t => (t.State, t.Version)));
        Assert.Equal(Shop.Now.AddMinutes(1), ended.UpdatedAt);
        Assert.Equal(Shop.Now, ended.CreatedAt);
        var messages = _kit.Store.OutboxEntries.Select(e => e.Message).ToArray();
        Assert.Equal(5, messages.Length);
        Assert.Equal(
            ["created", "activated", "paused", "resumed", "ended"],
            messages.Select((m, i) => AssertChange(m, "t1", i + 1, i switch { 0 => TemplateState.Draft, 2 => TemplateState.Paused, 4 => TemplateState.Ended, _ => TemplateState.Active }).Change));
        Assert.Equal(Enumerable.Range(1, 5).Select(v => $"template:t1:v{v}"), messages.Select(m => m.MessageId));
    }

    [Fact]
    public async Task EndAsync_DraftOrPaused_Ends()
    {
        await _kit.Templates.CreateAsync(TestKit.Draft("draft"));
        await _kit.ActiveAsync(TestKit.Draft("paused"));
        await _kit.Templates.PauseAsync("paused");

        Assert.Equal(TemplateState.Ended, (await _kit.Templates.EndAsync("draft")).State);
        Assert.Equal(TemplateState.Ended, (await _kit.Templates.EndAsync("paused")).State);
    }

    [Theory]
    [InlineData(TemplateState.Draft, "pause")]
    [InlineData(TemplateState.Draft, "resume")]
    [InlineData(TemplateState.Active, "activate")]
    [InlineData(TemplateState.Active, "resume")]
    [InlineData(TemplateState.Paused, "activate")]
    [InlineData(TemplateState.Paused, "pause")]
    [InlineData(TemplateState.Ended, "activate")]
    [InlineData(TemplateState.Ended, "pause")]
    [InlineData(TemplateState.Ended, "resume")]
    [InlineData(TemplateState.Ended, "end")]
    [InlineData(TemplateState.Ended, "edit")]
    public async Task Move_IllegalInState_ThrowsTemplateStateExceptionAndChangesNothing(TemplateState state, string operation)
    {
        await _kit.Templates.CreateAsync(TestKit.Draft());
        switch (state)
        {
            case TemplateState.Active:
                await _kit.Templates.ActivateAsync("t1");
                break;
            case TemplateState.Paused:
                await _kit.Templates.ActivateAsync("t1");
                await _kit.Templates.PauseAsync("t1");
                break;
            case TemplateState.Ended:
                await _kit.Templates.EndAsync("t1");
                break;
        }

        var before = await _kit.SnapshotAsync(T1);

        var error = await Assert.ThrowsAsync<TemplateStateException>(() => operation switch
        {
            "activate" => _kit.Templates.ActivateAsync("t1"),
            "pause" => _kit.Templates.PauseAsync("t1"),
            "resume" => _kit.Templates.ResumeAsync("t1"),
            "end" => _kit.Templates.EndAsync("t1"),
            _ => _kit.Templates.EditAsync("t1", new TemplateEdit { Name = "renamed" }),
        });

        Assert.Equal(("t1", state, "template_wrong_state"), (error.TemplateId, error.State, error.ErrorCode));
        await _kit.AssertUnchangedAsync(before, T1);
    }

    [Theory]
    [InlineData("inventory zero", "totalInventory")]
    [InlineData("inventory negative", "totalInventory")]
    [InlineData("inventory above the maximum", "totalInventory")]
    [InlineData("per-user limit zero", "perUserLimit")]
    [InlineData("per-user limit above the maximum", "perUserLimit")]
    [InlineData("claim end before start", "claimEndsAt")]
    [InlineData("claim end at start", "claimEndsAt")]
    [InlineData("coupons expire before claims open", "validity")]
    [InlineData("blank name", "name")]
    [InlineData("negative claim cost", "claimCostPoints")]
    [InlineData("no channel", "channels")]
    [InlineData("blank id", "id")]
    public async Task CreateAsync_InvalidDraft_ThrowsInvalidTemplateExceptionAndWritesNothing(string mistake, string field)
    {
        var draft = TestKit.Draft();
        draft = mistake switch
        {
            "inventory zero" => draft with { TotalInventory = 0 },
            "inventory negative" => draft with { TotalInventory = -5 },
            "inventory above the maximum" => draft with { TotalInventory = CouponTemplate.MaxInventory + 1 },
            "per-user limit zero" => draft with { PerUserLimit = 0 },
            "per-user limit above the maximum" => draft with { PerUserLimit = CouponTemplate.MaxPerUserLimit + 1 },
            "claim end before start" => draft with { ClaimStartsAt = Shop.Now.AddDays(2), ClaimEndsAt = Shop.Now.AddDays(1) },
            "claim end at start" => draft with { ClaimStartsAt = Shop.Now.AddDays(1), ClaimEndsAt = Shop.Now.AddDays(1) },
            "coupons expire before claims open" => draft with { ClaimStartsAt = Shop.Now.AddDays(5), Validity = CouponValidity.Between(Shop.Now, Shop.Now.AddDays(5)) },
            "blank name" => draft with { Name = "  " },
            "negative claim cost" => draft with { ClaimCostPoints = -1 },
            "no channel" => draft with { Channels = ClaimChannels.None },
            _ => draft with { Id = " " },
        };

        var error = await Assert.ThrowsAsync<InvalidTemplateException>(() => _kit.Templates.CreateAsync(draft));

        Assert.Equal((field, "invalid_template"), (error.Field, error.ErrorCode));
        Assert.Empty(_kit.Store.OutboxEntries);
        Assert.Null(await _kit.Store.FindAsync(draft.Id ?? "t1", CancellationToken.None));
    }

    [Fact]
    public void Between_ValidityEndsBeforeItStarts_ThrowsInvalidTemplateException()
    {
        var error = Assert.Throws<InvalidTemplateException>(() => CouponValidity.Between(Shop.Now, Shop.Now.AddTicks(-1)));
        Assert.Equal("validity", error.Field);
        Assert.Equal("validity", Assert.Throws<InvalidTemplateException>(() => CouponValidity.Between(Shop.Now, Shop.Now)).Field);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(3651)]
    public void ForDaysAfterClaim_OutOfRange_ThrowsInvalidTemplateException(int days) =>
        Assert.Equal("validity", Assert.Throws<InvalidTemplateException>(() => CouponValidity.ForDaysAfterClaim(days)).Field);

    [Fact]
    public async Task CreateAsync_IdTaken_ThrowsInvalidTemplateExceptionAndKeepsTheFirst()
    {
        var first = await _kit.Templates.CreateAsync(TestKit.Draft());
        var before = await _kit.SnapshotAsync(T1);

        var error = await Assert.ThrowsAsync<InvalidTemplateException>(() => _kit.Templates.CreateAsync(TestKit.Draft() with { Name = "other" }));

        Assert.Equal(("t1", "id"), (error.TemplateId, error.Field));
        Assert.Same(first, await _kit.Templates.GetAsync("t1"));
        await _kit.AssertUnchangedAsync(before, T1);
    }

    [Fact]
    public async Task EditAsync_SafeChanges_RaisesVersionAndWritesTheChange()
    {
        await _kit.ActiveAsync(TestKit.Draft());
        await _kit.IssueAsync("t1", "u1");
        var end = Shop.Now.AddDays(3);

        var edited = await _kit.Templates.EditAsync("t1", new TemplateEdit { Name = "20 off 200", TotalInventory = 150, ClaimEndsAt = end, PerUserLimit = 3 });

        Assert.Equal(("20 off 200", 150, end, 3, 3L, TemplateState.Active), (edited.Name, edited.TotalInventory, edited.ClaimEndsAt, edited.PerUserLimit, edited.Version, edited.State));
        Assert.Equal(new(150, 1), await _kit.Templates.GetStockAsync("t1"));
        var change = AssertChange(_kit.Outbox(CouponTopics.TemplateChanged)[^1], "t1", 3, TemplateState.Active);
        Assert.Equal("name, inventory 100 -> 150, claim end, per-user limit 1 -> 3", change.Change);
        Assert.Equal(150, change.TotalInventory);
    }

    [Fact]
    public async Task EditAsync_InventoryLoweredToIssued_Succeeds()
    {
        await _kit.ActiveAsync(TestKit.Draft());
        await _kit.IssueAsync("t1", "u1");
        await _kit.IssueAsync("t1", "u2");

        var edited = await _kit.Templates.EditAsync("t1", new TemplateEdit { TotalInventory = 2 });

        Assert.Equal(2, edited.TotalInventory);
        Assert.Equal(new(2, 2), await _kit.Templates.GetStockAsync("t1"));
        Assert.Equal(ClaimRejection.SoldOut, (await _kit.ClaimAsync("t1", "u3", "k3")).Rejection);
    }

    [Fact]
    public async Task EditAsync_PausedTemplate_IsAllowed()
    {
        await _kit.ActiveAsync(TestKit.Draft());
        await _kit.Templates.PauseAsync("t1");

        var edited = await _kit.Templates.EditAsync("t1", new TemplateEdit { Name = "renamed" });

        Assert.Equal(("renamed", TemplateState.Paused, 4L), (edited.Name, edited.State, edited.Version));
    }

    [Fact]
    public async Task EditAsync_NothingChanges_ReturnsCurrentAndWritesNothing()
    {
        var current = await _kit.ActiveAsync(TestKit.Draft());
        var before = await _kit.SnapshotAsync(T1);

        var edited = await _kit.Templates.EditAsync("t1", new TemplateEdit { Name = current.Name, TotalInventory = current.TotalInventory });

        Assert.Same(current, edited);
        await _kit.AssertUnchangedAsync(before, T1);
    }

    [Theory]
    [InlineData("inventory below issued", "totalInventory")]
    [InlineData("inventory zero", "totalInventory")]
    [InlineData("inventory negative", "totalInventory")]
    [InlineData("per-user limit zero", "perUserLimit")]
    [InlineData("claim end before start", "claimEndsAt")]
    [InlineData("blank name", "name")]
    public async Task EditAsync_InvalidChange_ThrowsInvalidTemplateExceptionAndChangesNothing(string mistake, string field)
    {
        await _kit.ActiveAsync(TestKit.Draft() with { ClaimStartsAt = Shop.Now });
        await _kit.IssueAsync("t1", "u1");
        await _kit.IssueAsync("t1", "u2");
        var before = await _kit.SnapshotAsync(T1);
        var edit = mistake switch
        {
            "inventory below issued" => new TemplateEdit { TotalInventory = 1 },
            "inventory zero" => new TemplateEdit { TotalInventory = 0 },
            "inventory negative" => new TemplateEdit { TotalInventory = -1 },
            "per-user limit zero" => new TemplateEdit { PerUserLimit = 0 },
            "claim end before start" => new TemplateEdit { ClaimEndsAt = Shop.Now.AddDays(-1) },
            _ => new TemplateEdit { Name = string.Empty },
        };

        var error = await Assert.ThrowsAsync<InvalidTemplateException>(() => _kit.Templates.EditAsync("t1", edit));

        Assert.Equal(("t1", field), (error.TemplateId, error.Field));
        await _kit.AssertUnchangedAsync(before, T1);
    }

    [Fact]
    public async Task Operations_UnknownTemplate_ThrowTemplateNotFoundException()
    {
        await _kit.Templates.CreateAsync(TestKit.Draft());
        var before = await _kit.SnapshotAsync(T1);
        var calls = new Func<Task>[]
        {
            () => _kit.Templates.GetAsync("nope"),
            () => _kit.Templates.GetStockAsync("nope"),
            () => _kit.Templates.ActivateAsync("nope"),
            () => _kit.Templates.PauseAsync("nope"),
            () => _kit.Templates.ResumeAsync("nope"),
            () => _kit.Templates.EndAsync("nope"),
            () => _kit.Templates.EditAsync("nope", new TemplateEdit { Name = "x" }),
        };

        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<TemplateNotFoundException>(call);
            Assert.Equal(("nope", "template_not_found"), (error.TemplateId, error.ErrorCode));
        }

        await _kit.AssertUnchangedAsync(before, T1);
    }

    [Fact]
    public async Task Operations_MalformedArguments_ThrowArgumentException()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => _kit.Templates.CreateAsync(null!));
        await Assert.ThrowsAsync<ArgumentException>(() => _kit.Templates.GetAsync(" "));
        await Assert.ThrowsAsync<ArgumentNullException>(() => _kit.Templates.ActivateAsync(null!));
        await Assert.ThrowsAsync<ArgumentException>(() => _kit.Templates.GetStockAsync(new string('x', 129)));
        await Assert.ThrowsAsync<ArgumentNullException>(() => _kit.Templates.EditAsync("t1", null!));
        Assert.Empty(_kit.Store.OutboxEntries);
    }

    private static CouponEvents.TemplateChange AssertChange(OutboxMessage message, string templateId, long version, TemplateState state)
    {
        Assert.Equal((CouponTopics.Coupon, CouponTopics.TemplateChanged, templateId, $"template:{templateId}:v{version}"), (message.Topic, message.Tag, message.Key, message.MessageId));
        var change = CouponEvents.Read<CouponEvents.TemplateChange>(message);
        Assert.Equal((templateId, version, state), (change.TemplateId, change.Version, change.State));
        return change;
    }
}
