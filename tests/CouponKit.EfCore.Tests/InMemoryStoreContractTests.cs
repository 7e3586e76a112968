using CouponKit.InMemory;

namespace CouponKit.EfCore.Tests;

/// <summary>The store contract on the reference: <see cref="InMemoryCouponKitStore"/>.</summary>
public sealed class InMemoryStoreContractTests : StoreContractTests
{
    protected override StoreUnderTest CreateStore() => StoreUnderTest.Of(new InMemoryCouponKitStore());
}
