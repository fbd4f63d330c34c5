// Editors check a manifest against schemas/manifest.schema.json as written, before jsplan fills in
// `${VAR}`: the schema accepts a `${VAR}` string in every field the loader fills in, and still checks
// literal values. Checked with Ajv's draft 2020-12 validator, as yaml-language-server does.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import * as YAML from "yaml";
import { loadSources } from "../../src/load/load.js";
import { MANIFEST_SCHEMA_PATH, newAjv } from "../../src/load/schema.js";
import { REPO_ROOT } from "../support/paths.js";

const editor = newAjv().compile(JSON.parse(readFileSync(MANIFEST_SCHEMA_PATH, "utf8")));

function editorAccepts(text: string): boolean {
  return editor(YAML.parse(text, { merge: true }));
}

const stream = (fields: string) =>
  `version: 1\nstreams:\n  - name: A\n${fields.includes("subjects:") ? "" : "    subjects: [a]\n"}${fields}`;

describe("the manifest schema in an editor", () => {
  it("accepts the README's manifest", () => {
    const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    const block = /## The manifest in short\n\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(block, "the README has the manifest");
    assert.match(block, /num_replicas: \$\{REPLICAS:-1\}/);
    assert.ok(editorAccepts(block), JSON.stringify(editor.errors, null, 2));
  });

  const accepted = [
    "    num_replicas: ${REPLICAS:-1}\n",
    "    num_replicas: ${REPLICAS}\n",
    "    storage: ${STORAGE:-memory}\n",
    "    max_age: ${MAX_AGE:?set MAX_AGE}\n",
    "    max_bytes: ${MAX_BYTES-1GiB}\n",
    "    deny_delete: ${DENY:-true}\n",
    "    subjects: ['${PREFIX}.>']\n",
    "    consumers:\n      - name: c\n        max_deliver: ${DELIVER:-5}\n        ack_policy: ${ACK:-explicit}\n",
  ];
  for (const fields of accepted) {
    it(`accepts ${fields.trim()}, as the loader does`, () => {
      assert.ok(editorAccepts(stream(fields)), JSON.stringify(editor.errors, null, 2));
      const env = { REPLICAS: "3", STORAGE: "file", MAX_AGE: "1d", PREFIX: "a", DELIVER: "2", ACK: "none" };
      const loaded = loadSources([{ path: "m.yaml", text: stream(fields) }], env);
      assert.deepEqual(
        loaded.diagnostics.filter((d) => d.severity === "error").map((d) => d.message),
        [],
      );
    });
  }

  const refused = [
    "    num_replicas: three\n",
    "    num_replicas: 7\n",
    "    num_replicas: $${REPLICAS}\n",
    "    storage: disk\n",
    "    max_age: 5 minutes\n",
    "    deny_delete: sure\n",
    "    consumers:\n      - name: c\n        ack_policy: sometimes\n",
  ];
  for (const fields of refused) {
    it(`still refuses ${fields.trim()}`, () => {
      assert.equal(editorAccepts(stream(fields)), false);
    });
  }

  it("leaves the loader's own checks as they were: its messages name the field's rule", () => {
    const loaded = loadSources([{ path: "m.yaml", text: stream("    num_replicas: ${R}\n") }], { R: "7" });
    const messages = loaded.diagnostics.map((d) => d.message).join("\n");
    assert.match(messages, /num_replicas/);
    assert.doesNotMatch(messages, /interpolated|anyOf/);
  });
});
