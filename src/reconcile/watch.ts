// The watch session behind `jsplan watch`: one connection kept open for as long as the process runs, a plan
// at start, within a second of any advisory about a resource the manifest declares or owns (a burst is one
// plan), and on every interval as a safety net; optionally a correction of the drift through the same
// locked, guarded apply as `jsplan apply --auto-approve`. What it sees goes to the hooks; the CLI prints
// and counts it.

import type { ApplyResult } from "../apply/result.js";
import { openSession, type Session } from "../connection/session.js";
import type { ConnectionSettings } from "../connection/settings.js";
import { kvStreamName, objectStoreStreamName } from "../jetstream/buckets.js";
import { LEASE_STREAM } from "../jetstream/lease.js";
import { ownership } from "../jetstream/ownership.js";
import { loadSourcesInterleaved } from "../load/load.js";
import { readSources } from "../load/sources.js";
import type { DesiredState } from "../model/desired.js";
import { type Diagnostic, hasErrors, sortDiagnostics } from "../model/diagnostic.js";
import { type DriftPicture, type DriftReport, driftChanges, driftPicture } from "../model/drift.js";
import type { ObservedState } from "../model/observed.js";
import type { Plan } from "../model/plan.js";
import { type Advisory, followAdvisories } from "../observe/advisories.js";
import { applySession } from "./applying.js";
import { type Lease, lockSession } from "./locking.js";
import { observeSession, oneTargetOnly, planFrom, targetOf } from "./planning.js";
import { Corrections } from "./watch-corrections.js";

export type WatchTrigger = "start" | "advisory" | "interval" | "reconnect" | "manifest" | "applied";

export interface WatchApplyOptions {
  readonly allowDestroy: boolean;
  readonly concurrency: number;
  readonly lockTimeoutMs: number;
  readonly lockTtlMs?: number;
}

export interface WatchHooks {
  /** A plan was made: the drift picture, and what changed in it since the last plan. */
  readonly onPlanned?: (e: {
    plan: Plan;
    picture: DriftPicture;
    reports: DriftReport[];
    trigger: WatchTrigger;
  }) => void;
  /** No plan could be made: the server refused to be read, or the preflight refused the plan. */
  readonly onPlanFailed?: (e: { error: unknown; diagnostics?: readonly Diagnostic[] }) => void;
  /** The manifest was (re)loaded: valid, or its errors (the last valid one stays in force). */
  readonly onManifest?: (e: { valid: boolean; diagnostics: readonly Diagnostic[]; first: boolean }) => void;
  readonly onApplied?: (e: { plan: Plan; result: ApplyResult }) => void;
  /** Drift that watch leaves alone, and why. */
  readonly onLeftAlone?: (e: {
    addresses: readonly string[];
    reason: "destructive" | "contested" | "backoff";
  }) => void;
  readonly onApplyFailed?: (e: { error: unknown }) => void;
  readonly onConnection?: (e: {
    state: "connected" | "disconnected" | "unavailable";
    message?: string;
  }) => void;
}

export interface WatchOptions {
  readonly paths: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly connection: () => ConnectionSettings;
  readonly intervalMs: number;
  /** Quiet time after an advisory before planning (default 200 ms); a burst waits at most maxDelayMs. */
  readonly debounceMs?: number;
  readonly maxDelayMs?: number;
  readonly apply?: WatchApplyOptions;
  readonly hooks: WatchHooks;
}

const RECONNECT_MAX_MS = 30_000;

export class Watcher {
  #desired: DesiredState | undefined;
  #warnings: readonly Diagnostic[] = [];
  #session: Session | undefined;
  #observed: ObservedState | undefined;
  #picture: DriftPicture = new Map();
  #stopped = false;
  #unfollow: (() => void) | undefined;
  #interval: NodeJS.Timeout | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #firstEventAt: number | undefined;
  #running: Promise<void> | undefined;
  #again: WatchTrigger | undefined;
  readonly #abort = new AbortController();
  readonly #corrections = new Corrections();

  constructor(readonly options: WatchOptions) {}

  /** Loads the manifest (an invalid one at start is an error), connects, plans, and keeps watching. */
  async start(): Promise<void> {
    const first = await this.#load(true);
    if (!first) return;
    this.#interval = setInterval(() => this.trigger("interval"), this.options.intervalMs);
    this.#interval.unref?.();
    await this.#connect();
  }

  /** True once the manifest at start was invalid (nothing to watch with). */
  get hasManifest(): boolean {
    return this.#desired !== undefined;
  }

