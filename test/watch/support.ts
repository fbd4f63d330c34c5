// `jsplan watch` as a real child process, with --format json: its events as they come, waited for by
// predicate, and a teardown that always ends it.

import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../support/paths.js";

const BIN = path.join(REPO_ROOT, "bin/jsplan.js");

export type WatchEvent = Record<string, unknown> & { type: string; time: string; address?: string };

/** A bound on a wait that, with --interval 1h, only an advisory (or a reload, a reconnect) can meet. */
export const EVENT_WAIT_MS = 15_000;

export class WatchProcess {
  readonly events: WatchEvent[] = [];
  readonly child: ChildProcess;
  #stderr = "";
  #exit: Promise<number | null>;
  #waiters = new Set<() => void>();

  constructor(args: readonly string[], cwd: string) {
    this.child = spawn(process.execPath, [BIN, "watch", "--format", "json", ...args], {
      cwd,
      env: { ...process.env, CI: "1", NO_COLOR: "1", NATS_CONTEXT: "", NATS_URL: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let buffer = "";
    this.child.stdout!.setEncoding("utf8");
    this.child.stdout!.on("data", (d: string) => {
      buffer += d;
      let nl = buffer.indexOf("\n");
      while (nl >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.trim()) this.events.push(JSON.parse(line) as WatchEvent);
        nl = buffer.indexOf("\n");
      }
      for (const w of this.#waiters) w();
    });
    this.child.stderr!.setEncoding("utf8");
    this.child.stderr!.on("data", (d: string) => {
      this.#stderr += d;
    });
    this.#exit = new Promise((resolve) => this.child.on("close", (code) => resolve(code)));
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** The first event from index `from` on that matches; fails after `ms` with what was seen. */
  async next(
    match: (e: WatchEvent) => boolean,
    from = 0,
    ms = EVENT_WAIT_MS,
  ): Promise<WatchEvent & { index: number }> {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.events.findIndex((e, k) => k >= from && match(e));
      if (i >= 0) return { ...this.events[i]!, index: i };
      const left = deadline - Date.now();
      if (left <= 0 || this.child.exitCode !== null) {
        assert.fail(
          `no matching watch event within ${ms} ms; seen:\n${this.events.map((e) => JSON.stringify(e)).join("\n")}\nstderr:\n${this.#stderr}`,
        );
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, Math.min(left, 250));
        function done() {
          clearTimeout(t);
          resolve();
        }
        this.#waiters.add(done);
      });
      this.#waiters.clear();
    }
  }

  /** SIGTERM, and the exit code. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill(signal);
    return this.#exit;
  }

  /** Ends it whatever state it is in (teardown). */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    await this.#exit;
  }
}

/** A folder with a manifest file in it; `write` rewrites the file. */
export function manifestDir(text: string): {
  dir: string;
  file: string;
  write(t: string): void;
  remove(): void;
} {
  const dir = mkdtempSync(path.join(os.tmpdir(), "jsplan-watch-"));
  const file = path.join(dir, "jsplan.yaml");
  writeFileSync(file, text);
  return {
    dir,
    file,
    write: (t) => writeFileSync(file, t),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function httpGet(url: string): Promise<{ status: number; body: string }> {
  const r = await fetch(url);
  return { status: r.status, body: await r.text() };
}
