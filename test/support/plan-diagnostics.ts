import type { Diagnostic } from "../../src/model/diagnostic.js";
import { renderDiagnostics } from "../../src/render/diagnostics.js";
import { PLAIN } from "../../src/render/style.js";

export function renderPlanDiagnostics(diagnostics: readonly Diagnostic[]): string {
  return renderDiagnostics(diagnostics, PLAIN);
}
