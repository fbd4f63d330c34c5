// The load stage: manifest files → YAML with positions → JSON Schema → semantic rules → DesiredState.
// It reports every problem of every file at once and never talks to a server.

import type { DesiredState } from "../model/desired.js";
import { type Diagnostic, hasErrors, sortDiagnostics, type Unlisted } from "../model/diagnostic.js";
import { buildDesiredState } from "./build-desired.js";
import { findDuplicates } from "./duplicates.js";
import { loadYamlFile } from "./fast-yaml.js";
import type { Env } from "./interpolate.js";
import { validateDocuments } from "./schema-validation.js";
import { checkSemantics } from "./semantic/index.js";
import { type ReadOptions, readSources } from "./sources.js";
import { groupByContext, type LoadedTarget, mergeTargets } from "./targets.js";
import type { LoadedDocument, SourceFile } from "./yaml-document.js";

export interface LoadOptions extends ReadOptions {
  readonly env: Env;
}

export interface LoadResult {
  /**
   * Present when the manifests have no errors (warnings allowed): everything they declare. When files name
   * contexts, the resources of every target together; `targets` holds them apart.
   */
  readonly desired?: DesiredState;
  /** Present with `desired`: the targets (one without a context, or one per context named). */
  readonly targets?: readonly LoadedTarget[];
  readonly diagnostics: readonly Diagnostic[];
  readonly files: readonly SourceFile[];
  /** Diagnostics found past the first LISTED_DIAGNOSTICS of a kind: counted, not listed. */
  readonly unlisted?: Unlisted;
}

export async function loadManifests(paths: readonly string[], options: LoadOptions): Promise<LoadResult> {
  const read = await readSources(paths, options);
  const result = loadSources(read.files, options.env);
  return {
    ...result,
    diagnostics: sortDiagnostics([...read.diagnostics, ...result.diagnostics]),
  };
}

/** The pure part of loading, from file contents on: also what tests and the programmatic API call. */
export function loadSources(files: readonly SourceFile[], env: Env): LoadResult {
  const phases = loadPhases(files, env);
  for (;;) {
    const step = phases.next();
    if (step.done) return step.value;
  }
}

/**
 * loadSources, giving the event loop a turn between its phases: while a plan loads the manifest, the
 * requests that read the server's state go out and their answers come in.
 */
export async function loadSourcesInterleaved(files: readonly SourceFile[], env: Env): Promise<LoadResult> {
  const phases = loadPhases(files, env);
  for (;;) {
    const step = phases.next();
    if (step.done) return step.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function* loadPhases(files: readonly SourceFile[], env: Env): Generator<void, LoadResult> {
  const diagnostics: Diagnostic[] = [];
  const documents: LoadedDocument[] = [];
  for (const file of files) {
    const parsed = loadYamlFile(file, env);
    append(diagnostics, parsed.diagnostics);
    const fileHasError = parsed.diagnostics.some((d) => d.severity === "error");
    if (parsed.documents.length === 0 && !fileHasError) {
      diagnostics.push({
        severity: "error",
        pos: { file: file.path, line: 1, col: 1 },
        code: "input.empty",
        message:
          "the file is empty: a manifest needs at least `version: 1` and one of streams, consumers, key_value or object_stores",
      });
    }
    append(documents, parsed.documents);
    yield;
  }
  const grouped = groupByContext(files, documents);
  append(diagnostics, grouped.diagnostics);
  // A resource in two targets is in two accounts: duplicates, owners and the rules between resources are
  // each target's own.
  for (const g of grouped.groups) append(diagnostics, findDuplicates(g.documents));
  const schema = validateDocuments(documents);
  yield;
  // A value whose ${VAR} could not be filled was reported already; its schema error would only repeat it.
  const unfilled = new Set(
    diagnostics
      .filter((d) => d.code === "manifest.interpolation" && d.pos)
      .map((d) => `${d.pos!.file}:${d.pos!.line}:${d.pos!.col}`),
  );
  append(
    diagnostics,
    schema.diagnostics.filter((d) => !d.pos || !unfilled.has(`${d.pos.file}:${d.pos.line}:${d.pos.col}`)),
  );
  const targets: LoadedTarget[] = [];
  const semanticUnlisted = { errors: 0, warnings: 0 };
  for (const g of grouped.groups) {
    const built = buildDesiredState(g.documents, schema.rejected, g.files);
    yield;
    append(diagnostics, built.diagnostics);
    const semantic = checkSemantics(built.desired);
    append(diagnostics, semantic.diagnostics);
    semanticUnlisted.errors += semantic.unlisted.errors;
    semanticUnlisted.warnings += semantic.unlisted.warnings;
    const inGroup = new Set(g.files);
    targets.push({
      context: g.context,
      ...(g.pos ? { pos: g.pos } : {}),
      desired: built.desired,
      files: files.filter((f) => inGroup.has(f.path)),
    });
  }
  const sorted = sortDiagnostics(diagnostics);
  const unlisted = {
    errors: schema.unlisted + semanticUnlisted.errors,
    warnings: semanticUnlisted.warnings,
  };
  const more = unlisted.errors + unlisted.warnings > 0 ? { unlisted } : {};
  return hasErrors(sorted) || unlisted.errors > 0
    ? { diagnostics: sorted, files, ...more }
    : { desired: desiredOf(targets, files), targets, diagnostics: sorted, files, ...more };
}

/** One target's desired state as it is (today's single manifest); several merged. */
function desiredOf(targets: readonly LoadedTarget[], files: readonly SourceFile[]): DesiredState {
  return targets.length === 1
    ? targets[0]!.desired
    : mergeTargets(
        targets,
        files.map((f) => f.path),
      );
}

/**
 * `target.push(...items)` passes every item as an argument, which overflows the stack past about 100,000
 * items (a file of 200,000 one-line documents, or as many errors).
 */
function append<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}
