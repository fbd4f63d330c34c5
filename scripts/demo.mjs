#!/usr/bin/env node
// `npm run demo`: a throw-away local JetStream server, then what a platform team does with jsplan on
// examples/streams.yaml: validate, plan, apply, a change made by hand behind jsplan's back, and plan again.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const jsplan = path.join(root, "bin", "jsplan.js");
const manifest = "examples/streams.yaml";

function step(title) {
  console.log(`\n\u001b[1m━━ ${title}\u001b[0m`);
}

function show(args, env = {}) {
  console.log(`\u001b[2m$ jsplan ${args.join(" ")}\u001b[0m`);
  const r = spawnSync(process.execPath, [jsplan, ...args], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, ...env },
  });
  return r.status;
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

const install = spawnSync("bash", [path.join(root, "scripts", "install-nats-server.sh"), "--line", "2.15"], {
  cwd: root,
  stdio: ["ignore", "ignore", "inherit"],
});
if (install.status !== 0) process.exit(install.status ?? 1);
const binary = path.join(root, ".cache", "nats-server", "2.15", "nats-server");
const port = await freePort();
const dir = mkdtempSync(path.join(os.tmpdir(), "jsplan-demo-"));
const server = spawn(binary, ["-js", "-sd", path.join(dir, "store"), "-a", "127.0.0.1", "-p", String(port)], {
  stdio: "ignore",
});
const url = `nats://127.0.0.1:${port}`;
let cleaned = false;
const cleanup = () => {
  cleaned = true;
  server.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
};
process.on("exit", () => {
  if (!cleaned) cleanup();
});
process.on("SIGINT", () => process.exit(130));

// Wait until the server accepts connections.
for (let i = 0; ; i++) {
  const ok = await new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1", () => {
      s.end();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
  if (ok) break;
  if (i > 100) {
    console.error("demo: the nats-server did not start");
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 50));
}
const env = { NATS_URL: url, NATS_CONTEXT: "" };
console.log(`A throw-away nats-server (JetStream) is running at ${url}.`);

// Each step's expected exit code; the demo fails loudly if jsplan does not behave as shown.
const failures = [];
function expect(code, want, what) {
  if (code !== want) failures.push(`${what}: exit code ${code}, expected ${want}`);
}

step("1. Validate the manifest (offline, as a pull-request check would)");
expect(show(["validate", manifest], env), 0, "validate");

step("2. Plan against the empty server");
expect(show(["plan", manifest], env), 0, "plan");

step("3. Apply");
expect(show(["apply", manifest, "--auto-approve"], env), 0, "apply");

step("4. Plan again: the server matches the manifest");
expect(show(["plan", manifest, "--detailed-exitcode"], env), 0, "plan after apply");

step("5. Someone changes a stream by hand (max_age 30d → 1d, description removed)");
const { connect } = await import("@nats-io/transport-node");
const nc = await connect({ servers: url });
const info = JSON.parse((await nc.request("$JS.API.STREAM.INFO.ORDERS")).string());
const changed = { ...info.config, max_age: 24 * 3600 * 1e9 };
delete changed.description;
const r = JSON.parse((await nc.request("$JS.API.STREAM.UPDATE.ORDERS", JSON.stringify(changed))).string());
if (r.error) console.error(r.error);
await nc.close();
console.log("done, with the nats client");

step("6. Plan shows exactly that drift (exit code 2 with --detailed-exitcode)");
const code = show(["plan", manifest, "--detailed-exitcode"], env);
console.log(`\u001b[2m(exit code ${code})\u001b[0m`);
expect(code, 2, "plan with drift");

step("7. Apply puts it back");
expect(show(["apply", manifest, "--auto-approve", "--quiet"], env), 0, "apply after drift");
expect(show(["plan", manifest, "--detailed-exitcode"], env), 0, "plan after the second apply");

cleanup();
if (failures.length > 0) {
  console.error(`\ndemo: jsplan did not behave as shown:\n  ${failures.join("\n  ")}`);
  process.exit(1);
}
console.log("\nThe server is gone again. Next: edit examples/streams.yaml and run the demo, or read docs/.");
process.exit(0);
