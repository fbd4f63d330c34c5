// How a session ends early, as typed errors that carry data: the CLI renders them and picks the exit code,
// the API returns or rethrows them. Nothing on the server was changed when one of these is thrown.

import type { Diagnostic, Unlisted } from "../model/diagnostic.js";
import type { LeaseHolder } from "../model/lease.js";

/** The manifest has errors: nothing was sent to the server. */
export class ManifestInvalid extends Error {
  constructor(
    readonly diagnostics: readonly Diagnostic[],
    /** Errors found past the first LISTED_DIAGNOSTICS of a kind: counted, not in `diagnostics`. */
    readonly unlisted?: Unlisted,
  ) {
    super("the manifest has errors");
    this.name = "ManifestInvalid";
  }
}

/** The plan could not be made (ownership conflicts, unsupported fields, …): nothing was changed. */
export class PlanRefused extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super("cannot plan");
    this.name = "PlanRefused";
  }
}

/** Reading the server's state failed. */
export class ObserveFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ObserveFailure";
  }
}

/** Refused before any call: the plan has blocked or (without allowDestroy) destructive steps. */
export class ApplyRefused extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`apply refused: ${problems.join("; ")}`);
    this.name = "ApplyRefused";
  }
}

/** A saved plan that cannot be applied (unreadable, not a plan, or stale), or cannot be written (sensitive). */
export class SavedPlanRefused extends Error {
  constructor(
    readonly kind: "unreadable" | "not-a-plan" | "stale" | "sensitive",
    message: string,
    readonly problems: readonly string[] = [],
  ) {
    super(message);
    this.name = "SavedPlanRefused";
  }
}

/** The apply lock could not be taken: another apply holds it, or it cannot be set up in this account. */
export class ApplyLocked extends Error {
  constructor(
    readonly kind: "held" | "unavailable",
    message: string,
    readonly holder: LeaseHolder | null,
  ) {
    super(message);
    this.name = "ApplyLocked";
  }
}
