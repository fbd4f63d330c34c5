// Hostile input to the real CLI, each in a child process (`node bin/jsplan.js validate FILE`) with its heap
// limited, so that running out of memory is a crash this test sees, and a time limit far above normal, so
// that a hang (or something quadratic) fails instead of blocking the run: deep nesting, alias and merge-key
// bombs, huge scalars, numbers and keys, many documents, dense collections, `${` abuse, oversized files.
// Each must end with exit 1 (or 0 where the input is valid), a located message, and no crash.
//
// Limits (generous: the machine running the tests may be loaded):
const TIME_LIMIT_MS = 60_000;
/** The heap a run may use; past it node aborts, which fails the test. */
const HEAP_MB = 1024;
/** Peak resident memory, measured with /usr/bin/time where it exists. */
const RSS_LIMIT_KB = 1_500_000;

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { REPO_ROOT } from "../support/paths.js";
import { clipForReport } from "./support.js";

const work = mkdtempSync(path.join(tmpdir(), "jsplan-fuzz-hostile-"));
after(() => rmSync(work, { recursive: true, force: true }));

const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;
const BIN = path.join(REPO_ROOT, "bin", "jsplan.js");

interface Run {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Peak resident set size in KiB, when /usr/bin/time could measure it. */
  rssKb?: number;
}

/** `jsplan validate --format json FILE...` in a child process, killed when it runs past the time limit. */
function validate(files: readonly string[], stdin?: Buffer): Promise<Run> {
  const node = [`--max-old-space-size=${HEAP_MB}`, BIN, "validate", "--format", "json", ...files];
  const rssFile = path.join(work, `rss-${Math.random().toString(36).slice(2)}`);
  const [cmd, args] = TIME
    ? [TIME, ["-o", rssFile, "-f", "%M", process.execPath, ...node]]
    : [process.execPath, node];
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd: work, env: { PATH: process.env.PATH ?? "" } });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      // Keep enough to judge; a runaway output must not fill this process's memory.
      if (stdout.length < 32_000_000) stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      if (stderr.length < 100_000) stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), TIME_LIMIT_MS);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      let rssKb: number | undefined;
      if (TIME && existsSync(rssFile)) {
        // time(1) writes "Command exited with non-zero status N" before the number when the command fails.
        const last = readFileSync(rssFile, "utf8").trim().split("\n").pop() ?? "";
        const n = Number(last);
        if (Number.isFinite(n) && n > 0) rssKb = n;
        rmSync(rssFile, { force: true });
      }
      // time(1) passes the command's exit status on; a signal shows as 128+N.
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started, ...(rssKb ? { rssKb } : {}) });
    });
    // The CLI stops reading a too-large stdin early; the rest of the write then fails, which is expected.
    child.stdin.on("error", () => {});
    if (stdin) child.stdin.end(stdin);
    else child.stdin.end();
  });
}

interface Case {
  readonly name: string;
  /** The file's content, made when the test runs (some are tens of megabytes). */
  readonly content: () => string | Buffer;
  /** Exit codes allowed (default: 1). */
  readonly codes?: readonly number[];
  /** What one of the error messages says. */
  readonly message?: RegExp;
}

const laughs = (levels: number) => {
  let s = 'version: 1\nx-0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  for (let i = 1; i < levels; i++)
    s += `x-${i}: &l${i} [${Array(9)
      .fill(`*l${i - 1}`)
      .join(",")}]\n`;
  return s;
};

const mergeLaughs = (levels: number) => {
  let s = "version: 1\nx-0: &m0 {a0: 1}\n";
  for (let i = 1; i < levels; i++) s += `x-${i}: &m${i} {<<: [*m${i - 1}, {b${i}: 1}], c${i}: *m${i - 1}}\n`;
  return s;
};

const MB = 1024 * 1024;

