#!/usr/bin/env node
// Part of `npm run build`: bundles the compiled CLI (dist/src/cli/main.js and everything it imports of ours)
// into dist/cli/, so that a command loads a handful of files instead of about 130 modules: resolving and
// reading them was about a third of the start-up of `jsplan validate` and `jsplan plan`. Each command's
// module stays a chunk of its own, loaded only when that command runs; packages from node_modules are
// not bundled. bin/jsplan.js runs the bundle when it is there and dist/src/cli/main.js otherwise.
import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outdir = path.join(root, "dist", "cli");
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [path.join(root, "dist", "src", "cli", "main.js")],
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  chunkNames: "chunk-[hash]",
  logLevel: "warning",
});
