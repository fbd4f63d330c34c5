// What a new user does: clone the repository into an empty folder and run the README's two commands
// (`npm install && npm run demo`, then `npm test`), then pack the package and install it in another empty
// folder and use it (`npx jsplan --help`, `npx jsplan validate` with the default jsplan.yaml, the API).
// The clone is of the committed HEAD, as CI has it. The nested `npm test` skips this file.
//
// The nested `npm test` runs a sample of the suite (the loader's tests, offline, and the apply tests against
// real nats-servers on both lines): that proves the README's command builds, provisions the servers and runs
// tests in a fresh clone. The whole suite already runs in the outer `npm test`; running it twice doubled CI's
// time (23 minutes on a slow 2-core runner) and ran two suites' worth of nats-servers at once.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { REPO_ROOT } from "../support/paths.js";

/** Test files (path substrings) the nested `npm test` runs: see the note at the top. */
const NESTED_SAMPLE = ["test/load/", "test/apply/"];

const nested = process.env.JSPLAN_NESTED_TEST === "1";
const work = mkdtempSync(path.join(tmpdir(), "jsplan-new-user-"));
after(() => rmSync(work, { recursive: true, force: true }));

function sh(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  // node:test marks its children with NODE_TEST_CONTEXT; a nested `npm test` would then refuse to run.
  // `npm test` hands its config to children as npm_config_* (this repository's engine-strict among them); a
  // new user's shell has none of it.
  const { NODE_TEST_CONTEXT: _, ...inherited } = process.env;
  const outer = Object.fromEntries(Object.entries(inherited).filter(([k]) => !/^npm_config_/i.test(k)));
  const r = spawnSync(cmd, args, {
    cwd,
    env: { ...outer, CI: "1", NO_COLOR: "1", NATS_URL: "", NATS_CONTEXT: "", ...env },
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** The commands of the README's code blocks that a new user runs, as written there. */
function readmeCommands(): string[] {
  const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
  return [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
}

describe("a new user", { skip: nested ? "inside the nested npm test" : false }, () => {
  const clone = path.join(work, "clone");

  it("finds the two commands in the README", () => {
    assert.deepEqual(readmeCommands(), ["npm install && npm run demo", "npm test"]);
  });

  it("clones, installs and runs the demo", { timeout: 600_000 }, () => {
    const c = sh("git", ["clone", "--quiet", REPO_ROOT, clone], work);
    assert.equal(c.code, 0, c.out);
    const install = sh("npm", ["install", "--no-audit", "--no-fund"], clone);
    assert.equal(install.code, 0, install.out);
    const demo = sh("npm", ["run", "demo"], clone);
    assert.equal(demo.code, 0, demo.out);
    assert.match(demo.out, /Plan: 9 to create, 0 to update, 0 to replace, 0 to delete\./);
    assert.match(demo.out, /Apply complete/);
    assert.match(demo.out, /max_age: +1d → 30d/);
    assert.match(demo.out, /No changes\. The server matches the manifest\./);
  });

  it("runs the tests (the README's command, on a sample of the suite)", { timeout: 900_000 }, () => {
    const t = sh("npm", ["test", "--", ...NESTED_SAMPLE], clone, { JSPLAN_NESTED_TEST: "1" });
    // The nested output is long: on failure, show the failing tests' names and the end.
    const failing = t.out.split("\n").filter((l) => /^\s*not ok /.test(l));
    assert.equal(t.code, 0, `${failing.join("\n")}\n…\n${t.out.slice(-5000)}`);
    assert.match(t.out, /# fail 0/);
    // The sample ran tests on both server lines, so both binaries were provisioned in the clone.
    assert.match(t.out, /nats-server 2\.10/);
    assert.match(t.out, /nats-server 2\.15/);
    assert.doesNotMatch(t.out, /# pass 0\b/);
  });

  it("packs the package, installs it in an empty folder and uses it", { timeout: 600_000 }, () => {
    const pack = sh("npm", ["pack", "--silent"], clone);
    assert.equal(pack.code, 0, pack.out);
    const tarball = readdirSync(clone).find((f) => f.endsWith(".tgz"));
    assert.ok(tarball, pack.out);
    const listed = sh("tar", ["-tzf", path.join(clone, tarball!)], clone).out.split("\n");
    assert.ok(listed.includes("package/bin/jsplan.js"));
    assert.ok(listed.includes("package/dist/schema/manifest-validator.cjs"));
    assert.ok(listed.includes("package/schemas/manifest.schema.json"));
    assert.ok(
      !listed.some(
        (f) =>
          f.startsWith("package/dist/test/") || f.startsWith("package/test/") || f.startsWith("package/src/"),
      ),
      "ships only what users need",
    );

    const app = path.join(work, "app");
    sh("mkdir", ["-p", app], work);
    writeFileSync(
      path.join(app, "package.json"),
      JSON.stringify({ name: "app", private: true, type: "module" }),
    );
    const install = sh("npm", ["install", "--no-audit", "--no-fund", path.join(clone, tarball!)], app);
    assert.equal(install.code, 0, install.out);
    // npm warns EBADENGINE for @nats-io/nuid on Node 20 (see DEVELOPERS.md, Packaging), but nothing fails.
    assert.doesNotMatch(install.out, /npm error/i, install.out);

    const help = sh("npx", ["--no-install", "jsplan", "--help"], app);
    assert.equal(help.code, 0, help.out);
    assert.match(help.out, /jsplan validate/);
    const version = sh("npx", ["--no-install", "jsplan", "--version"], app);
    assert.equal(
      version.out.trim(),
      JSON.parse(readFileSync(path.join(clone, "package.json"), "utf8")).version,
    );

    writeFileSync(path.join(app, "jsplan.yaml"), readFileSync(path.join(clone, "examples/streams.yaml")));
    const validate = sh("npx", ["--no-install", "jsplan", "validate"], app);
    assert.equal(validate.code, 0, validate.out);
    assert.match(validate.out, /jsplan\.yaml is valid: 5 streams, 4 consumers/);

    writeFileSync(
      path.join(app, "use.mjs"),
      'import { load } from "jsplan";\nconst r = await load(["jsplan.yaml"]);\nconsole.log(r.desired.streams.map((s) => s.name).join(","));\n',
    );
    const api = sh("node", ["use.mjs"], app);
    assert.equal(api.code, 0, api.out);
    assert.equal(api.out.trim(), "ORDERS,SHIPMENTS_WORK,RETURNS,ORDERS_EU,AUDIT");
  });
});
