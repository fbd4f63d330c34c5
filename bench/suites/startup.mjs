// `jsplan --version`: the cost of starting the CLI at all, against a bare `node -e 0`.
import { jsplanBin, median, timeCommand } from "../lib.mjs";

export async function run({ runs }) {
  const version = timeCommand(process.execPath, [jsplanBin, "--version"], { runs: runs * 3 });
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
  ];
}
