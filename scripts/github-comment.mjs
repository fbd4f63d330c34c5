#!/usr/bin/env node
// Posts the markdown plan as ONE pull-request comment and updates it on every run: the comment is found by
// the marker on the plan's first line (`<!-- jsplan-plan owner=… -->`), among the comments a bot wrote.
// Used by action.yml; plain fetch against the GitHub REST API, no dependencies.
//
//   node scripts/github-comment.mjs plan.md
//
// Environment: GITHUB_TOKEN, GITHUB_REPOSITORY (owner/repo), and the pull request's number in
// JSPLAN_PR_NUMBER or the event in GITHUB_EVENT_PATH; GITHUB_API_URL (default https://api.github.com);
// GITHUB_OUTPUT, when set, gets comment-id and comment-url.
import { appendFileSync, readFileSync } from "node:fs";

const LIMIT = 65_536; // what GitHub accepts in a comment

function fail(message) {
  console.error(`github-comment: ${message}`);
  process.exit(1);
}

function pullRequestNumber() {
  if (process.env.JSPLAN_PR_NUMBER) return Number(process.env.JSPLAN_PR_NUMBER);
  const file = process.env.GITHUB_EVENT_PATH;
  if (!file) return undefined;
  const event = JSON.parse(readFileSync(file, "utf8"));
  return event.pull_request?.number ?? event.issue?.number;
}

async function api(method, url, body) {
  const res = await fetch(url, {
    method,
    headers: {
      accept: "application/vnd.github+json",
      authorization: `Bearer ${process.env.GITHUB_TOKEN}`,
      "x-github-api-version": "2022-11-28",
      ...(body ? { "content-type": "application/json" } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok)
    fail(`${method} ${new URL(url).pathname} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return { data: await res.json(), link: res.headers.get("link") ?? "" };
}

/** Every comment of the pull request, following the `Link: <…>; rel="next"` pages. */
async function listComments(base, issue) {
  const all = [];
  let url = `${base}/issues/${issue}/comments?per_page=100`;
  while (url) {
    const { data, link } = await api("GET", url);
    all.push(...data);
    url = /<([^>]+)>;\s*rel="next"/.exec(link)?.[1];
  }
  return all;
}

async function main() {
  const file = process.argv[2] ?? "plan.md";
  let body = readFileSync(file, "utf8");
  const marker = body.split("\n", 1)[0];
  if (!marker.startsWith("<!-- jsplan-plan ")) fail(`${file} does not start with the jsplan marker`);
  if (!process.env.GITHUB_TOKEN) fail("GITHUB_TOKEN is not set");
  const repo = process.env.GITHUB_REPOSITORY;
  if (!repo?.includes("/")) fail("GITHUB_REPOSITORY (owner/repo) is not set");
  const issue = pullRequestNumber();
  if (!issue) fail("no pull request: set JSPLAN_PR_NUMBER, or run on a pull_request event");
  if (body.length > LIMIT)
    body = `${body.slice(0, LIMIT - 200)}\n\n… cut: see the job summary for the whole plan.\n`;
  const base = `${(process.env.GITHUB_API_URL ?? "https://api.github.com").replace(/\/$/, "")}/repos/${repo}`;
  const previous = (await listComments(base, issue)).find(
    (c) => c.user?.type === "Bot" && typeof c.body === "string" && c.body.startsWith(marker),
  );
  const { data } = previous
    ? await api("PATCH", `${base}/issues/comments/${previous.id}`, { body })
    : await api("POST", `${base}/issues/${issue}/comments`, { body });
  console.log(`${previous ? "updated" : "created"} ${data.html_url ?? `comment ${data.id}`}`);
  if (process.env.GITHUB_OUTPUT)
    appendFileSync(process.env.GITHUB_OUTPUT, `comment-id=${data.id}\ncomment-url=${data.html_url ?? ""}\n`);
}

await main();
