// Diagnostics as text (`file:line:column  address  message`, one per line, the format editors and CI
// annotators parse) and as JSON.

import type { Diagnostic } from "../model/diagnostic.js";
import type { Style } from "./style.js";

/** Longer messages and addresses are shortened in the middle; a valid address is never this long. */
export const MAX_MESSAGE_CHARS = 1000;

/**
 * Messages quote the values they are about, and a hostile or broken file can hold a 20 MB value or key:
 * the message keeps its start and its end (where the hint is) and says how much it left out.
 */
export function clip(text: string, max = MAX_MESSAGE_CHARS): string {
  if (text.length <= max) return text;
  const head = Math.floor(max * 0.6);
  const tail = Math.floor(max * 0.3);
  const left = text.length - head - tail;
  return `${text.slice(0, head)}…(${left.toLocaleString("en")} characters left out)…${text.slice(-tail)}`;
}

export function renderDiagnosticLine(d: Diagnostic, style: Style): string {
  const where = d.pos ? `${d.pos.file}:${d.pos.line}:${d.pos.col}` : "";
  const head = d.severity === "error" ? style.red(where) : style.yellow(where);
  const message = clip(d.message);
  const parts = [
    where === "" ? "" : head,
    d.address === undefined ? "" : clip(d.address),
    d.severity === "warning" ? `${style.yellow("warning:")} ${message}` : message,
  ];
  return parts.filter((p) => p !== "").join("  ");
}

export function renderDiagnostics(diagnostics: readonly Diagnostic[], style: Style): string {
  return diagnostics.map((d) => `${renderDiagnosticLine(d, style)}\n`).join("");
}

export interface DiagnosticJson {
  severity: "error" | "warning";
  file: string | null;
  line: number | null;
  column: number | null;
  address: string | null;
  path: string | null;
  code: string;
  message: string;
}

export function diagnosticToJson(d: Diagnostic): DiagnosticJson {
  return {
    severity: d.severity,
    file: d.pos?.file ?? null,
    line: d.pos?.line ?? null,
    column: d.pos?.col ?? null,
    address: d.address === undefined ? null : clip(d.address),
    path: d.path === undefined ? null : clip(d.path),
    code: d.code,
    message: clip(d.message),
  };
}

export function countBySeverity(diagnostics: readonly Diagnostic[]): { errors: number; warnings: number } {
  let errors = 0;
  let warnings = 0;
  for (const d of diagnostics) {
    if (d.severity === "error") errors++;
    else warnings++;
  }
  return { errors, warnings };
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
