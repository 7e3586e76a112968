using System.Diagnostics.Metrics;
using CouponKit.Issuance;
using CouponKit.Ports;
using CouponKit.Redemption;
using CouponKit.Rules;
using CouponKit.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CouponKit.Core.Tests.DependencyInjection;

public sealed class AddCouponKitTests
{
    [Fact]
    public void AddCouponKit_Defaults_ResolvesEngineServicesAndInMemoryPorts()
    {
        using var provider = new ServiceCollection().AddCouponKit().Services.BuildServiceProvider(validateScopes: true);

        Assert.NotNull(provider.GetRequiredService<QuoteEngine>());
        Assert.NotNull(provider.GetRequiredService<CouponTemplates>());
        Assert.NotNull(provider.GetRequiredService<CouponRedemptions>());
        Assert.Same(provider.GetRequiredService<ITemplateStore>(), provider.GetRequiredService<ICouponStore>());
        Assert.Equal(TimeSpan.FromMinutes(30), provider.GetRequiredService<IOptions<CouponKitOptions>>().Value.LockTimeout);
    }

    [Fact]
    public void AddCouponKit_CalledTwice_RegistersOnceAndAppliesBothConfigurations()
    {
        var services = new ServiceCollection();
        services.AddCouponKit(o => o.LockTimeout = TimeSpan.FromMinutes(10));
        var count = services.Count;
        services.AddCouponKit(o => o.ClaimsPerUser = 5);

        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<CouponKitOptions>>().Value;
        Assert.Equal((TimeSpan.FromMinutes(10), 5), (options.LockTimeout, options.ClaimsPerUser));
        Assert.True(services.Count - count <= 2, "the second call only adds its configuration");
        Assert.Single(services, d => d.ServiceType == typeof(CouponTemplates));
    }

    [Fact]
    public async Task HostedServices_StoppedAfterTheContainerDisposedThem_StopQuietly()
    {
        // WebApplicationFactory stops the host's services after its container disposed them: no service may throw then.
        var provider = new ServiceCollection().AddCouponKit().Services.BuildServiceProvider();
        var hosted = provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>().ToList();
        Assert.NotEmpty(hosted);
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        await provider.DisposeAsync();

        foreach (var service in hosted)
        {
            var stop = await Record.ExceptionAsync(() => service.StopAsync(CancellationToken.None));
            Assert.True(stop is null, $"{service.GetType().Name}.StopAsync after disposal threw {stop}");
        }
    }

    [Fact]
    public void AddCouponKit_InvalidOptions_FailsValidationWithClearMessage()
    {
        using var provider = new ServiceCollection().AddCouponKit(o => o.LockTimeout = TimeSpan.Zero).Services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<CouponKitOptions>>().Value);
        Assert.Contains("LockTimeout", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddCouponKit_InvalidOptions_StartupValidatorThrows()
    {
        using var provider = new ServiceCollection().AddCouponKit(o => o.ClaimsPerUser = 0).Services.BuildServiceProvider();

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
    }

    [Fact]
    public void AddCouponKit_PortRegisteredByAdapterFirst_IsKept()
    {
        var services = new ServiceCollection();
        var custom = new CouponKit.InMemory.InMemoryCouponKitStore();
        services.AddSingleton<ITemplateStore>(custom);
        services.AddCouponKit();

        using var provider = services.BuildServiceProvider();
        Assert.Same(custom, provider.GetRequiredService<ITemplateStore>());
    }

    [Fact]
    public void AddCouponKit_TimeProviderRegistered_IsUsed()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddCouponKit();

        using var provider = services.BuildServiceProvider();
        Assert.Same(clock, provider.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public async Task Redemption_Step_IsCountedOnTheCouponKitMeter()
    {
        using var provider = new ServiceCollection().AddCouponKit().Services.BuildServiceProvider();
        var redemptions = provider.GetRequiredService<CouponRedemptions>();
        var orderTag = "order-" + Guid.NewGuid().ToString("N");
        var measurements = new List<(string Instrument, long Value, string? Phase, string? Status)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == CouponKitDiagnostics.Name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? phase = null, status = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "couponkit.tcc.phase")
                {
                    phase = tag.Value as string;
                }
                else if (tag.Key == "couponkit.tcc.status")
                {
                    status = tag.Value as string;
                }
            }

            lock (measurements)
            {
                measurements.Add((instrument.Name, value, phase, status));
            }
        });
        listener.Start();

        var result = await redemptions.ConfirmAsync(orderTag, "user-1");

        Assert.Equal(RedemptionRefusal.NotLocked, result.Refusal);
        lock (measurements)
        {
            Assert.Contains(("couponkit.redemption.steps", 1L, "Confirm", "Refused"), measurements);
        }
    }
}

public sealed class CouponKitHealthCheckTests
{
    [Fact]
    public async Task HealthCheck_DeadLetterWaiting_ReportsDegraded()
    {
        var services = new ServiceCollection();
        services.AddCouponKit();
        services.AddHealthChecks().AddCouponKit();
        using var provider = services.BuildServiceProvider();
        var registration = provider.GetRequiredService<IOptions<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckServiceOptions>>().Value.Registrations.Single(r => r.Name == "couponkit");
        var check = registration.Factory(provider);
        var context = new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext { Registration = registration };

        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, (await check.CheckHealthAsync(context)).Status);

        var message = new CouponKit.Messaging.OutboxMessage("m1", "coupon", "Issued", "t1", "{}", DateTimeOffset.UnixEpoch);
        await provider.GetRequiredService<IDeadLetterStore>().AddAsync(new DeadLetter(message, "group", 16, "boom", DateTimeOffset.UnixEpoch), CancellationToken.None);

        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded, (await check.CheckHealthAsync(context)).Status);
    }
}
