// The JSON that validate and apply print for machines follows its published schema
// (schemas/validate-result.schema.json, schemas/apply-result.schema.json), in success and in failure.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import { serverLines, serverTest } from "../harness/index.js";
import { runCli } from "../support/cli.js";
import { REPO_ROOT } from "../support/paths.js";

const ajv = new Ajv2020({ allErrors: true, strict: true });
const schema = (name: string) =>
  ajv.compile(JSON.parse(readFileSync(path.join(REPO_ROOT, "schemas", name), "utf8")));
const validateResult = schema("validate-result.schema.json");
const applyResult = schema("apply-result.schema.json");

function assertMatches(check: typeof validateResult, output: string): Record<string, unknown> {
  const value = JSON.parse(output) as Record<string, unknown>;
  assert.ok(check(value), `${JSON.stringify(check.errors, null, 2)}\n${output}`);
  return value;
}

describe("validate --format json", () => {
  it("a valid manifest", async () => {
    const r = await runCli(["validate", "-", "--format", "json"], {
      stdin: "version: 1\nstreams:\n  - name: A\n    subjects: [a]\n    consumers:\n      - name: c\n",
    });
    assert.equal(r.code, 0, r.stderr);
    const out = assertMatches(validateResult, r.stdout);
    assert.equal(out.valid, true);
    assert.deepEqual(out.summary, {
      errors: 0,
      warnings: 0,
      streams: 1,
      consumers: 1,
      key_value: 0,
      object_stores: 0,
    });
  });

  it("errors with their places", async () => {
    const r = await runCli(["validate", "-", "--format", "json"], {
      stdin: "version: 1\nstreams:\n  - name: A\n    max_agee: 1d\n  - name: A\n",
    });
    assert.equal(r.code, 1);
    const out = assertMatches(validateResult, r.stdout);
    assert.equal(out.valid, false);
    assert.ok((out.diagnostics as unknown[]).length >= 2);
  });

  it("a file that is not YAML", async () => {
    const r = await runCli(["validate", "-", "--format", "json"], { stdin: "streams: [\n" });
    assert.equal(r.code, 1);
    assertMatches(validateResult, r.stdout);
  });
});

for (const line of serverLines()) {
  describe(`nats-server ${line}: apply --format json`, () => {
    const manifest =
      "owner: t\nstreams:\n  - name: S\n    subjects: [s.>]\n    consumers:\n      - name: c\n";
    const apply = (url: string, text: string, extra: string[] = []) =>
      runCli(["apply", "-", "-s", url, "--auto-approve", "--format", "json", ...extra], { stdin: text });

    serverTest("success, then nothing to do", { line }, async (_t, server) => {
      const r = await apply(server.url, manifest);
      assert.equal(r.code, 0, r.stderr);
      const out = assertMatches(applyResult, r.stdout);
      assert.deepEqual(out.summary, { succeeded: 2, failed: 0, not_executed: 0, changed: 0, unknown: 0 });
      const again = await apply(server.url, manifest);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(assertMatches(applyResult, again.stdout).results, []);
    });

    serverTest(
      "a failed step and the steps that depend on it",
      { line, jetstreamConfig: "max_memory_store: 1MB" },
      async (_t, server) => {
        // The server's own memory store (which only the system account can read, so the plan cannot predict
        // it) cannot hold S: the server refuses S, and its consumer cannot be created.
        const big = manifest.replace(
          "subjects: [s.>]",
          "subjects: [s.>]\n    storage: memory\n    max_bytes: 10MiB",
        );
        const r = await apply(server.url, big);
        assert.equal(r.code, 1);
        const out = assertMatches(applyResult, r.stdout);
        const byAddress = Object.fromEntries(
          (out.results as Array<{ address: string; status: string }>).map((x) => [x.address, x.status]),
        );
        assert.equal(byAddress["stream.S"], "failed");
        assert.equal(byAddress["consumer.S.c"], "not_executed");
      },
    );
  });
}
