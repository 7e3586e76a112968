using System.Reflection;
using System.Runtime.InteropServices;
using CouponKit.RocketMQ.Protocol.V2;

namespace CouponKit.RocketMQ.Protocol;

/// <summary>The <see cref="UA"/> announced in the client settings.</summary>
internal static class UserAgent
{
    public static UA Create() => new()
    {
        Language = Language.DotNet,
        Version = typeof(UserAgent).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
        Platform = RuntimeInformation.OSDescription,
        Hostname = Environment.MachineName,
    };
}
