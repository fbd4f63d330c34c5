// The field tables (src/jetstream/fields/) and the manifest schema describe the same fields: a field can be
// missing from neither, and where both say something about it (unit, default, version, update rule) they
// say the same. Adding a field is the schema plus a row; this test says which half is missing.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  CONSUMER_FIELDS,
  KV_VIEW,
  OBJECT_STORE_VIEW,
  STREAM_FIELDS,
} from "../../src/jetstream/fields/index.js";
import type { FieldRow, FieldTable, FieldUnit } from "../../src/jetstream/fields/row.js";
import { MANIFEST_SCHEMA } from "../support/paths.js";

interface Property {
  $ref?: string;
  type?: string;
  default?: unknown;
  description?: string;
  items?: Property;
  properties?: Record<string, Property>;
}
const schema = JSON.parse(readFileSync(MANIFEST_SCHEMA, "utf8")) as { $defs: Record<string, Property> };
const defs = schema.$defs;

/** Keys of a manifest resource that are jsplan's own, not JetStream fields. */
const JSPLAN_KEYS: Record<string, readonly string[]> = {
  stream: ["protect", "ignore_changes", "consumers"],
  consumer: ["protect", "ignore_changes", "stream"],
  // A KV bucket's keys (entries, and whether their values may be printed) are data jsplan manages in it.
  kvBucket: ["protect", "ignore_changes", "entries", "sensitive"],
  objectStore: ["protect", "ignore_changes"],
};

const UNIT_REFS: Record<FieldUnit, readonly string[]> = {
  duration: ["#/$defs/duration"],
  size: ["#/$defs/size", "#/$defs/sizeOrUnlimited", "#/$defs/size32OrUnlimited"],
  limit: ["#/$defs/limit"],
  durations: [],
};

function unitOfProperty(p: Property): FieldUnit | undefined {
  if (p.type === "array" && p.items?.$ref === "#/$defs/duration") return "durations";
  for (const [unit, refs] of Object.entries(UNIT_REFS))
    if (p.$ref && refs.includes(p.$ref)) return unit as FieldUnit;
  return undefined;
}

const PHRASES: Record<string, string> = {
  "in-place": "Can be changed in place",
  immutable: "Cannot be changed after creation",
  "one-way": "Can only be turned on",
};

function checkTable(kind: "stream" | "consumer", table: FieldTable) {
  const props = defs[kind]!.properties!;
  describe(`the ${kind} table`, () => {
    it("has a row for every field of the schema, and no other", () => {
      const fromSchema = Object.keys(props)
        .filter((k) => !JSPLAN_KEYS[kind]!.includes(k))
        .sort();
      assert.deepEqual([...table.names].sort(), fromSchema);
    });
    for (const row of table.rows) {
      const p = props[row.name];
      if (!p) continue;
      it(`${row.name}: the same unit, default, version and update rule as the schema`, () =>
        checkRow(row, p));
    }
  });
}

function checkRow(row: FieldRow, p: Property) {
  assert.equal(row.unit, unitOfProperty(p), "unit");
  const desc = p.description ?? "";
  if (row.fill === "default" || row.fill === "unlimited") {
    assert.ok(p.default !== undefined, "a field the server fills has a default in the schema");
    assert.equal(row.default, p.default, "default");
  } else if (row.fill === "omit") {
    // Left out when false or zero: the schema's default is that, or the row's own.
    assert.ok(
      p.default === undefined || p.default === false || p.default === row.default,
      `default: schema ${String(p.default)}, table ${String(row.default)}`,
    );
  }
  if (row.since) {
    const minor = row.since.replace(/\.\d+$/, "");
    assert.match(
      desc,
      new RegExp(`nats-server ${minor.replace(".", "\\.")}`),
      "the description names the version",
    );
  }
  const phrase = PHRASES[row.update.kind];
  if (phrase) assert.ok(desc.includes(phrase), `the description says "${phrase}"`);
}

checkTable("stream", STREAM_FIELDS);
checkTable("consumer", CONSUMER_FIELDS);

describe("the bucket views", () => {
  for (const [def, view] of [
    ["kvBucket", KV_VIEW],
    ["objectStore", OBJECT_STORE_VIEW],
  ] as const) {
    const props = defs[def]!.properties!;
    it(`${view.kind}: a setting for every field of the schema, with its unit and stream field`, () => {
      const fromSchema = Object.keys(props)
        .filter((k) => !JSPLAN_KEYS[def]?.includes(k))
        .sort();
      assert.deepEqual(view.settings.map((s) => s.name).sort(), fromSchema);
      for (const s of view.settings) {
        assert.equal(s.unit, unitOfProperty(props[s.name]!), `${s.name}: unit`);
        const wire = s.stream ?? s.name;
        if (wire !== "bucket") assert.ok(STREAM_FIELDS.row(wire), `${s.name}: ${wire} is a stream field`);
      }
    });
  }
});
