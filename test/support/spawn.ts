// The real jsplan binary as a child process, for what only a process shows: signals, exit codes, output
// as it comes.

import { spawn } from "node:child_process";
import path from "node:path";
import { REPO_ROOT } from "./paths.js";

const BIN = path.join(REPO_ROOT, "bin/jsplan.js");

export function bigManifest(streams: number, consumers: number): string {
  const lines = ["version: 1", "owner: big", "streams:"];
  for (let i = 0; i < streams; i++) {
    lines.push(`  - name: B${i}`, `    subjects: ["b${i}.>"]`, "    consumers:");
    for (let j = 0; j < consumers; j++) lines.push(`      - name: c${j}`, "        ack_policy: explicit");
  }
  return `${lines.join("\n")}\n`;
}

/** Runs the real jsplan binary; resolves with its output once it exits. `onStderr` sees output as it comes. */
export function spawnJsplan(
  args: string[],
  input: string,
  onStderr?: (text: string, child: ReturnType<typeof spawn>) => void,
  env: Record<string, string> = {},
) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, CI: "1", NO_COLOR: "1", NATS_CONTEXT: "", ...env },
  });
  let stdout = "";
  let stderr = "";
  // Decode as a stream: a chunk boundary can split a multi-byte character such as ✓.
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
    onStderr?.(stderr, child);
  });
  child.stdin.end(input);
  const started = performance.now();
  return new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>((resolve) => {
    // "close", not "exit": only then has all of the output been read.
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}
