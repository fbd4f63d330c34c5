// A throw-away nats-server for the benchmarks (the newest provisioned line), on a free loopback port.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { root } from "./lib.mjs";

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

// Servers still running when the benchmark exits (it failed, or was interrupted) are killed then.
const live = new Set();
process.on("exit", () => {
  for (const stop of [...live]) stop();
});

export async function startBenchServer(line = "2.15", extraArgs = []) {
  const install = spawnSync("bash", [path.join(root, "scripts/install-nats-server.sh"), "--line", line], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (install.status !== 0) throw new Error("cannot provision nats-server");
  const binary = path.join(root, ".cache/nats-server", line, "nats-server");
  const version = readFileSync(path.join(root, ".cache/nats-server", line, "VERSION"), "utf8").trim();
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), "jsplan-bench-srv-"));
  const proc = spawn(
    binary,
    ["-js", "-sd", path.join(dir, "store"), "-a", "127.0.0.1", "-p", String(port), ...extraArgs],
    { stdio: "ignore" },
  );
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise((resolve) => {
      const c = net.connect(port, "127.0.0.1", () => {
        c.end();
        resolve(true);
      });
      c.on("error", () => resolve(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const stop = () => {
    live.delete(stop);
    proc.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  live.add(stop);
  return { url: `nats://127.0.0.1:${port}`, version, stop };
}
