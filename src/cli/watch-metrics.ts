// The metrics and health endpoint of `jsplan watch --metrics-listen HOST:PORT`: Prometheus metrics at
// /metrics (prom-client, in a registry of its own) and /healthz, which answers 200 while the last plan
// succeeded within twice the interval and the connection is up, 503 otherwise (with the reason).

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Gauge, Registry } from "prom-client";
import type { StepStatus } from "../apply/result.js";
import type { DriftPicture } from "../model/drift.js";

const ACTIONS = ["create", "update", "replace", "delete"] as const;

export class WatchMetrics {
  readonly registry = new Registry();
  readonly #drift = new Gauge({
    name: "jsplan_drift_resources",
    help: "Resources whose plan action is create, update, replace or delete",
    labelNames: ["action"],
    registers: [this.registry],
  });
  readonly #plans = new Counter({
    name: "jsplan_plans_total",
    help: "Plans made, by result (ok, refused: the preflight refused it, failed: the server could not be read)",
    labelNames: ["result"],
    registers: [this.registry],
  });
  readonly #lastSuccess = new Gauge({
    name: "jsplan_last_plan_success_timestamp_seconds",
    help: "When the last plan succeeded (Unix time)",
    registers: [this.registry],
  });
  readonly #steps = new Counter({
    name: "jsplan_apply_steps_total",
    help: "Steps of corrections, by result (succeeded, failed, not_executed, changed, unknown)",
    labelNames: ["result"],
    registers: [this.registry],
  });
  readonly #valid = new Gauge({
    name: "jsplan_manifest_valid",
    help: "1 when the manifest last read is valid, 0 when an edit made it invalid (the last valid one stays in force)",
    registers: [this.registry],
  });
  readonly #connected = new Gauge({
    name: "jsplan_connected",
    help: "1 while connected to the server, 0 while it is away",
    registers: [this.registry],
  });
  #lastSuccessAt: number | undefined;
  #isConnected = false;

  constructor(readonly intervalMs: number) {
    for (const action of ACTIONS) this.#drift.set({ action }, 0);
    for (const result of ["ok", "refused", "failed"]) this.#plans.inc({ result }, 0);
    this.#valid.set(0);
    this.#connected.set(0);
  }

  planned(picture: DriftPicture, at: number): void {
    const counts = Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Record<string, number>;
    for (const e of picture.values()) counts[e.action] = (counts[e.action] ?? 0) + 1;
    for (const action of ACTIONS) this.#drift.set({ action }, counts[action] ?? 0);
    this.#plans.inc({ result: "ok" });
    this.#lastSuccessAt = at;
    this.#lastSuccess.set(at / 1000);
  }

  planFailed(refused: boolean): void {
    this.#plans.inc({ result: refused ? "refused" : "failed" });
  }

  steps(statuses: readonly StepStatus[]): void {
    for (const result of statuses) this.#steps.inc({ result });
  }

  manifest(valid: boolean): void {
    this.#valid.set(valid ? 1 : 0);
  }

  connected(up: boolean): void {
    this.#isConnected = up;
    this.#connected.set(up ? 1 : 0);
  }

  /** 200 and "ok", or 503 and why. */
  health(now: number): { status: number; body: string } {
    if (!this.#isConnected) return { status: 503, body: "disconnected from the server\n" };
    if (this.#lastSuccessAt === undefined) return { status: 503, body: "no plan has succeeded yet\n" };
    const age = now - this.#lastSuccessAt;
    if (age > 2 * this.intervalMs)
      return { status: 503, body: `the last successful plan was ${Math.round(age / 1000)}s ago\n` };
    return { status: 200, body: "ok\n" };
  }

  /** Serves /metrics and /healthz on host:port; resolves with the address it listens on. */
  async listen(host: string, port: number): Promise<{ server: Server; address: AddressInfo }> {
    const server = createServer((req, res) => {
      const path = (req.url ?? "/").split("?")[0];
      if (path === "/metrics") {
        this.registry.metrics().then(
          (text) => {
            res.writeHead(200, { "content-type": this.registry.contentType });
            res.end(text);
          },
          (err: Error) => {
            res.writeHead(500);
            res.end(`${err.message}\n`);
          },
        );
        return;
      }
      if (path === "/healthz") {
        const h = this.health(Date.now());
        res.writeHead(h.status, { "content-type": "text/plain" });
        res.end(h.body);
        return;
      }
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found: try /metrics or /healthz\n");
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
    return { server, address: server.address() as AddressInfo };
  }
}
