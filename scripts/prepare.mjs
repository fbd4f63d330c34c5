#!/usr/bin/env node
// `prepare`: what npm runs after `npm install` in a checkout, and when it installs jsplan from git
// (`npm install -g git+https://…`, a `github:` spec, pre-commit's hook repository). It builds dist/.
//
// The dependencies are not always where the build needs them: pre-commit installs a hook repository with
// `npm_config_prefix` set to its environment, and npm then puts the clone's dependencies there, not in
// its node_modules, so the build failed with `tsc: not found`. When TypeScript is missing, install the
// dependencies into this folder as a project install (prefix and global cleared), then build.
// (`npm install -g git+…` is broken by npm itself: the `npm_config_global=true` of the outer command leaks
// into its inner install of the clone, which links the clone globally and leaves a dangling link. Use
// `npm pack git+…` and install the tarball; see docs/how-to/install.md.)
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");

function run(command, args, env = process.env) {
  const r = spawnSync(command, args, { cwd: root, stdio: "inherit", env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!existsSync(tsc)) {
  const env = { ...process.env, npm_config_global: "false", npm_config_location: "project" };
  for (const key of Object.keys(env)) if (/^npm_config_(prefix|global_prefix)$/i.test(key)) delete env[key];
  const npm = process.env.npm_execpath;
  const [cmd, args] = npm ? [process.execPath, [npm]] : ["npm", []];
  run(
    cmd,
    [...args, "install", "--include=dev", "--ignore-scripts", "--no-save", "--no-audit", "--no-fund"],
    env,
  );
}
run(process.execPath, [tsc, "-p", "tsconfig.json"]);
run(process.execPath, [path.join(root, "scripts", "compile-schema.mjs")]);
// The bundled CLI starts faster; bin/jsplan.js falls back to dist/src when esbuild could not be installed.
if (existsSync(path.join(root, "node_modules", "esbuild"))) {
  run(process.execPath, [path.join(root, "scripts", "bundle-cli.mjs")]);
}
