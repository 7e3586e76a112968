namespace CouponKit; internal static class Placeholder { }
