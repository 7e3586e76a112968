using CouponKit.RocketMQ.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CouponKit.RocketMQ.Tests;

public sealed class RocketMQOptionsValidatorTests
{
    private static ValidateOptionsResult Validate(RocketMQOptions options) => new RocketMQOptionsValidator().Validate(Options.DefaultName, options);

    [Fact]
    public void Validate_DefaultsWithEndpoints_Succeeds()
    {
        var options = new RocketMQOptions { Endpoints = "10.0.0.1:8081;10.0.0.2:8081" };

        Assert.True(Validate(options).Succeeded);
        Assert.Equal(16, options.MaxDeliveryAttempts);
        Assert.Equal(TimeSpan.FromMinutes(30), options.DefaultDeliveryDelay);
        Assert.Equal(TimeSpan.FromSeconds(3), options.RequestTimeout);
    }

    [Fact]
    public void Validate_NoEndpoints_FailsWithClearMessage()
    {
        var result = Validate(new RocketMQOptions());

        Assert.True(result.Failed);
        Assert.Contains("Endpoints is required", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:8081;broker.example:8081")]
    public void Validate_MalformedEndpoints_Fails(string endpoints)
    {
        var result = Validate(new RocketMQOptions { Endpoints = endpoints });

        Assert.True(result.Failed);
        Assert.Contains("Endpoints", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AccessKeyWithoutSecret_Fails()
    {
        var result = Validate(new RocketMQOptions { Endpoints = "127.0.0.1:8081", AccessKey = "ak" });

        Assert.True(result.Failed);
        Assert.Contains("AccessKey and AccessSecret must be set together", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_OutOfRangeValues_ListsEachProblem()
    {
        var result = Validate(new RocketMQOptions
        {
            Endpoints = "127.0.0.1:8081",
            InvisibleDuration = TimeSpan.FromDays(1),
            MaxDeliveryAttempts = 0,
            ConsumerGroup = "bad group!",
        });

        Assert.True(result.Failed);
        Assert.Contains("InvisibleDuration", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("MaxDeliveryAttempts", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("ConsumerGroup", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void MessagingClient_InvalidOptions_ThrowsAtStartUp()
    {
        Assert.Throws<OptionsValidationException>(() => new MessagingClient(new RocketMQOptions(), TimeProvider.System, NullLogger.Instance));
    }
}
