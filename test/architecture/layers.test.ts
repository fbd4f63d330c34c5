// The folder rules of docs/internals/architecture.md, read from the imports of every file under src/:
// which layer may import which, and which layers stay pure (no client library, no I/O, no clock).

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "../support/paths.js";

const SRC = path.join(REPO_ROOT, "src");

/** Layer → the layers it may import (besides itself). Top-level files are layers of their own. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  model: [],
  jetstream: ["model"],
  connection: ["model", "jetstream"],
  load: ["model", "jetstream", "package-root"],
  observe: ["model", "jetstream", "connection"],
  plan: ["model", "jetstream"],
  render: ["model", "jetstream"],
  apply: ["model", "jetstream", "connection"],
  export: ["model", "jetstream"],
  reconcile: [
    "model",
    "jetstream",
    "connection",
    "load",
    "observe",
    "plan",
    "render",
    "apply",
    "export",
    "version",
  ],
  cli: [
    "model",
    "jetstream",
    "connection",
    "load",
    "observe",
    "plan",
    "render",
    "apply",
    "export",
    "reconcile",
    "version",
    "package-root",
  ],
  index: [
    "model",
    "jetstream",
    "connection",
    "load",
    "observe",
    "plan",
    "render",
    "apply",
    "reconcile",
    "version",
  ],
  version: ["package-root"],
  "package-root": [],
};

/** Layers that are pure: no client library, no Node built-ins for I/O, no clock, no environment. */
const PURE = new Set(["model", "jetstream", "plan", "render", "export"]);
const IMPURE_TEXT = [
  /\bprocess\.env\b/,
  /\bDate\.now\(/,
  /\bnew Date\(\)/,
  /\bperformance\.now\(/,
  /\bMath\.random\(/,
];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(full));
    else if (e.name.endsWith(".ts")) out.push(full);
  }
  return out;
}

function layerOf(file: string): string {
  const rel = path.relative(SRC, file).split(path.sep);
  return rel.length === 1 ? rel[0]!.replace(/\.ts$/, "") : rel[0]!;
}

/** Every module specifier a file imports or re-exports, statically or with import(). */
function importsOf(text: string): string[] {
  const out: string[] = [];
  const re =
    /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)|(?:^|\n)\s*import\s+"([^"]+)"/g;
  for (const m of text.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

const files = sourceFiles(SRC);

describe("the import graph keeps the layers", () => {
  it("knows every layer under src/", () => {
    const unknown = [...new Set(files.map(layerOf))].filter((l) => !(l in MAY_IMPORT));
    assert.deepEqual(unknown, [], "add the new folder to MAY_IMPORT and to docs/internals/architecture.md");
  });
  for (const file of files) {
    const layer = layerOf(file);
    const rel = path.relative(REPO_ROOT, file);
    const text = readFileSync(file, "utf8");
    it(`${rel} imports only what ${layer} may`, () => {
      const wrong: string[] = [];
      for (const spec of importsOf(text)) {
        if (spec.startsWith(".")) {
          const target = layerOf(path.resolve(path.dirname(file), spec.replace(/\.js$/, ".ts")));
          if (target !== layer && !MAY_IMPORT[layer]?.includes(target)) wrong.push(`${spec} (${target})`);
        } else if (PURE.has(layer) && (spec.startsWith("@nats-io/") || spec.startsWith("node:"))) {
          wrong.push(`${spec} (the ${layer} layer is pure)`);
        }
      }
      if (PURE.has(layer))
        for (const re of IMPURE_TEXT) if (re.test(text)) wrong.push(`${re} (the clock or the environment)`);
      assert.deepEqual(wrong, []);
    });
  }
});
