// YAML text → plain JS values that remember where each value came from. We walk yaml's AST ourselves
// (instead of `toJS`) because we need three things it does not give together: a source position for every
// key and item, `${VAR}` interpolation with re-typing of plain scalars, and a hard budget on alias
// expansion so that an alias bomb fails fast with a clear message. This file reads a file's documents; the
// phases have files of their own: the limits (yaml-limits.ts), the nodes of a document (yaml-nodes.ts),
// merge keys (yaml-merge.ts), aliases (yaml-aliases.ts), positions (position-index.ts).
//
// This path is the reference for the js-yaml fast path (fast-yaml.ts), which must give the same values,
// the same accept/reject decisions and the same limits; the rules both follow are written down here:
//  - lone CR is a line break (YAML 1.2), as js-yaml reads it;
//  - keys are strings or numbers, unique after conversion to a string (`1` and "1" are the same key);
//  - merge keys (`<<`, plain and untagged) insert the merged keys where the `<<` stands; keys of the
//    mapping itself win wherever they stand, earlier sources win over later ones;
//  - the alias budget counts every value that an alias to a collection adds (aliases to scalars add
//    nothing: they are no bigger than the alias), per file;
//  - the depth limit applies to the values as they come out (an alias adds no level; the mappings that a
//    merge key takes its keys from count at the level of the mapping they merge into).

import type { Document } from "yaml";
import type { Diagnostic, SourcePos } from "../model/diagnostic.js";
import type { Env } from "./interpolate.js";
import { PositionIndex, type Positions } from "./position-index.js";
import { yamlLib } from "./yaml-lib.js";
import {
  AliasBudget,
  DEFAULT_PARSE_LIMITS,
  LimitExceeded,
  type ParseLimits,
  tokenLimitProblem,
} from "./yaml-limits.js";
import { DocumentReader } from "./yaml-nodes.js";

export interface SourceFile {
  /** The path as the user gave it (or `<stdin>`), used in every message. */
  readonly path: string;
  readonly text: string;
}

export interface LoadedDocument {
  readonly file: string;
  /** 0-based index of the document in its file. */
  readonly index: number;
  readonly value: unknown;
  readonly positions: Positions;
}

interface Parsed {
  documents: LoadedDocument[];
  diagnostics: Diagnostic[];
}

const TOO_DEEP = "the YAML is nested too deeply to be a manifest";

/** Parses every YAML document of a file. Empty documents (a lone `---`) are skipped. */
export function parseYamlFile(
  source: SourceFile,
  env: Env,
  limits: ParseLimits = DEFAULT_PARSE_LIMITS,
): Parsed {
  const lineCounter = new (yamlLib().LineCounter)();
  const text = normalizeLineBreaks(source.text);
  const at = (offset: number): SourcePos => {
    const { line, col } = lineCounter.linePos(offset);
    return { file: source.path, line: Math.max(line, 1), col: Math.max(col, 1) };
  };
  const refused = (code: string, message: string): Parsed => ({
    documents: [],
    diagnostics: [{ severity: "error", pos: at(0), code, message }],
  });

  const tooLarge = tokenLimitProblem(text, limits);
  if (tooLarge) return refused("yaml.limit", tooLarge);
  let docs: ReturnType<typeof import("yaml").parseAllDocuments>;
  try {
    docs = yamlLib().parseAllDocuments(text, {
      lineCounter,
      prettyErrors: false,
      // Duplicate keys are found while the nodes are read, in linear time: yaml's own check compares every
      // key of a mapping with every other one, which takes minutes for a mapping of 50,000 keys.
      uniqueKeys: false,
      strict: true,
    });
  } catch (err) {
    // The parser recurses on nesting; a hostile file can exhaust the stack before we see a node.
    return refused("yaml.syntax", err instanceof RangeError ? TOO_DEEP : String(err));
  }

  const parsed: Parsed = { documents: [], diagnostics: [] };
  const budget = new AliasBudget(limits.maxAliasNodes);
  for (const [index, doc] of (Array.isArray(docs) ? docs : []).entries()) {
    if (doc.errors.length > 0) {
      reportSyntaxErrors(doc, at, parsed.diagnostics);
      continue;
    }
    for (const w of doc.warnings) {
      parsed.diagnostics.push({
        severity: "warning",
        pos: at(w.pos[0]),
        code: "yaml.warning",
        message: w.message,
      });
    }
    if (doc.contents === null) continue;
    const reader = new DocumentReader(
      doc,
      env,
      at,
      limits.maxDepth,
      budget,
      new PositionIndex(at(doc.contents.range?.[0] ?? 0)),
    );
    if (!readDocument(reader, source.path, index, parsed)) break;
  }
  return parsed;
}

/** Adds the document (and what is wrong with it) to `parsed`; false when a limit stops the file. */
function readDocument(reader: DocumentReader, file: string, index: number, parsed: Parsed): boolean {
  const { positions } = reader;
  try {
    const value = reader.read();
    if (reader.duplicates.size > 0) {
      for (const d of reader.duplicates.values()) parsed.diagnostics.push(d);
      return true;
    }
    positions.setRoot(value);
    // An anchor read through several aliases repeats its problems: each is reported once.
    const seen = new Set<string>();
    for (const p of reader.problems) {
      const key = `${p.pos?.line}:${p.pos?.col}:${p.code}:${p.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      parsed.diagnostics.push(p);
    }
    if (value === null) return true; // an empty document, e.g. after a trailing ---
    parsed.documents.push({ file, index, value, positions });
    return true;
  } catch (err) {
    if (err instanceof LimitExceeded) {
      parsed.diagnostics.push({ severity: "error", pos: err.pos, code: "yaml.limit", message: err.message });
      return false;
    }
    if (err instanceof RangeError) {
      parsed.diagnostics.push({
        severity: "error",
        pos: positions.documentPos,
        code: "yaml.limit",
        message: TOO_DEEP,
      });
      return false;
    }
    throw err;
  }
}

function reportSyntaxErrors(doc: Document, at: (offset: number) => SourcePos, out: Diagnostic[]): void {
  // The parser can report one mistake several times over; once is enough.
  const said = new Set<string>();
  for (const e of doc.errors) {
    const message = yamlErrorMessage(e.code, e.message);
    const key = `${e.pos[0]}:${message}`;
    if (said.has(key)) continue;
    said.add(key);
    out.push({ severity: "error", pos: at(e.pos[0]), code: "yaml.syntax", message });
  }
}

/**
 * Lone CR is a line break in YAML and js-yaml reads it so; `yaml` does not. Both paths read the text with LF
 * in its place, which keeps every offset, so positions are still those of the file.
 */
export function normalizeLineBreaks(text: string): string {
  return text.includes("\r") ? text.replace(/\r(?!\n)/g, "\n") : text;
}

function yamlErrorMessage(code: string, message: string): string {
  if (/Maximum call stack size exceeded/.test(message)) return TOO_DEEP;
  // yaml's messages end with a position summary we print ourselves; keep the first line.
  const first = message.split("\n")[0] ?? message;
  const clean = first.replace(/ at line \d+, column \d+:?$/, "");
  switch (code) {
    case "DUPLICATE_KEY":
      return `${clean}: each key may appear once in a mapping`;
    case "TAB_AS_INDENT":
      return `${clean}: indent with spaces, not tabs`;
    default:
      return `YAML syntax error: ${clean}`;
  }
}
