// Start-up, against a bare `node -e 0`: `jsplan --version` (which answers before the argument parser is
// loaded), and `jsplan validate --help`, the cost every command pays to reach its own code (yargs).
import { jsplanBin, median, timeCommand } from "../lib.mjs";

export async function run({ runs }) {
  const version = timeCommand(process.execPath, [jsplanBin, "--version"], { runs: runs * 3 });
  const help = timeCommand(process.execPath, [jsplanBin, "validate", "--help"], { runs: runs * 3 });
  const bare = timeCommand(process.execPath, ["-e", "0"], { runs: runs * 3 });
  const m = median(version);
  return [
    {
      name: "start-up (jsplan --version)",
      median: m,
      baseline: "node -e 0",
      baselineMedian: median(bare),
      peakMb: version.peakMb,
      goal: "< 150 ms",
      met: m < 150,
    },
    {
      name: "start-up with the argument parser (jsplan validate --help)",
      median: median(help),
      baseline: "node -e 0",
      baselineMedian: median(bare),
      peakMb: help.peakMb,
    },
  ];
}
