// The markdown plan fits in a pull-request comment whatever the plan's size: destructive and blocked steps
// first and in full, then the other changes by action, and a note saying how much was left out and where
// the full plan is. Pure: the plan is built in memory.

import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Plan } from "../../src/model/plan.js";
import { DEFAULT_MAX_CHARS, renderPlanMarkdown } from "../../src/render/markdown.js";
import { bigPlan } from "./big-plan.js";

let plan: Plan;
let md: string;

const acting = () => plan.changes.filter((c) => c.action !== "no-op");
const destructive = () => acting().filter((c) => c.destructive || c.blocked);
const listed = (text: string, address: string) => text.includes(`\`${address}\``);

describe("the markdown plan of 300 streams × 5 consumers", () => {
  before(() => {
    plan = bigPlan(300, 5);
    md = renderPlanMarkdown(plan);
  });

  it("is a large plan with deletes, replaces, updates and a blocked step", () => {
    const s = plan.summary;
    assert.ok(s.create >= 700 && s.delete >= 60 && s.replace >= 30 && s.update >= 10, JSON.stringify(s));
    assert.ok(acting().some((c) => c.blocked));
  });

  it("stays within 65,536 characters, and within any --max-chars", () => {
    assert.ok(md.length <= DEFAULT_MAX_CHARS, `${md.length} characters`);
    assert.ok(md.length > DEFAULT_MAX_CHARS * 0.8, `uses the room it has (${md.length})`);
    for (const max of [4_000, 10_000, 30_000, 200_000]) {
      const out = renderPlanMarkdown(plan, { maxChars: max });
      assert.ok(out.length <= max, `${out.length} > ${max}`);
    }
  });

  it("starts with the marker and ends with the summary line", () => {
    assert.match(md, /^<!-- jsplan-plan owner=platform -->\n/);
    assert.match(md, /`Plan: [\d,]+ to create, [\d,]+ to update, [\d,]+ to replace, [\d,]+ to delete\.`\n$/);
  });

  it("lists every destructive and blocked step, with its details, before anything else", () => {
    const firstGroup = md.indexOf("\n#### ➕");
    assert.ok(firstGroup > 0);
    for (const c of destructive()) {
      const at = md.indexOf(`| \`${c.address}\` |`);
      assert.ok(at > 0 && at < firstGroup, `${c.address} is in the table of destructive steps`);
      assert.ok(
        md.includes(`<summary><code>${c.address}</code> ${c.action}</summary>`),
        `${c.address} details`,
      );
    }
    const table = md.slice(md.indexOf("#### ⚠️"), firstGroup);
    assert.match(table.split("\n").find((l) => l.startsWith("| ")) ?? "", /Resource/);
    const firstRow = table.split("\n").filter((l) => l.startsWith("| ") && l.includes("`"))[0]!;
    assert.match(firstRow, /\*\*\(blocked\)\*\*/, "blocked steps come first");
    assert.match(table, /1,500 messages/);
  });

  it("names the blocked and destructive steps in the warning boxes, and keeps the --allow-destroy one", () => {
    const caution = /> \[!CAUTION\]\n> (.*)\n/.exec(md)?.[1] ?? "";
    assert.match(
      caution,
      /6 steps blocked by `protect: true`: `stream\.S010` \(replace\), `consumer\.S010\.worker_0`/,
    );
    const warning = /> \[!WARNING\]\n> (.*)\n/.exec(md)?.[1] ?? "";
    assert.match(warning, /destructive steps, apply needs `--allow-destroy`: `stream\.OLD\d` \(delete\)/);
    assert.match(warning, /and \d+ more/);
  });

  it("groups the other changes by action, creates first", () => {
    const heads = [...md.matchAll(/^#### (\S+) ([\d,]+) (.*)$/gm)].map((m) => m[3]);
    assert.deepEqual(heads.slice(0, 1), ["destructive steps"]);
    assert.ok(
      heads.indexOf("to create") < heads.indexOf("to update in place") ||
        !heads.includes("to update in place"),
    );
  });

  it("says how many changes it left out, and where the full plan is", () => {
    const md = renderPlanMarkdown(plan, { maxChars: 30_000 });
    const notListed = acting().filter((c) => !listed(md, c.address)).length;
    assert.ok(notListed > 0);
    const m = /Shortened to fit in 30,000 characters: ([\d,]+) of ([\d,]+) changes are not listed/.exec(md);
    assert.ok(m, "the note");
    assert.equal(Number(m[1]!.replace(/,/g, "")), notListed);
    assert.equal(Number(m[2]!.replace(/,/g, "")), acting().length);
    assert.match(md, /The full plan: run `jsplan plan`/);
    assert.match(renderPlanMarkdown(plan), /the details of [\d,]+ listed changes are left out/);
    const linked = renderPlanMarkdown(plan, { fullPlan: "[the job log](https://ci.example/run/7)" });
    assert.match(linked, /The full plan: \[the job log\]\(https:\/\/ci\.example\/run\/7\)\./);
  });

  it("shows everything, with no note, when it fits", () => {
    const all = renderPlanMarkdown(plan, { maxChars: 10_000_000 });
    assert.doesNotMatch(all, /Shortened/);
    for (const c of acting()) assert.ok(listed(all, c.address), c.address);
  });

  it("still lists the destructive steps when the limit leaves room for little else", () => {
    const out = renderPlanMarkdown(plan, { maxChars: 12_000 });
    assert.ok(out.length <= 12_000);
    for (const c of destructive()) assert.ok(listed(out, c.address), c.address);
  });
});
