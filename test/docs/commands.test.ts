// Every `jsplan` command line in the CI examples, in docs/ and in the README uses a command and flags that
// exist: checked against the CLI's own --help. The CI examples are valid YAML of the expected shape.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import {
  CI_FILES,
  cliSurface,
  docsMarkdown,
  type Invocation,
  markdownInvocations,
  problems,
  readRepoFile,
  shellInvocations,
  yamlInvocations,
} from "./commands.js";

type Obj = Record<string, unknown>;

function commandLines(invocations: readonly Invocation[]): string[] {
  return invocations.map((i) => `jsplan ${i.args.join(" ")}`);
}

describe("the command checker itself", () => {
  it("finds commands after npx, env assignments, operators and prompts", () => {
    const found = commandLines([
      ...shellInvocations("npx --yes jsplan validate a/ && REPLICAS=3 jsplan plan -s x | tee p", "t", 1),
      ...shellInvocations("code=0; jsplan plan --out p.json || code=$?  # jsplan comment", "t", 2),
      ...markdownInvocations(
        "```text\n$ jsplan plan x.yaml\njsplan will perform these actions:\n```\n",
        "t.md",
      ),
    ]);
    assert.deepEqual(found, [
      "jsplan validate a/",
      "jsplan plan -s x",
      "jsplan plan --out p.json",
      "jsplan plan x.yaml",
    ]);
  });

  it("ignores jsplan as a word in prose, in quotes and in names", () => {
    const found = shellInvocations('echo "run jsplan apply --nope" jsplan.yaml owner jsplan', "t", 1);
    assert.deepEqual(found, []);
  });

  it("reports unknown commands, unknown flags and bad choices", async () => {
    const cli = await cliSurface();
    const bad = shellInvocations(
      "jsplan pln\njsplan plan --detailed-exit-code\njsplan plan --format yaml\njsplan apply --no-auto-approve",
      "t",
      1,
    ).flatMap((i) => problems(i, cli));
    assert.equal(bad.length, 3, bad.join("\n"));
    assert.match(bad[0]!, /no such command/);
    assert.match(bad[1]!, /no option --detailed-exit-code/);
    assert.match(bad[2]!, /not one of text, json, markdown/);
  });

  it("knows every command and the connection flags", async () => {
    const cli = await cliSurface();
    for (const c of ["validate", "plan", "apply", "export", "schema", "completion"])
      assert.ok(cli.commands.has(c), c);
    for (const f of ["-s", "--server", "--context", "--creds", "--js-domain", "--timeout"]) {
      assert.ok(cli.byCommand.get("plan")!.options.has(f), f);
    }
  });
});

describe("CI examples", () => {
  for (const file of CI_FILES) {
    it(`${file} is valid YAML`, () => {
      const docs = parseAllDocuments(readRepoFile(file));
      assert.equal(docs.length, 1);
      for (const d of docs) {
        assert.deepEqual(
          "errors" in d ? d.errors.map((e) => e.message) : [],
          [],
          `${file} does not parse as YAML`,
        );
      }
    });

    it(`${file}: every jsplan command line uses commands and flags that exist`, async () => {
      const cli = await cliSurface();
      const found = yamlInvocations(readRepoFile(file), file);
      assert.ok(found.length > 0, `no jsplan command found in ${file}`);
      assert.deepEqual(
        found.flatMap((i) => problems(i, cli)),
        [],
      );
    });
  }

  it("the GitHub workflow validates and plans pull requests and applies on main", () => {
    const wf = parseYaml(readRepoFile("examples/ci/github-actions.yml")) as Obj;
    const on = wf.on as Obj;
    assert.ok("pull_request" in on);
    assert.deepEqual((on.push as Obj).branches, ["main"]);
    const jobs = wf.jobs as Record<string, Obj>;
    assert.deepEqual(Object.keys(jobs), ["validate", "plan", "apply"]);
    const lines = (job: string) =>
      commandLines(yamlInvocations(JSON.stringify(jobs[job]), `github-actions.yml#${job}`)).join("\n");
    assert.match(lines("validate"), /^jsplan validate/m);
    assert.match(lines("plan"), /^jsplan plan .*--format markdown/m);
    assert.match(lines("plan"), /--detailed-exitcode/);
    assert.match(lines("apply"), /^jsplan apply .*--auto-approve/m);
    const steps = jobs.plan!.steps as Obj[];
    const comment = steps.find((s) => String(s.uses ?? "").startsWith("actions/github-script@"));
    assert.ok(comment, "the plan job posts its comment with actions/github-script");
    assert.match(String((comment.with as Obj).script), /updateComment/);
    assert.equal((jobs.plan!.permissions as Obj)["pull-requests"], "write");
  });

  it("the GitLab pipeline has the same three stages and writes a merge-request note", () => {
    const ci = parseYaml(readRepoFile("examples/ci/gitlab-ci.yml")) as Record<string, Obj> & {
      stages: string[];
    };
    assert.deepEqual(ci.stages, ["validate", "plan", "apply"]);
    for (const job of ["validate", "plan", "apply"]) assert.equal(ci[job]!.stage, job);
    const script = (job: string) => (ci[job]!.script as string[]).join("\n");
    assert.match(script("validate"), /jsplan validate/);
    assert.match(script("plan"), /jsplan plan .*--format markdown --detailed-exitcode/);
    assert.match(script("plan"), /merge_requests\/.*\/notes/);
    assert.match(script("apply"), /jsplan apply .*--auto-approve/);
    assert.doesNotMatch(script("apply"), /--allow-destroy/);
  });

  it("the pre-commit hook runs jsplan validate on the whole manifest", () => {
    const hooks = parseYaml(readRepoFile("examples/ci/pre-commit-hooks.yaml")) as Obj[];
    assert.ok(Array.isArray(hooks) && hooks.length >= 1);
    const hook = hooks.find((h) => h.id === "jsplan-validate");
    assert.ok(hook);
    for (const key of ["id", "name", "entry", "language"]) assert.equal(typeof hook[key], "string", key);
    assert.equal(hook.entry, "jsplan validate");
    assert.equal(hook.pass_filenames, false);
  });
});

describe("command lines in the documentation", () => {
  const files = ["README.md", "examples/ci/README.md", ...docsMarkdown()];
  let total = 0;
  for (const file of files) {
    it(`${file}: every jsplan command line uses commands and flags that exist`, async () => {
      const cli = await cliSurface();
      const found = markdownInvocations(readRepoFile(file), file);
      total += found.length;
      assert.deepEqual(
        found.flatMap((i) => problems(i, cli)),
        [],
      );
    });
  }
  it("found enough command lines to mean something", () => {
    assert.ok(total >= 60, `only ${total} jsplan command lines found in ${files.length} files`);
  });
});
