// docs/plan-format.md describes the plan JSON field by field. Every field it lists exists in
// schemas/plan.schema.json, every field of the schema is listed, and its example is a valid saved plan.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import { DATE_TIME_RE } from "../../src/load/schema.js";
import { codeBlocks, readRepoFile } from "./commands.js";

type Schema = {
  $ref?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  then?: Schema;
  $defs?: Record<string, Schema>;
};

const schema = JSON.parse(readRepoFile("schemas/plan.schema.json")) as Schema;

/** Field paths of the schema in the doc's notation: `server.version`, `changes[].diff[].path`. */
function schemaPaths(): Set<string> {
  const paths = new Set<string>();
  const resolve = (s: Schema): Schema => {
    if (!s.$ref) return s;
    const name = s.$ref.replace("#/$defs/", "");
    const target = schema.$defs?.[name];
    if (!target) throw new Error(`unresolved ${s.$ref}`);
    return resolve(target);
  };
  const walk = (node: Schema, prefix: string, seen: readonly Schema[]): void => {
    const s = resolve(node);
    if (seen.includes(s)) return;
    const inside = [...seen, s];
    for (const [name, child] of Object.entries(s.properties ?? {})) {
      const p = prefix === "" ? name : `${prefix}.${name}`;
      paths.add(p);
      walk(child, p, inside);
    }
    if (s.items) walk(s.items, `${prefix}[]`, inside);
    for (const sub of [...(s.oneOf ?? []), ...(s.anyOf ?? []), ...(s.allOf ?? [])]) walk(sub, prefix, inside);
    if (s.then) walk(s.then, prefix, inside);
  };
  walk(schema, "", []);
  return paths;
}

/** The first column of every table in the doc's "## Fields" section. */
function documentedPaths(): Set<string> {
  const doc = readRepoFile("docs/plan-format.md");
  const start = doc.indexOf("\n## Fields\n");
  assert.ok(start >= 0, 'docs/plan-format.md has a "## Fields" section');
  const end = doc.indexOf("\n## ", start + 1);
  const section = doc.slice(start, end === -1 ? undefined : end);
  const paths = new Set<string>();
  for (const line of section.split("\n")) {
    const m = /^\| `([^`]+)` \|/.exec(line);
    if (m) paths.add(m[1]!);
  }
  return paths;
}

describe("docs/plan-format.md", () => {
  const inSchema = schemaPaths();
  const inDoc = documentedPaths();

  it("lists fields at all", () => {
    assert.ok(inDoc.size >= 40, `only ${inDoc.size} fields found`);
    assert.ok(inSchema.has("changes[].diff[].forces_replace"));
  });

  it("lists only fields that exist in schemas/plan.schema.json", () => {
    assert.deepEqual(
      [...inDoc].filter((p) => !inSchema.has(p)),
      [],
    );
  });

  it("lists every field of schemas/plan.schema.json", () => {
    assert.deepEqual(
      [...inSchema].filter((p) => !inDoc.has(p)),
      [],
    );
  });

  it("shows an example that is a valid saved plan", () => {
    const json = codeBlocks(readRepoFile("docs/plan-format.md")).find((b) => b.lang === "json");
    assert.ok(json, "the doc has a JSON example");
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    ajv.addFormat("date-time", DATE_TIME_RE);
    const validate = ajv.compile(schema);
    const example = JSON.parse(json.body) as { saved?: unknown };
    assert.ok(validate(example), JSON.stringify(validate.errors, null, 2));
    assert.ok(example.saved, "the example is a saved plan");
  });
});
