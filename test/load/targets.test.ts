// Several accounts in one run, without a server: load splits the manifest by the natscli context each file
// names (a target each, with its own owner and duplicates), and the plan over several targets renders
// grouped by target, with a summary each and one overall (golden); the sessions of one target (the API,
// saved plans) refuse files that name contexts.

import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { reconcile } from "../../src/index.js";
import { loadSources } from "../../src/load/load.js";
import type { Plan } from "../../src/model/plan.js";
import { buildPlan } from "../../src/plan/plan.js";
import { rederive } from "../../src/reconcile/saved-manifest.js";
import { PLAIN } from "../../src/render/style.js";
import { renderTargetsMarkdown, renderTargetsText, targetsDocument } from "../../src/render/targets.js";
import { assertGolden } from "../support/golden.js";
import { observedFrom } from "../support/observed-fixture.js";
import { FIXTURES } from "../support/paths.js";

const files = [
  { path: "shared.yaml", text: "version: 1\nowner: platform\nstreams:\n  - name: AUDIT\n" },
  {
    path: "tenant-a.yaml",
    text: "version: 1\ncontext: tenant-a\nowner: team-a\nstreams:\n  - name: ORDERS\n---\nstreams:\n  - name: A_ONLY\n",
  },
  { path: "tenant-b.yaml", text: "context: tenant-b\nowner: team-b\nstreams:\n  - name: ORDERS\n" },
  { path: "tenant-a-more.yaml", text: "context: tenant-a\nkey_value:\n  - bucket: settings\n" },
];

const names = (d: { streams: readonly { name: string }[] }) => d.streams.map((s) => s.name);

describe("load: targets by context", () => {
  it("splits the files by the context they name, the default target first", () => {
    const r = loadSources(files, {});
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === "error"),
      [],
    );
    const t = r.targets!;
    assert.deepEqual(
      t.map((x) => [x.context, x.desired.owner, names(x.desired), x.files.map((f) => f.path)]),
      [
        [null, "platform", ["AUDIT"], ["shared.yaml"]],
        ["tenant-a", "team-a", ["ORDERS", "A_ONLY"], ["tenant-a.yaml", "tenant-a-more.yaml"]],
        ["tenant-b", "team-b", ["ORDERS"], ["tenant-b.yaml"]],
      ],
    );
    assert.deepEqual(
      t[1]!.desired.keyValues.map((b) => b.name),
      ["settings"],
    );
    assert.deepEqual(t[1]!.pos, { file: "tenant-a.yaml", line: 2, col: 1 });
    // Together for the commands that do not connect; ORDERS twice is two accounts, not a duplicate.
    assert.deepEqual(names(r.desired!), ["AUDIT", "ORDERS", "A_ONLY", "ORDERS"]);
  });

  it("without context: one default target, the desired state as before", () => {
    const r = loadSources([files[0]!], {});
    assert.equal(r.targets?.length, 1);
    assert.equal(r.targets![0]!.context, null);
    assert.equal(r.desired, r.targets![0]!.desired);
  });

  it("the same address twice in one target is still a duplicate", () => {
    const r = loadSources(
      [files[1]!, { path: "again.yaml", text: "context: tenant-a\nstreams:\n  - name: ORDERS\n" }],
      {},
    );
    const msgs = r.diagnostics.filter((d) => d.severity === "error").map((d) => d.message);
    assert.deepEqual(msgs, [
      "stream ORDERS is declared twice: first at tenant-a.yaml:5:11; keep one declaration",
    ]);
  });

  it("a file targets one context; owners differ per target, not across them", () => {
    const r = loadSources(
      [{ path: "mixed.yaml", text: "context: a\nstreams: []\n---\ncontext: b\nstreams: []\n" }],
      {},
    );
    const e = r.diagnostics.filter((d) => d.severity === "error");
    assert.equal(e.length, 1);
    assert.equal(e[0]!.code, "semantic.context-conflict");
    assert.deepEqual(e[0]!.pos, { file: "mixed.yaml", line: 4, col: 1 });
    assert.match(e[0]!.message, /context "b" differs from context "a" at mixed\.yaml:1:1/);
  });

  it("a context is a name, never a path or credentials", () => {
    for (const bad of ["../other", "/etc/ctx.json", "a..b", "nats://u:p@host"]) {
      const r = loadSources([{ path: "m.yaml", text: `context: ${JSON.stringify(bad)}\n` }], {});
      assert.ok(
        r.diagnostics.some((d) => d.severity === "error" && d.pos?.line === 1),
        `${bad}: ${r.diagnostics.map((d) => d.message).join("; ")}`,
      );
    }
  });
});

describe("render: a plan grouped by target", () => {
  it("a header and a summary per target, one overall (text and JSON)", () => {
    const r = loadSources(files, {});
    const observed = observedFrom({
      server: { version: "2.15.1" },
      streams: [{ config: { name: "AUDIT", subjects: ["AUDIT"], metadata: { "jsplan.owner": "platform" } } }],
    });
    const plans = r.targets!.map((t) => {
      const outcome = buildPlan({ desired: t.desired, observed, jsplanVersion: "0.0.0-test" });
      assert.ok(outcome.plan);
      return {
        ...outcome.plan,
        target: {
          url: "nats://127.0.0.1:4222",
          context: t.context,
          account: t.context ? t.context.toUpperCase() : null,
        },
      };
    });
    assertGolden(path.join(FIXTURES, "targets", "plan.txt"), renderTargetsText(plans, PLAIN));
    const md = renderTargetsMarkdown(plans);
    assert.ok(md.indexOf("### Target: default connection") < md.indexOf("### Target: context tenant-a"), md);
    assert.match(
      md,
      /\*\*Overall \(3 targets\): 4 to create, 0 to update, 0 to replace, 0 to delete\.\*\*\n$/,
    );
    const doc = targetsDocument(plans);
    assert.deepEqual(
      doc.plans.map((p) => p.target?.context ?? null),
      [null, "tenant-a", "tenant-b"],
    );
    assert.deepEqual(doc.summary, {
      create: plans.reduce((n, p) => n + p.summary.create, 0),
      update: 0,
      replace: 0,
      delete: 0,
      no_op: plans.reduce((n, p) => n + p.summary.no_op, 0),
    });
  });
});

describe("the sessions of one target refuse files that name contexts", () => {
  const named = [{ path: "tenant-a.yaml", text: "version: 1\ncontext: tenant-a\nstreams: []\n" }];

  it("the API's reconcile: a diagnostic at the key, nothing applied", async () => {
    const r = await reconcile({
      manifest: { files: named },
      connection: { servers: ["nats://127.0.0.1:1"], timeoutMs: 500 },
      env: {},
    });
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.pos]),
      [["manifest.context-unsupported", { file: "tenant-a.yaml", line: 2, col: 1 }]],
    );
    assert.equal(r.plan, undefined);
  });

  it("a saved plan whose manifest names contexts is not re-derived", async () => {
    const observed = observedFrom({ server: { version: "2.15.1" } });
    const r = await rederive({} as Plan, { sources: named, variables: {}, targets: [] }, observed, {});
    assert.deepEqual(r, {
      ok: false,
      problems: [
        "the manifest it records names natscli contexts (context:), which a saved plan does not support",
      ],
    });
  });
});