  /** Re-reads the manifest (files changed, SIGHUP); an invalid one keeps the last valid one in force. */
  async reload(): Promise<void> {
    if (this.#stopped) return;
    if (await this.#load(false)) {
      this.#corrections.reset();
      this.trigger("manifest");
    }
  }

  /** Plans soon: at once for a timer, reconnect or reload; after the debounce for advisories. */
  trigger(why: WatchTrigger): void {
    if (this.#stopped || !this.#session) return;
    if (why !== "advisory") {
      this.#schedule(why);
      return;
    }
    const now = Date.now();
    this.#firstEventAt ??= now;
    if (this.#debounce) clearTimeout(this.#debounce);
    const wait = Math.max(
      0,
      Math.min(this.options.debounceMs ?? 200, this.#firstEventAt + (this.options.maxDelayMs ?? 1000) - now),
    );
    this.#debounce = setTimeout(() => this.#schedule("advisory"), wait);
  }

  /** Stops: no new plans or steps; steps in flight finish; the connection is closed. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    if (this.#interval) clearInterval(this.#interval);
    if (this.#debounce) clearTimeout(this.#debounce);
    await this.#running;
    this.#unfollow?.();
    await this.#session?.close();
  }

  async #load(first: boolean): Promise<boolean> {
    const o = this.options;
    const read = await readSources(o.paths, {
      cwd: o.cwd,
      readStdin: () => Promise.reject(new Error("jsplan watch reads files, not standard input")),
    });
    let diagnostics = read.diagnostics;
    let desired: DesiredState | undefined;
    if (!hasErrors(diagnostics)) {
      const loaded = await loadSourcesInterleaved(read.files, o.env);
      diagnostics = sortDiagnostics([...diagnostics, ...loaded.diagnostics]);
      // Watch follows one account: files naming contexts are refused, at their `context:` key.
      const named = oneTargetOnly(loaded.targets ?? [], "jsplan watch follows one account");
      diagnostics = sortDiagnostics([...diagnostics, ...named]);
      if (!hasErrors(diagnostics)) desired = loaded.desired;
    }
    o.hooks.onManifest?.({ valid: desired !== undefined, diagnostics, first });
    if (!desired) return false;
    this.#desired = desired;
    this.#warnings = diagnostics.filter((d) => d.severity === "warning");
    return true;
  }

  /** Connects (again and again, with backoff, while the server is away), then follows its advisories. */
  async #connect(): Promise<void> {
    for (let attempt = 1; !this.#stopped; attempt++) {
      try {
        const session = await openSession({ ...this.options.connection(), reconnectForever: true });
        if (this.#stopped) {
          await session.close();
          return;
        }
        this.#session = session;
        this.options.hooks.onConnection?.({ state: "connected" });
        this.#unfollow = followAdvisories(session.nc, (a) => this.#onAdvisory(a));
        void this.#followStatus(session);
        this.trigger("start");
        return;
      } catch (err) {
        this.options.hooks.onConnection?.({ state: "unavailable", message: (err as Error).message });
        await sleep(Math.min(1000 * 2 ** (attempt - 1), RECONNECT_MAX_MS), this.#abort.signal);
      }
    }
  }

  async #followStatus(session: Session): Promise<void> {
    for await (const st of session.nc.status()) {
      if (this.#stopped) return;
      if (st.type === "disconnect") this.options.hooks.onConnection?.({ state: "disconnected" });
      if (st.type === "reconnect") {
        this.options.hooks.onConnection?.({ state: "connected" });
        this.trigger("reconnect");
      }
    }
  }

  #onAdvisory(a: Advisory): void {
    if (a.stream === LEASE_STREAM) return;
    if (a.event === "created" || this.#concerns(a.stream)) this.trigger("advisory");
  }

  /** The stream is declared in the manifest (as a stream or a bucket), or owned by it as last seen. */
  #concerns(stream: string): boolean {
    const d = this.#desired;
    if (!d) return false;
    if (d.streams.some((s) => s.name === stream)) return true;
    if (d.keyValues.some((k) => kvStreamName(k.name) === stream)) return true;
    if (d.objectStores.some((k) => objectStoreStreamName(k.name) === stream)) return true;
    const seen = this.#observed?.streams.get(stream);
    return seen !== undefined && ownership(seen.config.metadata, d.owner).kind === "ours";
  }

  #schedule(why: WatchTrigger): void {
    if (this.#debounce) clearTimeout(this.#debounce);
    this.#debounce = undefined;
    this.#firstEventAt = undefined;
    if (this.#running) {
      this.#again ??= why;
      return;
    }
    this.#running = this.#cycle(why).finally(() => {
      this.#running = undefined;
      const next = this.#again;
      this.#again = undefined;
      if (next && !this.#stopped) this.#schedule(next);
    });
  }

  /** One plan, and with --apply a correction of what it may correct. Never throws. */
  async #cycle(why: WatchTrigger): Promise<void> {
    const session = this.#session;
    const desired = this.#desired;
    if (!session || !desired || this.#stopped) return;
    const plan = await this.#plan(session, desired, why);
    if (!plan || !this.options.apply || plan.steps.length === 0 || this.#stopped) return;
    if (await this.#correct(session, desired, plan)) this.#schedule("applied");
  }

  async #plan(session: Session, desired: DesiredState, why: WatchTrigger): Promise<Plan | undefined> {
    try {
      const observed = await observeSession(session, desired);
      // Stopping: a plan that was being made is not reported (only the steps in flight are).
      if (this.#stopped) return undefined;
      this.#observed = observed;
      const outcome = planFrom({ desired, observed, warnings: this.#warnings });
      if (!outcome.plan) {
        this.options.hooks.onPlanFailed?.({
          error: new Error("the plan was refused"),
          diagnostics: outcome.diagnostics,
        });
        return undefined;
      }
      const plan = { ...outcome.plan, target: targetOf(session) };
      const picture = driftPicture(plan);
      const reports = driftChanges(this.#picture, picture);
      this.#picture = picture;
      this.#corrections.seen(picture);
      this.options.hooks.onPlanned?.({ plan, picture, reports, trigger: why });
      return plan;
    } catch (error) {
      if (!this.#stopped) this.options.hooks.onPlanFailed?.({ error });
      return undefined;
    }
  }

  /**
   * Applies what may be corrected now, under the account's apply lock, from a plan made after taking it.
   * Returns true when steps ran (a new plan then shows what is left).
   */
  async #correct(session: Session, desired: DesiredState, seen: Plan): Promise<boolean> {
    const opts = this.options.apply!;
    const hooks = this.options.hooks;
    const now = Date.now();
    const { wanted, leftAlone } = this.#corrections.choose(this.#picture, opts.allowDestroy, now);
    for (const [reason, addresses] of leftAlone)
      if (addresses.length > 0) hooks.onLeftAlone?.({ addresses, reason });
    if (wanted.length === 0) return false;
    let lease: Lease | undefined;
    try {
      lease = await lockSession(session, {
        waitMs: opts.lockTimeoutMs,
        ...(opts.lockTtlMs !== undefined ? { ttlMs: opts.lockTtlMs } : {}),
      });
      lease.describeOwner(desired.owner ?? null);
      const observed = await observeSession(session, desired);
      const own = observed.lease?.holder?.id === lease.holder.id;
      const state = own ? { ...observed, lease: { present: true, holder: null } } : observed;
      const all = wanted.length === seen.changes.filter((c) => c.action !== "no-op").length;
      const outcome = planFrom({ desired, observed: state, ...(all ? {} : { targets: wanted }) });
      if (!outcome.plan || outcome.plan.steps.length === 0) return false;
      const plan = outcome.plan;
      // A target can need a destructive step (a consumer of a stream that must be replaced): left alone.
      const destructive = plan.changes
        .filter((c) => c.destructive && c.action !== "no-op")
        .map((c) => c.address);
      if (destructive.length > 0 && !opts.allowDestroy) {
        hooks.onLeftAlone?.({ addresses: destructive, reason: "destructive" });
        return false;
      }
      const controller = new AbortController();
      const stop = () => controller.abort();
      this.#abort.signal.addEventListener("abort", stop);
      lease.lost.addEventListener("abort", stop);
      try {
        const result = await applySession(plan, session, state.limits, {
          allowDestroy: opts.allowDestroy,
          concurrency: opts.concurrency,
          signal: controller.signal,
        });
        this.#corrections.applied(result, Date.now());
        hooks.onApplied?.({ plan, result });
        return result.results.length > 0;
      } finally {
        this.#abort.signal.removeEventListener("abort", stop);
      }
    } catch (error) {
      for (const a of wanted) this.#corrections.failed(a, now);
      hooks.onApplyFailed?.({ error });
      return false;
    } finally {
      await lease?.release();
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
