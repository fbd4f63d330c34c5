// A change of the drift picture as `jsplan watch` prints it: one line of text, or one JSON object per line.

import type { DriftEntry, DriftReport } from "../model/drift.js";
import type { Style } from "./style.js";
import { displayPath, formatValue } from "./values.js";

const VERB: Readonly<Record<DriftEntry["action"], string>> = {
  create: "is missing: it will be created",
  update: "differs: it will be updated in place",
  replace: "differs: it must be replaced",
  delete: "is not in the manifest: it will be deleted",
};

function fieldsText(e: DriftEntry): string {
  const shown = e.fields.slice(0, 6).map((f) => {
    const before = f.before === undefined ? "(unset)" : formatValue(e.kind, f.path, f.before);
    const after = f.after === undefined ? "(unset)" : formatValue(e.kind, f.path, f.after);
    return `${displayPath(e.kind, f.path)} ${before} → ${after}`;
  });
  if (e.fields.length > 6) shown.push(`and ${e.fields.length - 6} more`);
  return shown.length > 0 && e.action !== "create" && e.action !== "delete" ? ` (${shown.join("; ")})` : "";
}

export function driftLine(r: DriftReport, style: Style): string {
  const e = r.entry;
  if (r.type === "resolved") return `${style.green("in sync")}: ${e.address} matches the manifest again`;
  const tag = r.type === "drift" ? style.yellow("drift") : style.yellow("drift changed");
  const destructive = e.destructive ? style.red(" [destructive]") : "";
  return `${tag}: ${e.address} ${VERB[e.action]}${fieldsText(e)}${destructive}`;
}

export function driftJson(r: DriftReport, time: Date): string {
  const e = r.entry;
  return JSON.stringify({
    time: time.toISOString(),
    type: r.type,
    address: e.address,
    action: r.type === "resolved" ? "no-op" : e.action,
    destructive: r.type === "resolved" ? false : e.destructive,
    fields: r.type === "resolved" ? [] : e.fields,
  });
}
