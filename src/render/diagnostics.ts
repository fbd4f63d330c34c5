// Diagnostics as text (`file:line:column  address  message`, one per line, the format editors and CI
// annotators parse) and as JSON.

import type { Diagnostic } from "../model/diagnostic.js";
import type { Style } from "./style.js";

export function renderDiagnosticLine(d: Diagnostic, style: Style): string {
  const where = d.pos ? `${d.pos.file}:${d.pos.line}:${d.pos.col}` : "";
  const head = d.severity === "error" ? style.red(where) : style.yellow(where);
  const parts = [
    where === "" ? "" : head,
    d.address ?? "",
    d.severity === "warning" ? `${style.yellow("warning:")} ${d.message}` : d.message,
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
    address: d.address ?? null,
    path: d.path ?? null,
    code: d.code,
    message: d.message,
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
