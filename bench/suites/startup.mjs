// Start-up, against a bare `node -e 0`: `jsplan --version`; `jsplan validate --help` (the argument parser and
// its help text); `jsplan validate` of a small manifest (examples/streams.yaml), what a pre-commit hook pays;
// and `jsplan plan` of the same manifest against a local server, what a CI job pays per run.
import path from "node:path";
import { jsplanBin, median, root, timeInTurn } from "../lib.mjs";
import { startBenchServer } from "../server.mjs";

const env = { ...process.env, NATS_CONTEXT: "", NATS_URL: "", CI: "1" };

export async function run({ runs }) {
  const example = path.join(root, "examples", "streams.yaml");
  const server = await startBenchServer();
  try {
    const node = process.execPath;
    // All in turn, run after run: on a shared machine, a ratio of medians taken minutes apart means little.
    const [bare, version, help, validate, plan] = timeInTurn(
      [
        [node, ["-e", "0"]],
        [node, [jsplanBin, "--version"]],
        [node, [jsplanBin, "validate", "--help"]],
        [node, [jsplanBin, "validate", example]],
        [node, [jsplanBin, "plan", example, "-s", server.url], { env }],
      ],
      { runs: runs * 3 },
    );
    const row = (name, t, goal) => ({
      name,
      median: median(t),
      baseline: "node -e 0",
      baselineMedian: median(bare),
      peakMb: t.peakMb,
      ...(goal ? { goal: `≤ ${goal}×`, met: median(t) <= goal * median(bare) } : {}),
    });
    return [
      row("start-up (jsplan --version)", version),
      row("start-up with the argument parser (jsplan validate --help)", help),
      row("validate examples/streams.yaml", validate, 1.6),
      row("plan examples/streams.yaml, local server", plan, 2.5),
    ];
  } finally {
    server.stop();
  }
}
