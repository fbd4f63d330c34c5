// What the preflight found, one finding per step that the server would refuse, folded into one diagnostic
// per limit (and per stream, for consumer limits): the first step that does not fit says why, with the
// numbers; the steps after it that do not fit either are named in the same message.

import type { Diagnostic } from "../../model/diagnostic.js";
import { formatSize } from "../../model/units.js";
import type { PlanContext } from "../context.js";
import { at, type Located } from "../diagnostics.js";
import type { Reservation } from "./ledger.js";

export interface Finding {
  /** The limit, as the diagnostic's code says it (`plan.account-storage`, …). */
  readonly code: string;
  /** Folds findings about the same limit: the code, and for per-stream limits the stream. */
  readonly key: string;
  readonly address: string;
  /** The field the finding is about, when the manifest sets it. */
  readonly path: string;
  readonly message: string;
}

export class Findings {
  readonly #byKey = new Map<string, { first: Finding; more: string[] }>();

  add(f: Finding): void {
    const known = this.#byKey.get(f.key);
    if (known) known.more.push(f.address);
    else this.#byKey.set(f.key, { first: f, more: [] });
  }

  get size(): number {
    return this.#byKey.size;
  }

  /** One line per limit, `address: message`, for a saved plan's check (no manifest to point at). */
  lines(): string[] {
    return [...this.#byKey.values()].map(({ first, more }) =>
      more.length === 0
        ? `${first.address}: ${first.message}`
        : `${first.address}: ${first.message}. ${afterIt(more)}`,
    );
  }

  /** One error per limit, at the manifest resource of its first finding. */
  diagnostics(ctx: PlanContext): Diagnostic[] {
    const out: Diagnostic[] = [];
    for (const { first, more } of this.#byKey.values()) {
      const text = more.length === 0 ? first.message : `${first.message}. ${afterIt(more)}`;
      const r = locate(ctx, first.address);
      out.push(
        r
          ? at(r, first.path, "error", first.code, text)
          : { severity: "error", address: first.address, code: first.code, message: text },
      );
    }
    return out;
  }
}

function afterIt(more: readonly string[]): string {
  const shown = more.slice(0, 8).join(", ");
  const rest = more.length > 8 ? ` and ${more.length - 8} more` : "";
  return `The ${more.length === 1 ? "step" : `${more.length} steps`} after it that need the same room would be refused too: ${shown}${rest}`;
}

/** The manifest resource at an address: a stream, bucket or consumer. */
export function locate(ctx: PlanContext, address: string): Located | undefined {
  return ctx.desiredConsumers.get(address) ?? ctx.wanted.find((r) => r.address === address);
}

/** The largest holders of a reservation, for a message. */
export function holdersText(r: Reservation): string {
  const shown = r.holders
    .slice(0, 5)
    .map(([name, bytes]) => `${name} ${formatSize(bytes)}`)
    .join(", ");
  const rest = r.holders.length > 5 ? ` and ${r.holders.length - 5} more` : "";
  return `the other streams reserve ${bytesText(r.total)} (${shown}${rest})`;
}

/** Bytes as a setting (`1GiB`) or, when no unit is exact, as bytes. */
export function bytesText(n: number): string {
  const f = formatSize(n);
  return /^\d+$/.test(f) ? `${n} bytes` : f;
}
