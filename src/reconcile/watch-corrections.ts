// What `jsplan watch --apply` corrects, and what it leaves alone: destructive drift without
// --allow-destroy; a resource whose correction failed, until its backoff has passed (1 s, doubling up to
// 5 min: never a tight loop); and a contested resource, one that someone changed back after 3 corrections
// within 10 minutes, which is reported instead of fought over (until the manifest changes, or 30 minutes
// pass). Each resource left alone is told once per reason.

import type { ApplyResult } from "../apply/result.js";
import type { DriftPicture } from "../model/drift.js";

export type LeftAloneReason = "destructive" | "contested" | "backoff";

const CONTESTED_AFTER = 3;
const CONTESTED_WINDOW_MS = 10 * 60_000;
const CONTESTED_FOR_MS = 30 * 60_000;
const BACKOFF_FIRST_MS = 1000;
const BACKOFF_MAX_MS = 5 * 60_000;

interface State {
  failures: number;
  nextTryAt: number;
  /** When its corrections succeeded, within the window. */
  corrected: number[];
  contestedUntil: number;
  told?: LeftAloneReason;
}

export class Corrections {
  readonly #by = new Map<string, State>();

  #state(address: string): State {
    let s = this.#by.get(address);
    if (!s) {
      s = { failures: 0, nextTryAt: 0, corrected: [], contestedUntil: 0 };
      this.#by.set(address, s);
    }
    return s;
  }

  /** The manifest changed: everything may be tried again. */
  reset(): void {
    this.#by.clear();
  }

  /** A new picture: a resource in sync again no longer waits out a backoff, and may be told again. */
  seen(picture: DriftPicture): void {
    for (const [address, s] of this.#by) {
      if (picture.has(address)) continue;
      s.failures = 0;
      s.nextTryAt = 0;
      delete s.told;
    }
  }

  /** The addresses to correct now, and those left alone (newly, by reason). */
  choose(
    picture: DriftPicture,
    allowDestroy: boolean,
    now: number,
  ): { wanted: string[]; leftAlone: Map<LeftAloneReason, string[]> } {
    const wanted: string[] = [];
    const leftAlone = new Map<LeftAloneReason, string[]>([
      ["destructive", []],
      ["contested", []],
      ["backoff", []],
    ]);
    for (const [address, entry] of picture) {
      const s = this.#state(address);
      const reason: LeftAloneReason | undefined =
        s.contestedUntil > now
          ? "contested"
          : entry.destructive && !allowDestroy
            ? "destructive"
            : s.nextTryAt > now
              ? "backoff"
              : undefined;
      if (!reason) {
        wanted.push(address);
        continue;
      }
      if (s.told !== reason) leftAlone.get(reason)!.push(address);
      s.told = reason;
    }
    return { wanted, leftAlone };
  }

  applied(result: ApplyResult, now: number): void {
    for (const r of result.results) {
      if (r.status === "failed") this.failed(r.address, now);
      if (r.status !== "succeeded") continue;
      const s = this.#state(r.address);
      s.failures = 0;
      s.nextTryAt = 0;
      s.corrected = [...s.corrected.filter((t) => now - t < CONTESTED_WINDOW_MS), now];
      if (s.corrected.length >= CONTESTED_AFTER) {
        s.contestedUntil = now + CONTESTED_FOR_MS;
        s.corrected = [];
        delete s.told;
      }
    }
  }

  failed(address: string, now: number): void {
    const s = this.#state(address);
    s.failures += 1;
    s.nextTryAt = now + Math.min(BACKOFF_FIRST_MS * 2 ** (s.failures - 1), BACKOFF_MAX_MS);
    delete s.told;
  }
}
