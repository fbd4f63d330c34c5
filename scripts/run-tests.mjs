#!/usr/bin/env node
// The body of `npm test`:
//   1. build (tsc), unless --no-build;
//   2. provision the nats-server binaries (scripts/install-nats-server.sh, quick when cached);
//   3. kill nats-servers left behind by an earlier, killed test run;
//   4. run every dist/test/**/*.test.js with `node --test`, streaming its output and exiting with its code.
//
// Usage: node scripts/run-tests.mjs [--no-build] [--test-name-pattern=RE]... [--test-*...] [FILTER...]
//   FILTER            run only test files whose path contains one of these substrings
//   --test-*          passed to node (e.g. --test-name-pattern, --test-only, --test-reporter=tap)
// Environment: JSPLAN_TEST_CONCURRENCY (test files run at once, default 4), JSPLAN_TEST_SERVERS (2.10,2.15).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const distTests = path.join(root, "dist", "test");

function fail(message, code = 1) {
  console.error(`run-tests: ${message}`);
  process.exit(code);
}

function parseArgs(argv) {
  const opts = { build: true, nodeArgs: [], filters: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--no-build") opts.build = false;
    else if (arg === "-h" || arg === "--help") {
      console.log(
        "Usage: node scripts/run-tests.mjs [--no-build] [--test-name-pattern=RE]... [--test-*...] [FILTER...]",
      );
      process.exit(0);
    } else if (arg.startsWith("--test-")) {
      // Value-taking node flags may come as two arguments.
      const takesValue = /^--test-(name-pattern|skip-pattern|reporter|reporter-destination|timeout|shard)$/;
      if (takesValue.test(arg)) {
        if (i + 1 >= argv.length) fail(`${arg} needs a value`);
        opts.nodeArgs.push(`${arg}=${argv[++i]}`);
      } else opts.nodeArgs.push(arg);
    } else if (arg.startsWith("-")) fail(`unknown option ${arg} (see --help)`);
    else opts.filters.push(arg);
  }
  return opts;
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  if (result.error) fail(`cannot run ${command}: ${result.error.message}`);
  return result.status ?? 1;
}

/** dist/test/**\/*.test.js whose source test/**\/*.test.ts still exists (tsc never deletes stale outputs). */
function testFiles(dir) {
  const found = [];
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...testFiles(full));
    else if (entry.isFile() && entry.name.endsWith(".test.js")) {
      const source = path.join(root, path.relative(path.join(root, "dist"), full)).replace(/\.js$/, ".ts");
      if (existsSync(source)) found.push(full);
    }
  }
  return found.sort();
}

const opts = parseArgs(process.argv.slice(2));

if (opts.build) {
  const code = run("npm", ["run", "--silent", "build"]);
  if (code !== 0) fail(`build failed (exit code ${code})`, code);
}

// Provision only the requested lines, when some are requested.
const lineArgs = (process.env.JSPLAN_TEST_SERVERS ?? "")
  .split(",")
  .map((s) => s.trim())
  .filter((s) => s !== "")
  .flatMap((line) => ["--line", line]);
const installCode = run("bash", [path.join(root, "scripts", "install-nats-server.sh"), ...lineArgs]);
if (installCode !== 0) fail(`provisioning nats-server failed (exit code ${installCode})`, installCode);

const reaper = path.join(distTests, "harness", "reaper.js");
if (existsSync(reaper)) {
  const { reapStaleServers } = await import(pathToFileURL(reaper).href);
  const killed = reapStaleServers();
  if (killed.length > 0) {
    console.error(`run-tests: killed ${killed.length} stale nats-server(s): ${killed.join(" ")}`);
  }
}

const files = testFiles(distTests).filter(
  (f) => opts.filters.length === 0 || opts.filters.some((filter) => path.relative(root, f).includes(filter)),
);
if (files.length === 0) {
  fail(
    opts.filters.length > 0
      ? `no test file in dist/test matches ${opts.filters.join(", ")}`
      : "no test files in dist/test (did the build run?)",
  );
}

const concurrency = Number(process.env.JSPLAN_TEST_CONCURRENCY ?? 4);
if (!Number.isInteger(concurrency) || concurrency < 1) {
  fail(`JSPLAN_TEST_CONCURRENCY must be a positive integer, not ${process.env.JSPLAN_TEST_CONCURRENCY}`);
}

// The runner gets its own process group, so a signal to us reaches it, its test processes and their servers
// at once (each test process then tears its servers down).
const child = spawn(
  process.execPath,
  [
    "--test",
    `--test-concurrency=${concurrency}`,
    ...opts.nodeArgs,
    ...files.map((f) => path.relative(root, f)),
  ],
  { cwd: root, stdio: "inherit", detached: process.platform !== "win32" },
);
const forward = (signal) => {
  try {
    if (process.platform === "win32") child.kill(signal);
    else process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
};
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => forward(signal));

child.on("error", (err) => fail(`cannot run node --test: ${err.message}`));
child.on("exit", (code, signal) => {
  const signals = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15, SIGKILL: 9 };
  process.exit(code ?? 128 + (signals[signal] ?? 1));
});
