// Which account each manifest file targets: a file may name a natscli context (`context: NAME`), and all
// its resources go there; files without one form the default target (the connection from flags and
// environment). Each target is its own manifest: its own owner, its own duplicates, its own plan. The
// same address in two targets is two resources in two accounts.

import type { DesiredState } from "../model/desired.js";
import { type Diagnostic, formatPos, type SourcePos } from "../model/diagnostic.js";
import type { LoadedDocument, SourceFile } from "./yaml-document.js";

/** The documents of one target, in the order of the files. */
export interface TargetGroup {
  /** The natscli context the files name, or null for the default target. */
  readonly context: string | null;
  /** Where the context is first named (for a context that does not exist). */
  readonly pos?: SourcePos;
  readonly documents: LoadedDocument[];
  /** The paths of its files, in the order given. */
  readonly files: string[];
}

/** One target of a loaded manifest: what its files declare. */
export interface LoadedTarget {
  readonly context: string | null;
  readonly pos?: SourcePos;
  readonly desired: DesiredState;
  readonly files: readonly SourceFile[];
}

interface Named {
  readonly name: string;
  readonly pos: SourcePos;
}

/**
 * The documents grouped by target: the default target first (when any file has no context), then each
 * context in the order the files name it. A file names one context: a document that names another is an
 * error; a document that names none belongs to its file's context.
 */
export function groupByContext(
  files: readonly SourceFile[],
  documents: readonly LoadedDocument[],
): { groups: TargetGroup[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const byFile = new Map<string, LoadedDocument[]>();
  for (const doc of documents) {
    const list = byFile.get(doc.file);
    if (list) list.push(doc);
    else byFile.set(doc.file, [doc]);
  }
  const groups = new Map<string | null, TargetGroup>();
  for (const file of files) {
    const docs = byFile.get(file.path) ?? [];
    const named = fileContext(docs, diagnostics);
    const key = named?.name ?? null;
    let group = groups.get(key);
    if (!group) {
      group = { context: key, ...(named ? { pos: named.pos } : {}), documents: [], files: [] };
      groups.set(key, group);
    }
    for (const doc of docs) group.documents.push(doc);
    group.files.push(file.path);
  }
  const ordered = [...groups.values()].sort(
    (a, b) => Number(a.context !== null) - Number(b.context !== null),
  );
  return { groups: ordered, diagnostics };
}

/** The context a file's documents name: the first one; another name in a later document is an error. */
function fileContext(docs: readonly LoadedDocument[], diagnostics: Diagnostic[]): Named | undefined {
  let first: Named | undefined;
  for (const doc of docs) {
    const root = doc.value as Record<string, unknown> | null;
    if (!root || typeof root !== "object" || typeof root.context !== "string") continue;
    const named = { name: root.context, pos: doc.positions.positionOf(["context"], "key") };
    if (!first) first = named;
    else if (first.name !== named.name) {
      diagnostics.push({
        severity: "error",
        pos: named.pos,
        code: "semantic.context-conflict",
        message: `context "${named.name}" differs from context "${first.name}" at ${formatPos(first.pos)}; all documents of a file target one context (put the other account's resources in a file of their own)`,
      });
    }
  }
  return first;
}

/** Whether any file names a context: the plan is then grouped by target, even with only one. */
export function namesContexts(targets: readonly { readonly context: string | null }[]): boolean {
  return targets.some((t) => t.context !== null);
}

/** Every target's resources together (for validate, graph and completion, which do not connect). */
export function mergeTargets(targets: readonly LoadedTarget[], files: readonly string[]): DesiredState {
  const owner = targets.find((t) => t.desired.owner !== undefined)?.desired.owner;
  return {
    ...(owner !== undefined ? { owner } : {}),
    streams: targets.flatMap((t) => t.desired.streams),
    consumers: targets.flatMap((t) => t.desired.consumers),
    keyValues: targets.flatMap((t) => t.desired.keyValues),
    objectStores: targets.flatMap((t) => t.desired.objectStores),
    files,
  };
}
