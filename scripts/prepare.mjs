#!/usr/bin/env node
// `prepare`: what npm runs after `npm install` in a checkout, and when it installs jsplan from git
// (`npm install -g git+https://…`, a `github:` spec, pre-commit's hook repository). It builds dist/.
//
// For a git install npm clones the repository and runs `npm install --include=dev` there, but with
// `npm install -g` the `npm_config_global=true` of the outer command leaks into that inner install: the
// clone's dependencies go to the global prefix, none to the clone's node_modules, and the build fails
// with `tsc: not found` (npm 10 and 11). So when TypeScript is not where the build needs it, install the
// dependencies here, into the clone, as a project install; then build.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, lstatSync, realpathSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");

function run(command, args, env = process.env) {
  const r = spawnSync(command, args, { cwd: root, stdio: "inherit", env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// The same leak makes npm's inner install link the clone itself into the global prefix, and the outer
// install then writes the package through that link into the clone, which npm deletes right after: a
// dangling link is all that stays. After the build, put a real copy of the package where the link is.
function replaceLeakedGlobalLink() {
  const prefix = process.env.npm_config_prefix;
  if (process.env.npm_config_global !== "true" || !prefix) return;
  const lib = process.platform === "win32" ? "node_modules" : path.join("lib", "node_modules");
  const link = path.join(prefix, lib, "jsplan");
  try {
    if (!lstatSync(link).isSymbolicLink() || realpathSync(link) !== realpathSync(root)) return;
  } catch {
    return; // no link: nothing to undo
  }
  const copy = `${link}.jsplan-prepare`;
  rmSync(copy, { recursive: true, force: true });
  cpSync(root, copy, {
    recursive: true,
    filter: (src) => !/[\\/](node_modules|\.git)$/.test(src),
  });
  rmSync(link);
  renameSync(copy, link);
}

if (!existsSync(tsc)) {
  const env = { ...process.env, npm_config_global: "false", npm_config_location: "project" };
  for (const key of Object.keys(env)) if (/^npm_config_(prefix|global_prefix)$/i.test(key)) delete env[key];
  const npm = process.env.npm_execpath;
  const [cmd, args] = npm ? [process.execPath, [npm]] : ["npm", []];
  run(cmd, [...args, "install", "--include=dev", "--ignore-scripts", "--no-save", "--no-audit", "--no-fund"], env);
}
run(process.execPath, [tsc, "-p", "tsconfig.json"]);
run(process.execPath, [path.join(root, "scripts", "compile-schema.mjs")]);
replaceLeakedGlobalLink();
