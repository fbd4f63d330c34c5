// The GitHub Action (action.yml) posts the plan as ONE sticky pull-request comment: its script
// (scripts/github-comment.mjs) runs here against a local HTTP server that speaks the part of the GitHub
// REST API it uses (list with pages, create, update), with real markdown plans whose first line is the
// marker.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { type HttpStub, type StubAnswer, type StubRequest, startHttpStub } from "../support/http-stub.js";
import { FIXTURES, REPO_ROOT } from "../support/paths.js";

interface Comment {
  id: number;
  body: string;
  user: { login: string; type: string };
  html_url: string;
}

const planA = readFileSync(path.join(FIXTURES, "plans/all-creates/plan.md"), "utf8");
const planB = readFileSync(path.join(FIXTURES, "plans/cascade-stream-replace/plan.md"), "utf8");
const markerOf = (md: string) => md.split("\n", 1)[0]!;

describe("action.yml", () => {
  it("validates, plans, comments, writes the summary and passes or fails by the exit code", () => {
    const action = parseYaml(readFileSync(path.join(REPO_ROOT, "action.yml"), "utf8")) as {
      runs: { using: string; steps: { name?: string; run?: string; if?: string }[] };
      inputs: Record<string, unknown>;
    };
    assert.equal(action.runs.using, "composite");
    const run = action.runs.steps.map((s) => s.run ?? "").join("\n");
    assert.match(run, /\$JSPLAN validate \$MANIFESTS/);
    assert.match(run, /\$JSPLAN plan \$MANIFESTS --format markdown --detailed-exitcode --max-chars/);
    assert.match(run, />> "\$GITHUB_STEP_SUMMARY"/);
    assert.match(run, /scripts\/github-comment\.mjs" plan\.md/);
    assert.match(run, /if \[ "\$CODE" = "1" \]; then .*exit 1; fi/);
    for (const input of ["manifests", "comment", "fail-on-changes", "max-chars", "github-token"])
      assert.ok(input in action.inputs, input);
  });
});

describe("scripts/github-comment.mjs against a local GitHub API", () => {
  let stub: HttpStub;
  let api = "";
  let comments: Comment[] = [];
  let nextId = 1;
  const seen: string[] = [];
  let dir = "";

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "jsplan-action-"));
    stub = await startHttpStub(answer);
    api = stub.base;
  });

  after(async () => {
    await stub.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The part of the GitHub REST API the script uses: list (with pages), create, update. */
  function answer(req: StubRequest): StubAnswer {
    const { method, url } = req;
    seen.push(`${method} ${url.pathname}${url.search}`);
    if (req.headers.authorization !== "Bearer ghs_test")
      return { status: 401, body: { message: "Bad credentials" } };
    const list = /^\/repos\/acme\/infra\/issues\/(\d+)\/comments$/.exec(url.pathname);
    if (method === "GET" && list) {
      const page = Number(url.searchParams.get("page") ?? "1");
      const per = Number(url.searchParams.get("per_page") ?? "30");
      const next = new URL(url);
      next.searchParams.set("page", String(page + 1));
      const more = page * per < comments.length;
      return {
        status: 200,
        body: comments.slice((page - 1) * per, page * per),
        ...(more ? { headers: { link: `<${next}>; rel="next"` } } : {}),
      };
    }
    if (method === "POST" && list) {
      const id = nextId++;
      const c: Comment = {
        id,
        body: (JSON.parse(req.body) as { body: string }).body,
        user: { login: "github-actions[bot]", type: "Bot" },
        html_url: `https://github.example/acme/infra/pull/${list[1]}#issuecomment-${id}`,
      };
      comments.push(c);
      return { status: 201, body: c };
    }
    const one = /^\/repos\/acme\/infra\/issues\/comments\/(\d+)$/.exec(url.pathname);
    const c = one ? comments.find((x) => x.id === Number(one[1])) : undefined;
    if (method === "PATCH" && c) {
      c.body = (JSON.parse(req.body) as { body: string }).body;
      return { status: 200, body: c };
    }
    return { status: 404, body: { message: "Not Found" } };
  }

  async function post(planMd: string, env: Record<string, string> = {}) {
    writeFileSync(path.join(dir, "plan.md"), planMd);
    const event = path.join(dir, "event.json");
    writeFileSync(event, JSON.stringify({ pull_request: { number: 42 } }));
    const output = path.join(dir, "output.txt");
    writeFileSync(output, "");
    const child = spawn(process.execPath, [path.join(REPO_ROOT, "scripts/github-comment.mjs"), "plan.md"], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        GITHUB_API_URL: api,
        GITHUB_TOKEN: "ghs_test",
        GITHUB_REPOSITORY: "acme/infra",
        GITHUB_EVENT_PATH: event,
        GITHUB_OUTPUT: output,
        ...env,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => {
      stdout += c;
    });
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    return { status, stdout, stderr, output: readFileSync(output, "utf8") };
  }

  it("creates the comment on the first run, then updates the same one, also when it is on a later page", async () => {
    comments = Array.from({ length: 130 }, (_, i) => ({
      id: nextId++,
      body: `review ${i}`,
      user: { login: "alice", type: "User" },
      html_url: "",
    }));
    let r = await post(planA);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^created https:\/\/github\.example\/acme\/infra\/pull\/42#issuecomment-\d+\n$/);
    assert.equal(comments.length, 131);
    const mine = comments[130]!;
    assert.equal(mine.body, planA);
    assert.match(r.output, new RegExp(`comment-id=${mine.id}\n`));

    const changed = planA.replace("\n", "\nthe plan changed\n");
    r = await post(changed);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^updated /);
    r = await post(changed);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(comments.length, 131, "one comment, however often the plan runs");
    assert.equal(mine.body, changed);
    assert.ok(
      seen.some((s) => s.includes("page=2")),
      "it read the second page",
    );
    assert.ok(seen.some((s) => s.startsWith(`PATCH /repos/acme/infra/issues/comments/${mine.id}`)));
  });

  it("leaves people's comments and other owners' plans alone", async () => {
    comments = [
      {
        id: nextId++,
        body: `${markerOf(planB)}\nquoted by a person`,
        user: { login: "bob", type: "User" },
        html_url: "",
      },
    ];
    const r = await post(planB, { JSPLAN_PR_NUMBER: "7" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(comments.length, 2);
    assert.equal(comments[0]!.body, `${markerOf(planB)}\nquoted by a person`);
    assert.equal(comments[1]!.body, planB);
    await post(planA, { JSPLAN_PR_NUMBER: "7" });
    assert.equal(comments.length, 3, "another owner's plan is a comment of its own");
  });

  it("fails clearly without the marker, without a token, or when the API refuses", async () => {
    let r = await post("no marker here\n");
    assert.equal(r.status, 1);
    assert.match(r.stderr, /does not start with the jsplan marker/);
    r = await post(planA, { GITHUB_TOKEN: "" });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /GITHUB_TOKEN is not set/);
    r = await post(planA, { GITHUB_TOKEN: "wrong" });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /GET \/repos\/acme\/infra\/issues\/42\/comments answered 401/);
  });
});
