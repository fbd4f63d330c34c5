// Every flag that docs/connection.md and docs/exit-codes.md mention exists in the CLI's --help, and the
// environment variable connection.md gives for a flag is the one --help names.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type CliSurface, cliSurface, readRepoFile } from "./commands.js";

/** `--flag` and `-s` mentions in a markdown text, outside of URLs and longer words. */
function mentionedFlags(markdown: string): Set<string> {
  const flags = new Set<string>();
  for (const m of markdown.matchAll(/(?<![\w/.-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?![\w-])/g)) flags.add(m[1]!);
  return flags;
}

function knownFlags(cli: CliSurface): Map<string, string> {
  const known = new Map<string, string>();
  for (const [name, o] of cli.global.options) known.set(name, o.text);
  for (const help of cli.byCommand.values()) for (const [name, o] of help.options) known.set(name, o.text);
  for (const [name, text] of [...known]) {
    if (/\[boolean\]/.test(text) && name.startsWith("--")) known.set(`--no-${name.slice(2)}`, text);
  }
  return known;
}

/** Shell options that appear in examples next to jsplan's own flags (`set -a`, `[ "$code" -eq 1 ]`, jq, npm). */
const NOT_JSPLAN = new Set(["-a", "-e", "-r", "-u", "-o", "-eq", "-ne", "--global", "--input-type", "--yes"]);

describe("documented flags exist", () => {
  for (const file of ["docs/connection.md", "docs/exit-codes.md"]) {
    it(`${file}: every flag it mentions is in --help`, async () => {
      const known = knownFlags(await cliSurface());
      const mentioned = [...mentionedFlags(readRepoFile(file))].filter((f) => !NOT_JSPLAN.has(f));
      assert.ok(mentioned.length >= (file.includes("connection") ? 15 : 4), `few flags found in ${file}`);
      const missing = mentioned.filter((f) => !known.has(f));
      assert.deepEqual(missing, [], `${file} mentions flags that jsplan does not have`);
    });
  }

  it("docs/connection.md lists every connection flag of --help, with the environment variable --help names", async () => {
    const cli = await cliSurface();
    const plan = cli.byCommand.get("plan")!;
    const doc = readRepoFile("docs/connection.md");
    const table = new Map<string, string>();
    for (const row of doc.split("\n").filter((l) => /^\| `-/.test(l))) {
      const [flagCell, envCell] = row.split("|").slice(1, 3);
      const env = /`([A-Z_]+)`/.exec(envCell ?? "")?.[1] ?? "";
      for (const f of flagCell!.matchAll(/`(--?[\w-]+)`/g)) table.set(f[1]!, env);
    }
    const connectionFlags = [...plan.options]
      .filter(([, o]) => o.group === "Connection")
      .map(([name]) => name);
    assert.ok(connectionFlags.length >= 14, "plan --help has a Connection group");
    for (const name of connectionFlags) {
      assert.ok(table.has(name), `docs/connection.md does not list ${name}`);
      const env = /\(([A-Z][A-Z_]+)[;)]/.exec(plan.options.get(name)!.text)?.[1] ?? "";
      assert.equal(
        table.get(name),
        env,
        `${name}: docs/connection.md says ${table.get(name) || "no variable"}, --help says ${env || "none"}`,
      );
    }
    for (const name of table.keys())
      assert.ok(plan.options.has(name), `docs/connection.md lists ${name}, which plan does not take`);
  });
});
