using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;

namespace CouponKit.Packaging.Tests;

/// <summary>
/// Packs the four libraries into a local folder and builds a consumer project against the packages (not project references),
/// proving that they restore and work as a shop would use them: README, XML docs, license and symbols included.
/// </summary>
public sealed class PackAndConsumeTests : IDisposable
{
    private const string Version = "0.0.0-packtest.1";
    private static readonly string[] Packages = ["CouponKit.Core", "CouponKit.EfCore", "CouponKit.Redis", "CouponKit.RocketMQ"];
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(10);
    private readonly string _work = Directory.CreateTempSubdirectory("couponkit-pack-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // Something still holds a file: the temporary folder is the OS's to clean.
        }
    }

    [Fact]
    public async Task PackedLibraries_RestoreAndRunInAConsumerProject()
    {
        var root = RepositoryRoot();
        var feed = Directory.CreateDirectory(Path.Combine(_work, "feed")).FullName;
        var artifacts = Path.Combine(_work, "artifacts");
        foreach (var package in Packages)
        {
            await DotNet.RunAsync(root, null, StepTimeout, "pack", Path.Combine(root, "src", package, package + ".csproj"), "-c", "Release", "-o", feed, "--artifacts-path", artifacts, "--disable-build-servers", "-nodeReuse:false", $"-p:Version={Version}");
        }

        foreach (var package in Packages)
        {
            AssertPackage(feed, package);
        }

        var output = await ConsumeAsync(feed);

        Assert.Contains("CONSUMER-OK issued=True remaining=9", output, StringComparison.Ordinal);
    }

    private static void AssertPackage(string feed, string package)
    {
        var nupkg = Path.Combine(feed, $"{package}.{Version}.nupkg");
        var snupkg = Path.Combine(feed, $"{package}.{Version}.snupkg");
        Assert.True(File.Exists(nupkg), $"{nupkg} is missing");
        Assert.True(File.Exists(snupkg), $"{snupkg} is missing");

        using (var zip = ZipFile.OpenRead(nupkg))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToArray();
            Assert.Contains("README.md", entries);
            var dlls = entries.Where(e => e.StartsWith("lib/", StringComparison.Ordinal) && e.EndsWith($"/{package}.dll", StringComparison.Ordinal)).ToArray();
            Assert.NotEmpty(dlls);
            foreach (var dll in dlls)
            {
                Assert.Contains(dll[..^4] + ".xml", entries);
            }

            using var nuspecStream = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
            var metadata = XDocument.Load(nuspecStream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            var license = metadata.Elements().Single(e => e.Name.LocalName == "license");
            Assert.Equal("expression", license.Attribute("type")?.Value);
            Assert.Equal("MIT", license.Value);
            Assert.Equal("README.md", metadata.Elements().Single(e => e.Name.LocalName == "readme").Value);
            Assert.False(string.IsNullOrWhiteSpace(metadata.Elements().Single(e => e.Name.LocalName == "description").Value));
        }

        using var symbols = ZipFile.OpenRead(snupkg);
        Assert.Contains(symbols.Entries, e => e.FullName.EndsWith($"/{package}.pdb", StringComparison.Ordinal));
    }

    private async Task<string> ConsumeAsync(string feed)
    {
        var consumer = Directory.CreateDirectory(Path.Combine(_work, "consumer")).FullName;

        // The consumer restores from the local feed plus the machine's own package sources; CouponKit's packages land in a
        // packages folder of this test (so a stale copy of the same version is never used), everything else comes from the
        // machine's global packages folder as a fallback, without downloading it again.
        var sources = (await DotNet.RunAsync(consumer, null, StepTimeout, "nuget", "list", "source", "--format", "short"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.StartsWith("E ", StringComparison.Ordinal))
            .Select(line => line[2..].Trim())
            .ToList();
        var globalFolder = (await DotNet.RunAsync(consumer, null, StepTimeout, "nuget", "locals", "global-packages", "--list")).Trim();
        globalFolder = globalFolder[(globalFolder.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        var config = new XElement(
            "configuration",
            new XElement("packageSources", new XElement("clear"), new XElement("add", new XAttribute("key", "local"), new XAttribute("value", feed)), sources.Select((s, i) => new XElement("add", new XAttribute("key", $"source{i}"), new XAttribute("value", s)))),
            new XElement("fallbackPackageFolders", new XElement("add", new XAttribute("key", "machine"), new XAttribute("value", globalFolder))));
        File.WriteAllText(Path.Combine(consumer, "nuget.config"), new XDocument(config).ToString());
        File.WriteAllText(Path.Combine(consumer, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(consumer, "Directory.Packages.props"), "<Project />");
        File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <NuGetAudit>false</NuGetAudit>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="CouponKit.Core" Version="{Version}" />
                <PackageReference Include="CouponKit.EfCore" Version="{Version}" />
                <PackageReference Include="Microsoft.EntityFrameworkCore.Sqlite" Version="10.0.15" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(consumer, "Program.cs"), """
            using CouponKit;
            using CouponKit.EfCore;
            using CouponKit.Issuance;
            using CouponKit.Rules;
            using Microsoft.EntityFrameworkCore;
            using Microsoft.Extensions.DependencyInjection;

            var services = new ServiceCollection();
            services.AddDbContextFactory<CouponKitDbContext>(o => o.UseSqlite($"Data Source={args[0]}"));
            services.AddCouponKit().UseEntityFrameworkCore<CouponKitDbContext>();
            await using var provider = services.BuildServiceProvider();
            await using (var db = await provider.GetRequiredService<IDbContextFactory<CouponKitDbContext>>().CreateDbContextAsync())
            {
                await db.Database.EnsureCreatedAsync();
            }

            var templates = provider.GetRequiredService<CouponTemplates>();
            await templates.CreateAsync(new TemplateDraft
            {
                Id = "t-1111",
                Name = "30 off 199",
                Rule = new ThresholdRebateRule(Threshold.Spend(Money.Of(199m, "CNY")), Money.Of(30m, "CNY")),
                TotalInventory = 10,
                Validity = CouponValidity.ForDaysAfterClaim(7),
            });
            await templates.ActivateAsync("t-1111");
            var claim = await provider.GetRequiredService<CouponClaims>().ClaimAsync(new ClaimRequest { TemplateId = "t-1111", User = new UserProfile("user-42"), IdempotencyKey = "req-1" });
            var stock = await templates.GetStockAsync("t-1111");
            Console.WriteLine($"CONSUMER-OK issued={claim.IsIssued} remaining={stock.Remaining}");
            """);

        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(_work, "packages") };
        return await DotNet.RunAsync(consumer, environment, StepTimeout, "run", "--project", Path.Combine(consumer, "Consumer.csproj"), "--disable-build-servers", "--", Path.Combine(_work, "consumer.db"));
    }

    private static string RepositoryRoot()
    {
        var root = typeof(PackAndConsumeTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;
        Assert.True(File.Exists(Path.Combine(root, "Directory.Build.props")), $"{root} is not the repository root");
        return root;
    }
}
