// Valid manifests cover every field of the schema: a field added to the schema without a valid example
// fails here, and so does a valid example that stops validating.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import * as YAML from "yaml";
import { loadSources } from "../../src/load/load.js";
import { manifestSchema } from "../../src/load/schema.js";
import { FIXTURES } from "../support/paths.js";

type Schema = {
  properties?: Record<string, Schema | boolean>;
  items?: Schema;
  $ref?: string;
  anyOf?: Schema[];
};

const schema = manifestSchema() as Schema & {
  $defs: Record<string, Schema>;
};

/** `owner.property` names for every property of the top level and of every definition. */
function allFields(): Set<string> {
  const out = new Set<string>();
  for (const k of Object.keys(schema.properties ?? {})) out.add(`manifest.${k}`);
  for (const [def, node] of Object.entries(schema.$defs)) {
    for (const [k, v] of Object.entries(node.properties ?? {})) if (v !== false) out.add(`${def}.${k}`);
  }
  return out;
}

/** Walks a manifest value along the schema and records which `owner.property` it uses. */
function walk(node: Schema | boolean | undefined, owner: string, value: unknown, used: Set<string>): void {
  if (!node || node === true) return;
  if (node.$ref) {
    const def = node.$ref.replace("#/$defs/", "");
    walk(schema.$defs[def], def, value, used);
  }
  for (const alt of node.anyOf ?? []) walk(alt, owner, value, used);
  if (Array.isArray(value)) {
    for (const x of value) walk(node.items, owner, x, used);
    return;
  }
  if (value && typeof value === "object" && node.properties) {
    for (const [k, x] of Object.entries(value)) {
      if (!(k in node.properties)) continue;
      used.add(`${owner}.${k}`);
      if (k !== "metadata") walk(node.properties[k], owner, x, used);
    }
  }
}

describe("valid manifests", () => {
  const dir = path.join(FIXTURES, "valid");
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));
  const used = new Set<string>();
  for (const f of files) {
    const text = readFileSync(path.join(dir, f), "utf8");
    it(`${f} validates without errors`, () => {
      const r = loadSources([{ path: f, text }], {});
      assert.deepEqual(
        r.diagnostics.filter((d) => d.severity === "error"),
        [],
      );
      assert.ok(r.desired);
    });
    for (const doc of YAML.parseAllDocuments(text, { merge: true }))
      walk(schema, "manifest", doc.toJS(), used);
  }
  it("cover every field of the schema", () => {
    const missing = [...allFields()].filter((p) => !used.has(p)).sort();
    assert.deepEqual(
      missing,
      [],
      `schema fields without a valid example in test/fixtures/valid: ${missing.join(", ")}`,
    );
  });
});
