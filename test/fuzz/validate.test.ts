// `jsplan validate` on mutated, random and near-valid input, in-process: whatever the input, it exits 0 or 1,
// prints no stack trace or engine error, and every problem it reports says where it is (file:line:column,
// or the resource's address), in the text and the JSON output alike.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { parse, stringify } from "yaml";
import { runCli } from "../support/cli.js";
import {
  applyEdits,
  edit,
  type Json,
  mutate,
  mutation,
  nearValidManifest,
  scalarText,
  yamlText,
} from "./generators.js";
import { assertLocatedJson, assertLocatedText, assertNoCrash, fcParams, validBases } from "./support.js";

const work = mkdtempSync(path.join(tmpdir(), "jsplan-fuzz-validate-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** Validates the text on stdin, as JSON and as text, and checks both outputs. */
async function checkStdin(text: string, env: Record<string, string> = {}): Promise<number> {
  const context = `--- manifest (stdin) ---\n${text.length > 3000 ? `${text.slice(0, 3000)}…` : text}`;
  const json = await runCli(["validate", "-", "--format", "json"], { stdin: text, env });
  assertNoCrash(json, [0, 1], context);
  assertLocatedJson(json, context);
  const plain = await runCli(["validate", "-"], { stdin: text, env });
  assertNoCrash(plain, [0, 1], context);
  assert.equal(plain.code, json.code, `text and JSON output disagree\n${context}`);
  if (plain.code === 1) assertLocatedText(plain.stderr, "<stdin>", context);
  return json.code;
}

let fileCount = 0;

/** Validates files (given as text or bytes), with their paths as the user gives them. */
async function checkFiles(contents: ReadonlyArray<string | Uint8Array>): Promise<number> {
  const dir = path.join(work, `case-${++fileCount}`);
  const names = contents.map((_, i) => `m${i}.yaml`);
  mkdirSync(dir);
  for (const [i, c] of contents.entries()) writeFileSync(path.join(dir, names[i]!), c);
  try {
    const context = `--- files ---\n${contents.map((c) => (typeof c === "string" ? c : `<${c.length} bytes>`).slice(0, 1500)).join("\n---- next file ----\n")}`;
    const json = await runCli(["validate", ...names, "--format", "json"], { cwd: dir, env: {} });
    assertNoCrash(json, [0, 1], context);
    const diagnostics = assertLocatedJson(json, context);
    for (const d of diagnostics) {
      if (d.file !== null) assert.ok(names.includes(d.file), `a diagnostic about ${d.file}\n${context}`);
    }
    const plain = await runCli(["validate", ...names], { cwd: dir, env: {} });
    assertNoCrash(plain, [0, 1], context);
    assert.equal(plain.code, json.code);
    return json.code;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const styles = fc.record({
  indent: fc.constantFrom(2, 4),
  collectionStyle: fc.constantFrom<"any" | "block" | "flow">("any", "block", "flow"),
  defaultStringType: fc.constantFrom<"PLAIN" | "QUOTE_DOUBLE" | "QUOTE_SINGLE">(
    "PLAIN",
    "PLAIN",
    "QUOTE_DOUBLE",
    "QUOTE_SINGLE",
  ),
  lineWidth: fc.constantFrom(0, 20, 80),
});

describe("validate never crashes and always says where", () => {
  const bases = validBases().map((b) => ({ ...b, value: parse(b.text) as Json }));

  it("accepts the valid manifests it mutates", async () => {
    for (const b of bases) assert.equal(await checkStdin(b.text), 0, b.name);
  });

  it("structure-aware mutations: values, keys and types changed, keys dropped, values wrapped", async () => {
    let invalid = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...bases),
        fc.array(edit, { minLength: 1, maxLength: 5 }),
        styles,
        async (base, edits, style) => {
          const text = stringify(applyEdits(base.value, edits), style);
          if ((await checkStdin(text)) === 1) invalid++;
        },
      ),
      fcParams(1),
    );
    assert.ok(invalid > 0, "no mutation was invalid: the mutations do nothing");
  });

  it("character-level mutations of valid manifests", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...bases),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        async (base, mutations) => {
          await checkStdin(mutate(base.text, mutations));
        },
      ),
      fcParams(1),
    );
  });

  it("near-valid manifests from the format's vocabulary, in random styles", async () => {
    await fc.assert(
      fc.asyncProperty(nearValidManifest, styles, async (manifest, style) => {
        await checkStdin(stringify(manifest, style));
      }),
      fcParams(1),
    );
  });

  it("random YAML text", async () => {
    await fc.assert(
      fc.asyncProperty(yamlText, async (text) => {
        await checkStdin(text);
      }),
      fcParams(1),
    );
  });

  it("random strings and bytes (binary garbage, invalid UTF-8, NUL, BOMs)", async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc
        .tuple(fc.constantFrom(...bases), fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.nat())
        .map(([b, junk, at]) => {
          const buf = Buffer.from(b.text);
          const i = at % buf.length;
          return Buffer.concat([buf.subarray(0, i), junk, buf.subarray(i)]);
        }),
      fc.constantFrom(
        Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from("version: 1\nstreams: [{name: A}]\n")]),
        Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, ...Buffer.from("version: 1\n")]),
        Buffer.from([0xff, 0xfe, 0x76, 0x00]),
        Buffer.from("version: 1\u0000\n"),
        Buffer.from([0xc3, 0x28]),
        Buffer.from([0xed, 0xa0, 0x80]),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: "binary", maxLength: 100 }), bytes),
        async (c) => {
          await checkFiles([typeof c === "string" ? c : new Uint8Array(c)]);
        },
      ),
      fcParams(2),
    );
  });

  it("several files and documents at once: duplicates, owners, empty files", async () => {
    const doc = fc.oneof(
      fc.constantFrom(...bases).map((b) => b.text),
      fc
        .tuple(fc.constantFrom(...bases), fc.array(mutation, { maxLength: 3 }))
        .map(([b, m]) => mutate(b.text, m)),
      nearValidManifest.map((m) => stringify(m)),
      fc.constantFrom("", "---\n", "# only a comment\n", "version: 1\n", "version: 1\nowner: other\n"),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.array(doc, { minLength: 1, maxLength: 3 }).map((ds) => ds.join("\n---\n")),
          {
            minLength: 1,
            maxLength: 3,
          },
        ),
        async (files) => {
          await checkFiles(files);
        },
      ),
      fcParams(4),
    );
  });

  it("${VAR} edge cases: unterminated, nested, escaped, huge defaults, unset, required", async () => {
    const piece = fc.oneof(
      fc.constantFrom(
        "${A}",
        "${A:-3}",
        "${A-x}",
        "${A:?needed}",
        "${A?}",
        "${UNSET}",
        "${UNSET:-}",
        "${UNSET:?}",
        "${",
        "${A",
        "${A:-${B}}",
        "${A:-${B:-${C}}}",
        "$${A}",
        "$$${A}",
        "${}",
        "${1A}",
        "${A B}",
        "${A:-}}",
        "${A:=x}",
        "}",
        "$",
        "${A:-x".repeat(3),
        `\${A:-${"x".repeat(5000)}}`,
      ),
      scalarText,
    );
    const env = fc.dictionary(
      fc.constantFrom("A", "B", "C"),
      fc.oneof(scalarText, fc.string({ maxLength: 5 })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...bases),
        fc.array(fc.tuple(fc.nat(), fc.array(piece, { minLength: 1, maxLength: 3 })), {
          minLength: 1,
          maxLength: 3,
        }),
        env,
        async (base, inserts, vars) => {
          // Put the pieces after a `key: ` of the manifest, so they land in scalar values.
          let text = base.text;
          for (const [at, pieces] of inserts) {
            const keys = [...text.matchAll(/: /g)];
            const k = keys[at % keys.length]!;
            const i = k.index! + 2;
            text = text.slice(0, i) + pieces.join("") + text.slice(i);
          }
          await checkStdin(text, vars as Record<string, string>);
        },
      ),
      fcParams(1),
    );
  });
});
