// The topology as Mermaid and DOT: in the markdown plan (what the plan touches, nodes marked by action,
// bounded) and from `jsplan graph` (the manifest's whole topology). Pure, no server.

import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { loadSources } from "../../src/load/load.js";
import { toDot, toMermaid } from "../../src/render/diagram.js";
import { renderPlanMarkdown } from "../../src/render/markdown.js";
import { boundTopology, desiredTopology } from "../../src/render/topology.js";
import { tempDir, writeFile } from "../connection/support.js";
import { runCli } from "../support/cli.js";
import { bigPlan } from "./big-plan.js";

const MANIFEST = `version: 1
streams:
  - name: ORDERS
    subjects: ["orders.>"]
    consumers:
      - name: worker
  - name: ORDERS_EU
    mirror: { name: ORDERS }
  - name: HUB_COPY
    sources:
      - { name: EDGE, domain: leaf }
key_value:
  - bucket: config
object_stores:
  - bucket: files
`;

function desired(text: string) {
  const loaded = loadSources([{ path: "m.yaml", text }], {});
  assert.ok(loaded.desired, loaded.diagnostics.map((d) => d.message).join("\n"));
  return loaded.desired;
}

describe("the topology diagram", () => {
  it("draws mirrors, sources with their domain, consumers and buckets", () => {
    const t = desiredTopology(desired(MANIFEST));
    const mermaid = toMermaid(t);
    assert.match(mermaid, /^flowchart LR\n/);
    const id = (label: string) => new RegExp(`(n\\d+)\\S*"${label}"`).exec(mermaid)?.[1];
    assert.ok(mermaid.includes(`${id("stream ORDERS")} -->|"mirror"| ${id("stream ORDERS_EU")}`), mermaid);
    assert.ok(
      mermaid.includes(`${id("stream EDGE")} -->|"source, domain leaf"| ${id("stream HUB_COPY")}`),
      mermaid,
    );
    assert.ok(mermaid.includes(`${id("stream ORDERS")} -.- ${id("consumer worker")}`), mermaid);
    assert.match(mermaid, /n\d+\[\("kv config"\)\]/, "a bucket is a cylinder");
    assert.match(mermaid, /n\d+\[\("object store files"\)\]/);
    const dot = toDot(t);
    assert.match(dot, /^digraph jsplan \{\n/);
    assert.match(dot, /"stream\.EDGE" -> "stream\.HUB_COPY" \[label="source, domain leaf"\];/);
    assert.match(dot, /"kv\.config" \[label="kv config", fillcolor="#f6f8fa", shape=cylinder\];/);
  });

  it("stays bounded: consumers become counts, then the rest is left out with a note", () => {
    const streams = Array.from(
      { length: 100 },
      (_, i) =>
        `  - name: S${i}\n    subjects: [s${i}]\n    consumers:\n${[0, 1, 2, 3, 4].map((c) => `      - name: c${c}\n`).join("")}`,
    );
    const t = desiredTopology(desired(`version: 1\nstreams:\n${streams.join("")}`));
    assert.equal(t.nodes.length, 600);
    const collapsed = boundTopology(t, 300);
    assert.equal(collapsed.nodes.length, 200);
    assert.match(toMermaid(collapsed), /\(\["5 consumers"\]\)/);
    const cut = boundTopology(t, 50);
    assert.equal(cut.nodes.length, 50);
    assert.match(toMermaid(cut), /"… 151 more not drawn"/);
  });

  it("is in the markdown plan: what it touches, marked by action, within the limit", () => {
    const plan = bigPlan(300, 5);
    const md = renderPlanMarkdown(plan);
    assert.ok(md.length <= 65_536);
    const diagram = /#### 🗺️ What this plan touches\n\n```mermaid\n([\s\S]*?)```/.exec(md)?.[1];
    assert.ok(diagram, "the diagram");
    assert.ok(md.indexOf("#### 🗺️") > md.indexOf("#### ⚠️"), "after the destructive steps");
    assert.ok(md.indexOf("#### 🗺️") < md.indexOf("#### ➕"), "before the other changes");
    assert.match(diagram, /"⛔ stream S010"\]:::blocked/);
    assert.match(diagram, /"🗑️ stream OLD0"\]:::delete/);
    assert.match(diagram, /classDef blocked /);
    assert.ok(diagram.split("\n").filter((l) => /^ {2}n\d+.*:::/.test(l)).length <= 81);
    assert.doesNotMatch(renderPlanMarkdown(plan, { diagram: false }), /```mermaid/);
  });
});

describe("jsplan graph", () => {
  it("prints the manifest's topology as Mermaid or DOT, and refuses a bad manifest", async () => {
    const { dir } = tempDir("jsplan-graph-");
    writeFile(path.join(dir, "jsplan.yaml"), MANIFEST);
    const mermaid = await runCli(["graph"], { cwd: dir });
    assert.equal(mermaid.code, 0, mermaid.stderr);
    assert.equal(mermaid.stdout, toMermaid(desiredTopology(desired(MANIFEST))));
    const dot = await runCli(["graph", "jsplan.yaml", "--format", "dot"], { cwd: dir });
    assert.equal(dot.code, 0, dot.stderr);
    assert.match(dot.stdout, /^digraph jsplan \{/);
    const bad = await runCli(["graph", "-"], {
      stdin: "version: 1\nstreams:\n  - name: A\n    max_age: soon\n",
    });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /max_age/);
    assert.match(bad.stderr, /nothing was drawn/);
    assert.equal(bad.stdout, "");
    const small = await runCli(["graph", "--max-nodes", "1"], { cwd: dir });
    assert.equal(small.code, 1);
    assert.match(small.stderr, /--max-nodes must be a whole number of at least 2/);
  });
});
