#!/usr/bin/env node
// A real browser's look at the markdown plan of a large change: the plan of 300 streams × 5 consumers with
// deletes, replaces and a blocked step (built in memory, test/render/big-plan.ts) is rendered to HTML as
// GitHub would (GitHub-flavoured markdown, alerts, folded details, Mermaid), opened in headless Chromium,
// and screenshotted. Needs a build (dist/), Chromium, and marked + mermaid, which it installs into a
// folder of its own under the system's temp directory (never into the project).
//
//   node scripts/browser-check.mjs [--out docs/how-to/plan-comment.png] [--dom FILE]
//
// Prints the markdown's length; writes the screenshot, and with --dom the DOM after Mermaid ran.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const out = path.resolve(arg("--out") ?? path.join(root, "docs/how-to/plan-comment.png"));
const domOut = arg("--dom");

export function findChromium() {
  for (const c of [
    process.env.CHROMIUM,
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
  ]) {
    if (!c) continue;
    const r = spawnSync(c, ["--version"], { encoding: "utf8" });
    if (r.status === 0) return c;
  }
  return undefined;
}

const chromium = findChromium();
if (!chromium) {
  console.error("browser-check: no Chromium found (set CHROMIUM to its path)");
  process.exit(3);
}
const tools = path.join(os.tmpdir(), "jsplan-browser-check");
if (!existsSync(path.join(tools, "node_modules/mermaid/dist/mermaid.min.js"))) {
  mkdirSync(tools, { recursive: true });
  writeFileSync(path.join(tools, "package.json"), '{"private":true}\n');
  const r = spawnSync("npm", ["install", "--no-audit", "--no-fund", "marked@15", "mermaid@11"], {
    cwd: tools,
    stdio: "inherit",
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const { bigPlan } = await import(pathToFileURL(path.join(root, "dist/test/render/big-plan.js")).href);
const { renderPlanMarkdown } = await import(
  pathToFileURL(path.join(root, "dist/src/render/markdown.js")).href
);
const { marked } = await import(
  pathToFileURL(path.join(tools, "node_modules/marked/lib/marked.esm.js")).href
);

const md = renderPlanMarkdown(bigPlan(300, 5), {
  fullPlan: "[the job log](https://github.com/acme/infra/actions/runs/1)",
});
console.log(`markdown: ${md.length} characters (limit 65536)`);

// GitHub's alerts (> [!WARNING]) and Mermaid blocks, as github.com shows them.
const renderer = {
  code({ text, lang }) {
    if (lang === "mermaid") return `<pre class="mermaid">${text.replace(/</g, "&lt;")}</pre>`;
    return false;
  },
  blockquote({ tokens }) {
    const html = this.parser.parse(tokens);
    const m = /^<p>\[!(NOTE|WARNING|CAUTION)\]\s*/.exec(html);
    if (!m) return `<blockquote>${html}</blockquote>`;
    return `<div class="alert ${m[1].toLowerCase()}"><p class="title">${m[1][0]}${m[1].slice(1).toLowerCase()}</p><p>${html.slice(m[0].length)}</div>`;
  },
};
marked.use({ gfm: true, renderer });
const body = marked.parse(md);
const mermaidJs = pathToFileURL(path.join(tools, "node_modules/mermaid/dist/mermaid.min.js")).href;
const html = `<!doctype html><html><head><meta charset="utf-8"><title>jsplan plan comment</title>
<style>
body { font: 14px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1f2328; margin: 0; background: #f6f8fa; }
.comment { max-width: 880px; margin: 16px auto; background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 16px 24px; }
h3, h4 { margin: 20px 0 8px; } table { border-collapse: collapse; } td, th { border: 1px solid #d0d7de; padding: 4px 10px; }
code { background: #eff1f3; padding: 1px 4px; border-radius: 4px; font-size: 85%; }
pre { background: #f6f8fa; padding: 12px; overflow: auto; } pre.mermaid { background: #fff; text-align: center; }
.alert { border-left: 4px solid; padding: 4px 12px; margin: 12px 0; } .alert .title { font-weight: 600; margin: 0; }
.alert.warning { border-color: #9a6700; } .alert.warning .title { color: #9a6700; }
.alert.caution { border-color: #cf222e; } .alert.caution .title { color: #cf222e; }
.alert.note { border-color: #0969da; } .alert.note .title { color: #0969da; }
details { margin: 4px 0; } summary { cursor: pointer; }
</style></head><body><div class="comment">${body}</div>
<script src="${mermaidJs}"></script>
<script>mermaid.initialize({ startOnLoad: false, securityLevel: "loose", maxTextSize: 60000 });
mermaid.run({ querySelector: "pre.mermaid" }).then(() => { document.body.dataset.mermaid = "done"; },
  (e) => { document.body.dataset.mermaid = "failed: " + e; });</script>
</body></html>`;
const page = path.join(tools, "plan.html");
writeFileSync(page, html);

const flags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--hide-scrollbars",
  "--virtual-time-budget=15000",
  "--run-all-compositor-stages-before-draw",
];
mkdirSync(path.dirname(out), { recursive: true });
const shot = spawnSync(
  chromium,
  [
    ...flags,
    `--window-size=940,${process.env.JSPLAN_SHOT_HEIGHT ?? "5600"}`,
    `--screenshot=${out}`,
    pathToFileURL(page).href,
  ],
  { encoding: "utf8" },
);
if (shot.status !== 0 || !existsSync(out)) {
  console.error(`browser-check: the screenshot failed:\n${shot.stderr}`);
  process.exit(1);
}
console.log(`screenshot: ${out}`);
if (domOut) {
  const dom = spawnSync(chromium, [...flags, "--dump-dom", pathToFileURL(page).href], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (dom.status !== 0) {
    console.error(`browser-check: --dump-dom failed:\n${dom.stderr}`);
    process.exit(1);
  }
  writeFileSync(domOut, dom.stdout);
  console.log(`dom: ${domOut}`);
}
