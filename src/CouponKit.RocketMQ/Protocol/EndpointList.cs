using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using CouponKit.RocketMQ.Protocol.V2;

namespace CouponKit.RocketMQ.Protocol;

/// <summary>The parsed access points of <see cref="RocketMQOptions.Endpoints"/> (<c>host:port;host:port</c>).</summary>
internal sealed class EndpointList
{
    private EndpointList(IReadOnlyList<(string Host, int Port)> addresses, AddressScheme scheme)
    {
        Addresses = addresses;
        Scheme = scheme;
    }

    public IReadOnlyList<(string Host, int Port)> Addresses { get; }

    public AddressScheme Scheme { get; }

    /// <summary>Parses <paramref name="value"/>, or throws <see cref="ArgumentException"/> with the reason.</summary>
    public static EndpointList Parse(string value)
    {
        return TryParse(value, out var list, out var error) ? list : throw new ArgumentException(error, nameof(value));
    }

    /// <summary>Parses <paramref name="value"/>; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string? value, [NotNullWhen(true)] out EndpointList? list, [NotNullWhen(false)] out string? error)
    {
        list = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "no endpoint given.";
            return false;
        }

        var addresses = new List<(string, int)>();
        AddressScheme? scheme = null;
        foreach (var raw in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = raw.LastIndexOf(':');
            if (colon <= 0 || colon == raw.Length - 1)
            {
                error = $"'{raw}' is not of the form host:port.";
                return false;
            }

            var host = raw[..colon].Trim('[', ']');
            if (!int.TryParse(raw.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                error = $"'{raw}' has no valid port (1-65535).";
                return false;
            }

            var entryScheme = IPAddress.TryParse(host, out var ip)
                ? ip.AddressFamily == AddressFamily.InterNetworkV6 ? AddressScheme.Ipv6 : AddressScheme.Ipv4
                : AddressScheme.DomainName;
            if (scheme is { } known && known != entryScheme)
            {
                error = "all endpoints must be of one kind (all IPv4, all IPv6 or all domain names).";
                return false;
            }

            if (entryScheme == AddressScheme.DomainName && addresses.Count > 0)
            {
                error = "only one domain-name endpoint may be given.";
                return false;
            }

            scheme = entryScheme;
            addresses.Add((host, port));
        }

        if (addresses.Count == 0 || scheme is null)
        {
            error = "no endpoint given.";
            return false;
        }

        list = new EndpointList(addresses, scheme.Value);
        error = null;
        return true;
    }

    /// <summary>The first access point as a gRPC address.</summary>
    public Uri ToUri(bool useTls)
    {
        var (host, port) = Addresses[0];
        var hostPart = Scheme == AddressScheme.Ipv6 ? $"[{host}]" : host;
        return new Uri(string.Create(CultureInfo.InvariantCulture, $"{(useTls ? "https" : "http")}://{hostPart}:{port}"));
    }

    /// <summary>The access points as the protocol's <see cref="Endpoints"/> message.</summary>
    public Endpoints ToProtobuf()
    {
        var endpoints = new Endpoints { Scheme = Scheme };
        foreach (var (host, port) in Addresses)
        {
            endpoints.Addresses.Add(new Address { Host = host, Port = port });
        }

        return endpoints;
    }
}
