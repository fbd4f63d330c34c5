// validate and plan read their everyday arguments without yargs (src/cli/fast-args.ts). Whatever the fast
// lane accepts, yargs must read the same way: the same command, and the same value for every argument the
// command uses. Random argument lists from the flags of both commands (and some they do not have).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { STDIN_ARG } from "../../src/cli/args/command.js";
import { fastArgs } from "../../src/cli/fast-args.js";
import type { CliIO } from "../../src/cli/io.js";
import { parseWithYargs } from "../../src/cli/run.js";
import { fcParams } from "../fuzz/support.js";

const USED = [
  "paths",
  "format",
  "quiet",
  "verbose",
  "color",
  "server",
  "context",
  "out",
  "detailed-exitcode",
  "target",
];

const silent = { write: () => {}, isTTY: false, columns: 100 };
const io: CliIO = {
  stdout: silent,
  stderr: silent,
  env: {},
  cwd: process.cwd(),
  stdinIsTTY: false,
  readStdin: async () => Buffer.from(""),
  prompt: async () => null,
  onInterrupt: () => () => {},
};

const token = fc.constantFrom(
  "m.yaml",
  "dir/",
  STDIN_ARG,
  "123",
  "--format",
  "--format=json",
  "--format=markdown",
  "json",
  "text",
  "markdown",
  "yaml",
  "--quiet",
  "--verbose",
  "--color",
  "--no-color",
  "--server",
  "-s",
  "--server=nats://a:4222",
  "nats://b:4222",
  "--context",
  "ctx",
  "--out",
  "plan.json",
  "--detailed-exitcode",
  "--target",
  "stream.A",
  "--timeout",
  "5s",
  "--help",
  "-h",
  "--",
  "--unknown",
  "-q",
  "",
);

function pick(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of USED) if (args[k] !== undefined) out[k] = args[k];
  return out;
}

describe("the fast lane of validate and plan reads arguments as yargs does", () => {
  it("for random argument lists", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("validate", "plan"),
        fc.array(token, { maxLength: 7 }),
        async (cmd, rest) => {
          const argv = [cmd, ...rest];
          const fast = fastArgs(argv);
          if (!fast) return;
          const slow = await parseWithYargs(argv, io);
          assert.ok(slow, `yargs refuses ${JSON.stringify(argv)}, the fast lane took it`);
          assert.equal(fast.command, slow.command);
          const expected = pick(slow.args);
          if (cmd === "validate") delete expected.target;
          assert.deepEqual(pick(fast.args), expected, JSON.stringify(argv));
        },
      ),
      fcParams(1),
    );
  });

  it("takes the everyday forms", () => {
    for (const argv of [
      ["validate"],
      ["validate", "m.yaml", "--format", "json"],
      ["plan", "m.yaml", "--server", "nats://x:4222", "--detailed-exitcode"],
      ["plan", "-s", "nats://x:4222", "--format=markdown", "--no-color", "--quiet", "a.yaml", "b.yaml"],
    ])
      assert.ok(fastArgs(argv), JSON.stringify(argv));
    assert.equal(fastArgs(["validate", "--help"]), undefined);
    assert.equal(fastArgs(["apply", "m.yaml"]), undefined);
  });
});
