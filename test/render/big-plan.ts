// A large plan built in memory, no server: 300 streams × 5 consumers, of which some are deleted, replaced
// (with their consumers), updated, and one replace is blocked by protect: true.

import assert from "node:assert/strict";
import { loadSources } from "../../src/load/load.js";
import type { ConsumerConfig, StreamConfig } from "../../src/model/jetstream.js";
import type { Plan } from "../../src/model/plan.js";
import { buildPlan } from "../../src/plan/plan.js";
import { observedFrom } from "../support/observed-fixture.js";

interface StreamSpec {
  readonly name: string;
  readonly storage?: string;
  readonly protect?: boolean;
  readonly description?: string;
}

function manifest(streams: readonly StreamSpec[], consumers: number): string {
  const out = ["version: 1", "owner: platform", "streams:"];
  for (const s of streams) {
    out.push(`  - name: ${s.name}`, `    subjects: ["${s.name.toLowerCase()}.>"]`, "    max_age: 7d");
    if (s.storage) out.push(`    storage: ${s.storage}`);
    if (s.protect) out.push("    protect: true");
    if (s.description) out.push(`    description: ${s.description}`);
    out.push("    consumers:");
    for (let i = 0; i < consumers; i++)
      out.push(`      - name: worker_${i}`, "        ack_policy: explicit", `        max_deliver: ${3 + i}`);
  }
  return `${out.join("\n")}\n`;
}

function plan(text: string, observed: ReturnType<typeof observedFrom>): Plan {
  const loaded = loadSources([{ path: "manifest.yaml", text }], {});
  assert.ok(loaded.desired, loaded.diagnostics.map((d) => d.message).join("\n"));
  const outcome = buildPlan({ desired: loaded.desired, observed, jsplanVersion: "0.0.0-test" });
  assert.ok(outcome.plan, outcome.diagnostics.map((d) => d.message).join("\n"));
  return outcome.plan;
}

const SERVER = { version: "2.15.1", cluster: null, domain: null, clustered: false };
const name = (i: number) => `S${String(i).padStart(3, "0")}`;

/**
 * `streams` × `consumers`: the first 60% exist on the server already; 10 streams the server holds are no
 * longer declared (deleted with their consumers), 5 change storage (replaced), one of them protected
 * (blocked), 10 change their description (updated); the rest are new.
 */
export function bigPlan(streams = 300, consumers = 5): Plan {
  const existing = Math.floor(streams * 0.6);
  const before: StreamSpec[] = [
    ...Array.from({ length: existing }, (_, i) => ({ name: name(i) })),
    ...Array.from({ length: 10 }, (_, i) => ({ name: `OLD${i}` })),
  ];
  const made = plan(manifest(before, consumers), observedFrom({ server: SERVER }));
  const observed = observedFrom({
    server: SERVER,
    streams: made.changes
      .filter((c) => c.kind === "stream")
      .map((c) => ({
        config: c.after as unknown as StreamConfig,
        state: { messages: 1500, bytes: 80_000, consumer_count: consumers },
      })),
    consumers: made.changes
      .filter((c) => c.kind === "consumer")
      .map((c) => ({ stream: c.stream!, config: c.after as unknown as ConsumerConfig })),
  });
  const after: StreamSpec[] = Array.from({ length: streams }, (_, i) => ({
    name: name(i),
    ...(i >= 10 && i < 15 ? { storage: "memory" } : {}),
    ...(i === 10 ? { protect: true } : {}),
    ...(i >= 20 && i < 30 ? { description: "changed" } : {}),
  }));
  return plan(manifest(after, consumers), observed);
}
