// `plan --format json` that fails still prints one JSON document on stdout, so that a tool reading stdout
// gets an answer either way (schemas/plan-failure.schema.json). The text of the failure also goes to
// stderr, as for every format.

import { ConnectionFailure } from "../connection/errors.js";
import { PLAN_FORMAT_VERSION } from "../model/plan.js";
import {
  ApplyRefused,
  ManifestInvalid,
  ObserveFailure,
  PlanRefused,
  SavedPlanRefused,
} from "../reconcile/errors.js";
import { countBySeverity, diagnosticToJson, plural } from "../render/diagnostics.js";
import { ExitError } from "./exit-error.js";

export type FailureKind =
  | "manifest"
  | "plan"
  | "connection"
  | "observe"
  | "saved-plan"
  | "refused"
  | "settings";

/** The JSON document for a failed plan, or undefined for an error that is not the user's (a bug). */
export function failureJson(err: unknown): string | undefined {
  const body = failureBody(err);
  if (!body) return undefined;
  return `${JSON.stringify({ format_version: PLAN_FORMAT_VERSION, ok: false, error: body }, null, 2)}\n`;
}

function failureBody(err: unknown) {
  if (err instanceof ManifestInvalid || err instanceof PlanRefused) {
    const manifest = err instanceof ManifestInvalid;
    const { errors } = countBySeverity(err.diagnostics);
    return {
      kind: (manifest ? "manifest" : "plan") as FailureKind,
      message: manifest
        ? `the manifest has ${plural(errors, "error")}; nothing was sent to the server`
        : `cannot plan: ${plural(errors, "error")}; nothing was changed on the server`,
      diagnostics: err.diagnostics.map(diagnosticToJson),
    };
  }
  const simple = (kind: FailureKind, message: string) => ({ kind, message, diagnostics: [] });
  if (err instanceof ConnectionFailure) return simple("connection", err.message);
  if (err instanceof ObserveFailure) return simple("observe", err.message);
  if (err instanceof SavedPlanRefused) return simple("saved-plan", err.message);
  if (err instanceof ApplyRefused) return simple("refused", err.problems.join("; "));
  if (err instanceof ExitError)
    return simple("settings", err.message.replace(/^jsplan: /, "").split("\n")[0]!);
  return undefined;
}
