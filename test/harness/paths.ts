// Where the harness finds the provisioned binaries and keeps logs: relative to the repository root, which is
// found by walking up from this file so the same code works from test/harness/ and dist/test/harness/.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

export function repoRoot(): string {
  if (root !== undefined) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name === "jsplan") {
          root = dir;
          return dir;
        }
      } catch {
        // not ours: keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error("test harness: cannot find the jsplan repository root (package.json)");
    }
    dir = parent;
  }
}

/** `.cache/nats-server/`, filled by scripts/install-nats-server.sh. */
export function serverCacheDir(): string {
  return path.join(repoRoot(), ".cache", "nats-server");
}

/** `test-logs/` (git-ignored): server logs of failed tests. */
export function testLogsDir(): string {
  return path.join(repoRoot(), "test-logs");
}