const CASES: Case[] = [
  {
    name: "deep flow nesting (100,000 levels of [)",
    content: () => `version: 1\nstreams: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`,
    message: /nested/,
  },
  {
    name: "deep flow mappings (50,000 levels of {a: )",
    content: () => `version: 1\nx-deep: ${"{a: ".repeat(50_000)}1${"}".repeat(50_000)}\n`,
    message: /nested/,
  },
  {
    name: "deep block nesting (2,000 levels of lists and mappings)",
    content: () => {
      let s = "version: 1\nx-deep:\n";
      for (let i = 0; i < 2000; i++) s += `${" ".repeat(i + 1)}${i % 2 ? "- " : "k:"}\n`;
      return s;
    },
    message: /nested|YAML/,
  },
  {
    name: "billion laughs (9 levels of 9 aliases)",
    content: () => laughs(9),
    message: /aliases expand to more than/,
  },
  {
    name: "billion laughs through merge keys",
    content: () => mergeLaughs(40),
    message: /aliases expand to more than/,
  },
  {
    name: "an alias inside its own anchor, and a merge key that merges its own mapping",
    content: () => "version: 1\nx-a: &a [*a, *a]\nx-b: &b {<<: *b, k: 1}\n",
    message: /nested|alias|merge/,
  },
  {
    name: "a 20 MB plain scalar",
    content: () => `version: 1\nowner: ${"a".repeat(20 * MB)}\n`,
    message: /owner/,
  },
  {
    name: "a 20 MB double-quoted scalar with escapes",
    content: () => `version: 1\nowner: "${"\\u00e9a".repeat(3 * MB)}"\n`,
    message: /owner/,
  },
  {
    name: "a 2 MB key",
    content: () => `version: 1\n${"k".repeat(2 * MB)}: 1\n`,
    message: /unknown key/,
  },
  {
    name: "huge numbers: 100,000 digits, 1e400, a duration of 10^1,000,000 seconds, 9999999 PiB",
    content: () =>
      `version: 1\nstreams:\n  - name: A\n    subjects: [a]\n    max_msgs: ${"9".repeat(100_000)}\n    max_msgs_per_subject: 1e400\n    max_age: ${"9".repeat(1_000_000)}s\n    max_bytes: 9999999PiB\n    duplicate_window: 200000d\n    max_msg_size: 1e300\n`,
    message: /max_msgs|max_age|max_bytes/,
  },
  {
    name: "200,000 documents",
    content: () => "version: 1\n---\n".repeat(200_000),
    codes: [0],
  },
  {
    name: "50,000 documents with an error in each",
    content: () => "bad: 1\n---\n".repeat(50_000),
    message: /unknown key "bad"/,
  },
  {
    name: "500,000 aliases of one scalar",
    content: () => `version: 1\nx-a: &a 1\nbad: [${Array(500_000).fill("*a").join(",")}]\n`,
    message: /unknown key "bad"/,
  },
  {
    name: "20,000 aliases read by the yaml path (a ${VAR} forces it)",
    content: () =>
      `version: 1\nowner: \${OWNER:-o}\nx-a: &a 1\nbad: [${Array(20_000).fill("*a").join(",")}]\n`,
    message: /unknown key "bad"/,
  },
  {
    name: "a mapping of 60,000 keys read by the yaml path",
    content: () =>
      `version: 1\nowner: \${OWNER:-o}\nx-big:\n${Array.from({ length: 60_000 }, (_, i) => `  k${i}: ${i}\n`).join("")}bad: 1\n`,
    message: /unknown key "bad"/,
  },
  {
    name: "a dense 6 MB flow list (3,000,000 items)",
    content: () => `version: 1\nbad: [${"1,".repeat(3_000_000)}1]\n`,
    message: /unknown key "bad"|YAML tokens/,
  },
  {
    name: "a dense 5 MB list read by the yaml path",
    // A variable inside a flow collection is what sends a file down the yaml path.
    content: () => `version: 1\nbad: [\${ONE:-1},${"1,".repeat(2_500_000)}1]\n`,
    message: /YAML tokens/,
  },
  {
    name: "1 MB of random bytes",
    content: () => {
      const b = Buffer.alloc(MB);
      let x = 12345;
      for (let i = 0; i < b.length; i++) {
        x = (x * 1103515245 + 12345) & 0x7fffffff;
        b[i] = x >> 16;
      }
      return b;
    },
    message: /UTF-8|binary/,
  },
  {
    name: "${VAR} abuse: a 10 MB default, 1,000,000 references, unterminated and nested",
    content: () =>
      `version: 1\nowner: \${A:-${"x".repeat(10 * MB)}}\nx-many: ${"${A:-x}".repeat(1_000_000)}\nx-open: \${A:-${"y".repeat(MB)}\nx-nested: \${A:-\${B:-\${C}}}\n`,
    message: /owner|unterminated|inside another/,
  },
  {
    name: "a file over the size limit (33 MB)",
    content: () => Buffer.alloc(33 * MB, 0x61),
    message: /refused/,
  },
  {
    name: "20,000 streams under one subject prefix, and one stream with 20,000 subjects",
    content: () =>
      `version: 1\nstreams:\n${Array.from({ length: 20_000 }, (_, i) => `  - {name: S${i}, subjects: [t.s${i}.>]}\n`).join("")}  - name: MANY\n    subjects:\n${Array.from({ length: 20_000 }, (_, i) => `      - u.s${i}.>\n`).join("")}`,
    codes: [0],
  },
];

