using CouponKit.InMemory;
using CouponKit.Ports;

namespace CouponKit.EfCore.Tests;

/// <summary>
/// <see cref="IProductDiscountHistory"/> on every store (the in-memory reference is <see cref="InMemoryProductDiscountHistory"/>,
/// a port of its own).
/// </summary>
public abstract partial class StoreContractTests
{
    private IProductDiscountHistory? _products;

    private IProductDiscountHistory Products => _products ??= Store.Coupons as IProductDiscountHistory ?? new InMemoryProductDiscountHistory();

    [Fact]
    public async Task ProductDiscounts_TakeConflictRetakeRelease()
    {
        var taken = await Products.TryTakeAsync("u1", "o1", [new("t1", ["SKU-A", "SKU-B"]), new("t2", ["SKU-A"])], default);
        var again = await Products.TryTakeAsync("u1", "o1", [new("t1", ["SKU-A", "SKU-B"])], default);
        var conflict = await Products.TryTakeAsync("u1", "o2", [new("t1", ["SKU-C"]), new("t2", ["SKU-A", "SKU-D"])], default);
        var otherUser = await Products.TryTakeAsync("u2", "o3", [new("t1", ["SKU-A"])], default);

        Assert.Null(taken);
        Assert.Null(again);
        Assert.Equal(new ProductDiscountConflict("t2", "SKU-A"), conflict);
        Assert.Null(otherUser);
        Assert.Equal(["SKU-A", "SKU-B"], (await Products.ListDiscountedAsync("u1", "t1", default)).Order(StringComparer.Ordinal));
        Assert.Equal(["SKU-A"], await Products.ListDiscountedAsync("u1", "t2", default)); // the refused take changed nothing

        await Products.ReleaseAsync("u1", "o1", default);
        await Products.ReleaseAsync("u1", "o-none", default);

        Assert.Empty(await Products.ListDiscountedAsync("u1", "t1", default));
        Assert.Null(await Products.TryTakeAsync("u1", "o2", [new("t2", ["SKU-A", "SKU-D"])], default));
        Assert.Equal(["SKU-A"], await Products.ListDiscountedAsync("u2", "t1", default));
    }

    [Fact]
    public async Task ProductDiscounts_16ConcurrentOrdersOnOneProduct_OneTakesIt()
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() =>
            Products.TryTakeAsync("u1", $"o{i}", [new("t1", ["SKU-A", $"SKU-{i}"])], default))));

        Assert.Equal(1, outcomes.Count(o => o is null));
        Assert.All(outcomes.Where(o => o is not null), o => Assert.Equal(new ProductDiscountConflict("t1", "SKU-A"), o));
        Assert.Equal(2, (await Products.ListDiscountedAsync("u1", "t1", default)).Count);
    }
}
