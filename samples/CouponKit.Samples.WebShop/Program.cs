using CouponKit.Samples.WebShop;

var builder = WebApplication.CreateBuilder(args);
builder.AddWebShop();

var app = builder.Build();
app.UseWebShop();
await app.RunAsync().ConfigureAwait(false);

/// <summary>The web shop's entry point (public so that <c>WebApplicationFactory&lt;Program&gt;</c> can host it in tests).</summary>
public partial class Program;
