// Running a plan's steps in dependency order: independent steps in flight together (up to the concurrency),
// a step started once everything it depends on succeeded, and a result for every step. A failed step stops
// only the steps that depend on it; a stop (Ctrl-C, a lost connection, a server that no longer answers)
// starts nothing new, lets the steps in flight finish, and leaves the rest not executed, with the reason.

import type { Step } from "../model/plan.js";
import { type ApplyResult, type StepResult, summarise } from "./result.js";

export interface SchedulerOptions {
  readonly concurrency: number;
  /** Why no new step may start now, or undefined while steps may start. */
  readonly stopReason: () => string | undefined;
  /** Aborting wakes the scheduler up, so that it notices the stop at once. */
  readonly signal?: AbortSignal;
  readonly onStart?: (step: Step) => void;
  readonly onFinish?: (result: StepResult) => void;
}

/** How a dependency that did not succeed is named in its dependents' reason. */
const WHY_NOT: Readonly<Record<Exclude<StepResult["status"], "succeeded">, string>> = {
  failed: "which failed",
  not_executed: "which was not executed",
  changed: "which changed since the plan was made",
  unknown: "whose outcome is unknown",
};

export class Scheduler {
  readonly #steps: readonly Step[];
  readonly #results = new Map<string, StepResult>();
  readonly #stepOf: ReadonlyMap<string, Step>;
  /** How many of each step's dependencies are still to succeed. */
  readonly #pending: Map<string, number>;
  readonly #dependents = new Map<string, string[]>();
  readonly #ready: Step[];
  #inFlight = 0;

  constructor(
    steps: readonly Step[],
    readonly options: SchedulerOptions,
  ) {
    this.#steps = steps;
    const inPlan = new Set(steps.map((s) => s.address));
    this.#pending = new Map(steps.map((s) => [s.address, s.depends_on.filter((d) => inPlan.has(d)).length]));
    for (const s of steps) {
      for (const d of s.depends_on) {
        const list = this.#dependents.get(d);
        if (list) list.push(s.address);
        else this.#dependents.set(d, [s.address]);
      }
    }
    this.#stepOf = new Map(steps.map((s) => [s.address, s]));
    this.#ready = steps.filter((s) => this.#pending.get(s.address) === 0);
  }

  /** Runs every step it may with `run`, which never rejects; resolves when nothing is left in flight. */
  async run(
    run: (step: Step) => Promise<StepResult>,
  ): Promise<Pick<ApplyResult, "results" | "summary" | "stopped">> {
    await new Promise<void>((resolve) => {
      const pump = () => {
        while (
          this.#ready.length > 0 &&
          this.#inFlight < this.options.concurrency &&
          !this.options.stopReason()
        ) {
          const step = this.#ready.shift()!;
          if (this.#results.has(step.address)) continue;
          this.#inFlight++;
          this.options.onStart?.(step);
          void run(step).then((r) => {
            this.#inFlight--;
            this.#finished(step, r);
            pump();
          });
        }
        if (this.#inFlight === 0 && (this.#ready.length === 0 || this.options.stopReason())) resolve();
      };
      this.options.signal?.addEventListener("abort", () => pump(), { once: true });
      pump();
    });
    const why = this.options.stopReason();
    for (const s of this.#steps)
      if (!this.#results.has(s.address)) this.#skip(s.address, why ?? "not reached");
    const results = this.#steps.map((s) => this.#results.get(s.address)!);
    return { results, summary: summarise(results), ...(why ? { stopped: why } : {}) };
  }

  #finished(step: Step, r: StepResult): void {
    this.#results.set(step.address, r);
    this.options.onFinish?.(r);
    for (const d of this.#dependents.get(step.address) ?? []) {
      if (r.status !== "succeeded") {
        this.#skip(d, `depends on ${step.address}, ${WHY_NOT[r.status]}`);
        continue;
      }
      const n = this.#pending.get(d)! - 1;
      this.#pending.set(d, n);
      if (n === 0) this.#ready.push(this.#stepOf.get(d)!);
    }
  }

  #skip(address: string, reason: string): void {
    if (this.#results.has(address)) return;
    const step = this.#stepOf.get(address)!;
    const r: StepResult = { address, action: step.action, status: "not_executed", duration_ms: 0, reason };
    this.#results.set(address, r);
    this.options.onFinish?.(r);
    for (const d of this.#dependents.get(address) ?? [])
      this.#skip(d, `depends on ${address}, ${WHY_NOT.not_executed}`);
  }
}
