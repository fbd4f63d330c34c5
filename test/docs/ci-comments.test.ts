// The CI examples post the markdown plan as ONE comment that later runs update: the GitHub workflow's
// github-script and the GitLab job's notes script are run here against stand-ins for the two APIs, with
// real markdown plans (the golden files) whose first line is jsplan's marker.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { FIXTURES } from "../support/paths.js";
import { readRepoFile } from "./commands.js";

type Obj = Record<string, unknown>;

const planA = readFileSync(path.join(FIXTURES, "plans/all-creates/plan.md"), "utf8");
const planB = readFileSync(path.join(FIXTURES, "plans/cascade-stream-replace/plan.md"), "utf8");
const markerOf = (md: string) => md.split("\n", 1)[0]!;

describe("the markdown plan's marker", () => {
  it("is the first line and names the owner", () => {
    assert.match(markerOf(planA), /^<!-- jsplan-plan owner=\S+ -->$/);
  });
});

// --- GitHub: actions/github-script -----------------------------------------------------------------------

interface Comment {
  id: number;
  body: string;
  user: { type: string; login: string };
}

function githubScript(): string {
  const wf = parseYaml(readRepoFile("examples/ci/github-actions.yml")) as {
    jobs: Record<string, { steps: Obj[] }>;
  };
  const step = wf.jobs.plan!.steps.find((s) => String(s.uses ?? "").startsWith("actions/github-script@"));
  assert.ok(step);
  return String((step.with as Obj).script);
}

/** Runs the workflow's script the way actions/github-script does: an async function body. */
async function runGithubScript(comments: Comment[], planMd: string): Promise<void> {
  let next = 1000;
  const github = {
    paginate: async (fn: (p: Obj) => Promise<{ data: Comment[] }>, params: Obj) => (await fn(params)).data,
    rest: {
      issues: {
        listComments: async (p: Obj) => {
          assert.equal(p.issue_number, 42);
          return { data: comments.map((c) => ({ ...c })) };
        },
        updateComment: async (p: { comment_id: number; body: string }) => {
          const c = comments.find((x) => x.id === p.comment_id);
          assert.ok(c, `no comment ${p.comment_id}`);
          c.body = p.body;
        },
        createComment: async (p: { issue_number: number; body: string }) => {
          assert.equal(p.issue_number, 42);
          comments.push({ id: next++, body: p.body, user: { type: "Bot", login: "github-actions[bot]" } });
        },
      },
    },
  };
  const context = { repo: { owner: "acme", repo: "infra" }, issue: { number: 42 } };
  const fakeRequire = (name: string) => {
    assert.equal(name, "fs");
    return {
      readFileSync: (file: string) => {
        assert.equal(file, "plan.md");
        return planMd;
      },
    };
  };
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
    ...args: string[]
  ) => (...a: unknown[]) => Promise<void>;
  await new AsyncFunction("require", "github", "context", githubScript())(fakeRequire, github, context);
}

describe("examples/ci/github-actions.yml: the plan comment", () => {
  it("is created on the first run and updated in place after that", async () => {
    const comments: Comment[] = [{ id: 1, body: "Looks good to me", user: { type: "User", login: "alice" } }];
    await runGithubScript(comments, planA);
    assert.equal(comments.length, 2);
    assert.equal(comments[1]!.body, planA);
    const changed = planA.replace("\n", "\nsomething else changed\n");
    await runGithubScript(comments, changed);
    await runGithubScript(comments, changed);
    assert.equal(comments.length, 2, "one comment, however often the plan runs");
    assert.equal(comments[1]!.body, changed);
  });

  it("leaves people's comments and other owners' plans alone", async () => {
    const other = planB.replace(markerOf(planB), "<!-- jsplan-plan owner=someone-else -->");
    const comments: Comment[] = [
      { id: 1, body: `${markerOf(planA)}\nquoted by a person`, user: { type: "User", login: "bob" } },
      { id: 2, body: other, user: { type: "Bot", login: "github-actions[bot]" } },
    ];
    await runGithubScript(comments, planA);
    assert.equal(comments.length, 3);
    assert.equal(comments[0]!.body, `${markerOf(planA)}\nquoted by a person`);
    assert.equal(comments[1]!.body, other);
    assert.equal(comments[2]!.body, planA);
  });

  it("refuses a plan.md without the marker (for instance an empty one)", async () => {
    await assert.rejects(runGithubScript([], ""), /marker/);
  });

  it("cuts a plan too long for a GitHub comment", async () => {
    const comments: Comment[] = [];
    const long = `${planA}${"x".repeat(70_000)}\n`;
    await runGithubScript(comments, long);
    assert.ok(comments[0]!.body.length <= 65_536);
    assert.ok(comments[0]!.body.startsWith(markerOf(planA)));
    await runGithubScript(comments, planA);
    assert.equal(comments.length, 1);
  });
});

