using BenchmarkDotNet.Running;
using CouponKit.Benchmarks;

// dotnet run -c Release --project bench/CouponKit.Benchmarks -- --filter '*'   the recorded run (default job)
//   --explain   print what the benchmark quotes and exit
//   --profile   a Stopwatch breakdown of where a quote spends its time, and exit
//   --smoke     a quick run with BenchmarkDotNet's short job (figures not for the record)
if (args.Contains("--explain"))
{
    Explain.Print(Console.Out);
    return 0;
}

if (args.Contains("--profile"))
{
    PhaseProfile.Run(Console.Out);
    return 0;
}

Explain.Print(Console.Out);
var rest = args.Where(a => a != "--smoke").ToList();
if (args.Contains("--smoke"))
{
    rest.AddRange(["--job", "short"]);
}

var summaries = BenchmarkSwitcher.FromAssembly(typeof(QuoteBenchmarks).Assembly).Run([.. rest]);
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
