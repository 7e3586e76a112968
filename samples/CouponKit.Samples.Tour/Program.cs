using CouponKit.Samples;
using Spectre.Console;

var console = AnsiConsole.Console;

// Spectre assumes 80 columns when the output is redirected; honour COLUMNS so that `COLUMNS=140 dotnet run > tour.txt`
// keeps the wide layout.
if (Console.IsOutputRedirected && int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 0)
{
    console.Profile.Width = columns;
}

return Tour.Run(console);