// --- GitLab: the notes API ----------------------------------------------------------------------------------

interface Note {
  id: number;
  body: string;
}

/** The JavaScript of the plan job's `node --input-type=module <<'EOF'` block. */
function gitlabNoteScript(): string {
  const ci = parseYaml(readRepoFile("examples/ci/gitlab-ci.yml")) as Record<string, { script?: string[] }>;
  const block = ci.plan!.script!.find((l) => l.includes("<<'EOF'"));
  assert.ok(block, "the plan job has a node heredoc");
  const m = /<<'EOF'\n([\s\S]*?)\nEOF\s*$/.exec(block);
  assert.ok(m, "the heredoc ends with EOF on a line of its own");
  return m[1]!;
}

describe("examples/ci/gitlab-ci.yml: the merge-request note", () => {
  let server: http.Server;
  let base = "";
  const notes: Note[] = [];
  let nextId = 1;
  const seen: string[] = [];
  let dir = "";

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "jsplan-docs-gitlab-"));
    server = http.createServer((req, res) => {
      let data = "";
      req.on("data", (c) => {
        data += c;
      });
      req.on("end", () => {
        seen.push(`${req.method} ${req.url}`);
        if (req.headers["private-token"] !== "glpat-test") {
          res.writeHead(401).end("no token");
          return;
        }
        const url = new URL(req.url!, "http://x");
        const prefix = "/api/v4/projects/7/merge_requests/3/notes";
        if (req.method === "GET" && url.pathname === prefix) {
          const page = Number(url.searchParams.get("page") ?? "1");
          const per = Number(url.searchParams.get("per_page") ?? "20");
          const slice = notes.slice((page - 1) * per, page * per);
          const more = page * per < notes.length;
          res.writeHead(200, {
            "content-type": "application/json",
            "x-next-page": more ? String(page + 1) : "",
          });
          res.end(JSON.stringify(slice));
          return;
        }
        if (req.method === "POST" && url.pathname === prefix) {
          notes.push({ id: nextId++, body: (JSON.parse(data) as Note).body });
          res.writeHead(201, { "content-type": "application/json" }).end("{}");
          return;
        }
        const put = new RegExp(`^${prefix}/(\\d+)$`).exec(url.pathname);
        if (req.method === "PUT" && put) {
          const n = notes.find((x) => x.id === Number(put[1]));
          if (!n) {
            res.writeHead(404).end();
            return;
          }
          n.body = (JSON.parse(data) as Note).body;
          res.writeHead(200, { "content-type": "application/json" }).end("{}");
          return;
        }
        res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v4`;
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the job's script in a child process (asynchronously: this process answers its requests). */
  async function runJob(planMd: string): Promise<{ status: number | null; stderr: string }> {
    writeFileSync(path.join(dir, "plan.md"), planMd);
    const child = spawn(process.execPath, ["--input-type=module"], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        CI_API_V4_URL: base,
        CI_PROJECT_ID: "7",
        CI_MERGE_REQUEST_IID: "3",
        JSPLAN_GITLAB_TOKEN: "glpat-test",
      },
    });
    let stderr = "";
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    child.stdin.end(gitlabNoteScript());
    const timer = setTimeout(() => child.kill(), 20_000);
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    clearTimeout(timer);
    return { status, stderr };
  }

  it("is added on the first run and updated in place after that, also on a later page", async () => {
    for (let i = 0; i < 130; i++) notes.push({ id: nextId++, body: `review note ${i}` });
    let r = await runJob(planA);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(notes.length, 131);
    assert.equal(notes[130]!.body, planA);
    const changed = `${planA}one more line\n`;
    r = await runJob(changed);
    assert.equal(r.status, 0, r.stderr);
    r = await runJob(changed);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(notes.length, 131, "one note, however often the plan runs");
    assert.equal(notes[130]!.body, changed);
    assert.ok(
      seen.some((s) => s.includes("page=2")),
      "it read the second page",
    );
  });

  it("adds a separate note for another owner's plan", async () => {
    const r = await runJob(planB);
    assert.equal(r.status, 0, r.stderr);
    assert.notEqual(markerOf(planA), markerOf(planB));
    assert.equal(notes.filter((n) => n.body.startsWith("<!-- jsplan-plan ")).length, 2);
  });

  it("fails the job when plan.md has no marker", async () => {
    const r = await runJob("");
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /marker/);
  });
});