function check(c: Case, r: Run): void {
  const context = `${c.name}: exit ${r.code}${r.signal ? ` (signal ${r.signal})` : ""} after ${r.ms} ms${r.rssKb ? `, ${Math.round(r.rssKb / 1024)} MiB` : ""}\nstderr: ${clipForReport(r.stderr, 2000)}\nstdout: ${clipForReport(r.stdout, 2000)}`;
  assert.ok(r.ms < TIME_LIMIT_MS, `did not finish within ${TIME_LIMIT_MS / 1000} s\n${context}`);
  assert.ok((c.codes ?? [1]).includes(r.code ?? -1), `unexpected exit\n${context}`);
  assert.doesNotMatch(r.stderr, /\n\s+at |Error:|FATAL|heap|internal error/, `crash text\n${context}`);
  if (r.rssKb !== undefined)
    assert.ok(r.rssKb < RSS_LIMIT_KB, `used more than ${RSS_LIMIT_KB} KiB\n${context}`);
  const body = JSON.parse(r.stdout) as {
    valid: boolean;
    diagnostics: Array<{
      severity: string;
      file: string | null;
      line: number | null;
      address: string | null;
      message: string;
    }>;
  };
  assert.equal(body.valid, r.code === 0, context);
  for (const d of body.diagnostics) {
    assert.ok((d.file !== null && d.line !== null) || d.address !== null, `unlocated: ${JSON.stringify(d)}`);
    assert.ok(d.message.length <= 1000, `a message of ${d.message.length} characters\n${context}`);
  }
  if (c.message) {
    const errors = body.diagnostics.filter((d) => d.severity === "error").map((d) => d.message);
    assert.ok(
      errors.some((m) => c.message!.test(m)),
      `no error matches ${c.message}; got:\n${errors.slice(0, 5).join("\n")}\n${context}`,
    );
  }
}

describe("hostile input to jsplan validate, in a child process", () => {
  it("the CLI is built", () => {
    assert.ok(existsSync(path.join(REPO_ROOT, "dist", "src", "cli", "main.js")), "run the build first");
  });

  CASES.forEach((c, i) => {
    it(c.name, { timeout: TIME_LIMIT_MS * 2 }, async () => {
      const file = `case-${i}.yaml`;
      writeFileSync(path.join(work, file), c.content());
      try {
        check(c, await validate([file]));
      } finally {
        rmSync(path.join(work, file), { force: true });
      }
    });
  });

  it("a file over the size limit on standard input", { timeout: TIME_LIMIT_MS * 2 }, async () => {
    const r = await validate(["-"], Buffer.alloc(33 * MB, 0x61));
    check({ name: "33 MB on stdin", content: () => "", message: /standard input is larger/ }, r);
  });
});
