// Issue acceptance: "a field changed out of band with the client shows up as exactly that field; removing a
// field from the manifest plans its return to the default."
//
// Drift: jsplan applies a manifest; the test changes one field behind jsplan's back (raw API or nats.js,
// as an operator would); the plan shows exactly that field, with the live value before and the manifest's
// value after; apply; the next plan is empty.
// Removal: jsplan applies a manifest; the field is removed from the manifest; the plan shows exactly that
// field going back to the server's default; apply; the next plan is empty.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Plan } from "../../src/model/plan.js";
import { connectTo, keepLogsOnFailure, type NatsServer, serverLines, startServer } from "../harness/index.js";
import { applyOk, assertEmpty, planOf } from "../support/jsplan.js";
import { consumerInfo, deleteStreams, jsApiOk, type Obj, streamInfo, yaml } from "./support.js";

const S = 1_000_000_000;
const MIN = 60 * S;
const H = 60 * MIN;

interface Ctx {
  readonly name: string;
  readonly subj: string;
  readonly owner: string;
}

interface Expected {
  readonly path: string;
  /** Absent: the field is unset on that side. */
  readonly before?: unknown;
  readonly after?: unknown;
  /** Default "update". */
  readonly action?: "update" | "replace";
  /** Fields the server derives from this one, which change with it. */
  readonly derived?: ReadonlyArray<{ path: string; before?: unknown; after?: unknown }>;
}

interface DriftCase extends Expected {
  readonly kind: "stream" | "consumer";
  readonly label: string;
  /** Extra fields of the stream (`{name, subjects: [<subj>.>]}`), or of its consumer `c`. */
  readonly fields: Obj;
  /** Changes the live resource out of band. */
  readonly drift: (nc: NatsConnection, c: Ctx) => Promise<void>;
}

interface RemovalCase extends Expected {
  readonly kind: "stream" | "consumer";
  /** The manifest's fields; `removed` is taken out of them. */
  readonly fields: Obj;
  readonly removed: string;
}

/** The stream's live config with `change` applied, sent back raw (the API replaces the whole config). */
async function updateStreamRaw(nc: NatsConnection, name: string, change: (cfg: Obj) => void): Promise<void> {
  const config = { ...((await streamInfo(nc, name)).config as Obj) };
  change(config);
  await jsApiOk(nc, `STREAM.UPDATE.${name}`, config);
}

async function updateConsumerRaw(nc: NatsConnection, c: Ctx, change: (cfg: Obj) => void): Promise<void> {
  const config = { ...((await consumerInfo(nc, c.name, "c")).config as Obj) };
  change(config);
  await jsApiOk(nc, `CONSUMER.CREATE.${c.name}.c`, { stream_name: c.name, config, action: "update" });
}

const DRIFTS: DriftCase[] = [
  {
    kind: "stream",
    label: "max_age changed with the raw API",
    fields: { max_age: "1h" },
    drift: (nc, c) => updateStreamRaw(nc, c.name, (cfg) => (cfg.max_age = 2 * H)),
    path: "max_age",
    before: 2 * H,
    after: H,
  },
  {
    kind: "stream",
    label: "description changed with nats.js",
    fields: { description: "managed by jsplan" },
    drift: async (nc, c) => {
      await (await jetstreamManager(nc)).streams.update(c.name, { description: "changed by hand" });
    },
    path: "description",
    before: "changed by hand",
    after: "managed by jsplan",
  },
  {
    kind: "stream",
    label: "max_msgs set with nats.js",
    fields: {},
    drift: async (nc, c) => {
      await (await jetstreamManager(nc)).streams.update(c.name, { max_msgs: 500 });
    },
    path: "max_msgs",
    before: 500,
    after: -1,
  },
  {
    kind: "stream",
    label: "metadata key added with the raw API",
    fields: { metadata: { team: "orders" } },
    drift: (nc, c) =>
      updateStreamRaw(nc, c.name, (cfg) => (cfg.metadata = { ...(cfg.metadata as Obj), "added.by": "hand" })),
    path: 'metadata["added.by"]',
    before: "hand",
  },
  {
    kind: "stream",
    label: "metadata value changed with the raw API",
    fields: { metadata: { team: "orders" } },
    drift: (nc, c) =>
      updateStreamRaw(nc, c.name, (cfg) => (cfg.metadata = { ...(cfg.metadata as Obj), team: "billing" })),
    path: "metadata.team",
    before: "billing",
    after: "orders",
  },
  {
    kind: "stream",
    label: "jsplan's owner marker removed with the raw API",
    fields: { metadata: { team: "orders" } },
    drift: (nc, c) =>
      updateStreamRaw(nc, c.name, (cfg) => {
        const { "jsplan.owner": _, ...rest } = cfg.metadata as Obj;
        cfg.metadata = rest;
      }),
    path: 'metadata["jsplan.owner"]',
    after: "OWNER",
  },
  {
    kind: "stream",
    label: "a subject added with the raw API",
    fields: {},
    drift: (nc, c) =>
      updateStreamRaw(nc, c.name, (cfg) => (cfg.subjects = [...(cfg.subjects as string[]), `${c.subj}x`])),
    path: "subjects",
    before: ["SUBJ.>", "SUBJx"],
    after: ["SUBJ.>"],
  },
  {
    kind: "stream",
    label: "deny_delete turned on with the raw API (one way: its return is a replace)",
    fields: {},
    drift: (nc, c) => updateStreamRaw(nc, c.name, (cfg) => (cfg.deny_delete = true)),
    path: "deny_delete",
    before: true,
    action: "replace",
  },
  {
    kind: "consumer",
    label: "ack_wait changed with nats.js",
    fields: { ack_policy: "explicit", ack_wait: "30s" },
    drift: async (nc, c) => {
      await (await jetstreamManager(nc)).consumers.update(c.name, "c", { ack_wait: 45 * S });
    },
    path: "ack_wait",
    before: 45 * S,
    after: 30 * S,
  },
  {
    kind: "consumer",
    label: "max_deliver changed with nats.js",
    fields: { ack_policy: "explicit", max_deliver: 5 },
    drift: async (nc, c) => {
      await (await jetstreamManager(nc)).consumers.update(c.name, "c", { max_deliver: 7 });
    },
    path: "max_deliver",
    before: 7,
    after: 5,
  },
  {
    kind: "consumer",
    label: "max_ack_pending changed with nats.js",
    fields: { ack_policy: "explicit" },
    drift: async (nc, c) => {
      await (await jetstreamManager(nc)).consumers.update(c.name, "c", { max_ack_pending: 20 });
    },
    path: "max_ack_pending",
    before: 20,
    after: 1000,
  },
  {
    kind: "consumer",
    label: "description added with the raw API",
    fields: { ack_policy: "explicit" },
    drift: (nc, c) => updateConsumerRaw(nc, c, (cfg) => (cfg.description = "by hand")),
    path: "description",
    before: "by hand",
  },
  {
    kind: "consumer",
    label: "metadata value changed with the raw API",
    fields: { ack_policy: "explicit", metadata: { app: "billing" } },
    drift: (nc, c) =>
      updateConsumerRaw(nc, c, (cfg) => (cfg.metadata = { ...(cfg.metadata as Obj), app: "orders" })),
    path: "metadata.app",
    before: "orders",
    after: "billing",
  },
];

const REMOVALS: RemovalCase[] = [
  { kind: "stream", fields: { max_age: "1h" }, removed: "max_age", path: "max_age", before: H, after: 0 },
  { kind: "stream", fields: { description: "d" }, removed: "description", path: "description", before: "d" },
  {
    kind: "stream",
    fields: { max_msgs: 1000 },
    removed: "max_msgs",
    path: "max_msgs",
    before: 1000,
    after: -1,
  },
  {
    kind: "stream",
    fields: { max_bytes: "1MiB" },
    removed: "max_bytes",
    path: "max_bytes",
    before: 1048576,
    after: -1,
  },
  {
    kind: "stream",
    fields: { discard: "new" },
    removed: "discard",
    path: "discard",
    before: "new",
    after: "old",
  },
  {
    kind: "stream",
    fields: { duplicate_window: "1m" },
    removed: "duplicate_window",
    path: "duplicate_window",
    before: MIN,
    after: 2 * MIN,
  },
  {
    kind: "stream",
    fields: { allow_direct: true },
    removed: "allow_direct",
    path: "allow_direct",
    before: true,
  },
  {
    kind: "stream",
    fields: { compression: "s2" },
    removed: "compression",
    path: "compression",
    before: "s2",
    after: "none",
  },
  {
    kind: "stream",
    fields: { consumer_limits: { max_ack_pending: 100 } },
    removed: "consumer_limits",
    path: "consumer_limits",
    before: { max_ack_pending: 100 },
  },
  {
    kind: "stream",
    fields: { metadata: { team: "orders", tier: "1" } },
    removed: "metadata.tier",
    path: "metadata.tier",
    before: "1",
  },
  {
    kind: "stream",
    fields: { subjects: ["SUBJ.a"] },
    removed: "subjects",
    path: "subjects",
    before: ["SUBJ.a"],
    after: ["NAME"],
  },
  {
    kind: "consumer",
    fields: { ack_policy: "explicit", ack_wait: "10s" },
    removed: "ack_wait",
    path: "ack_wait",
    before: 10 * S,
    after: 30 * S,
  },
  {
    kind: "consumer",
    fields: { ack_policy: "explicit", max_deliver: 5 },
    removed: "max_deliver",
    path: "max_deliver",
    before: 5,
    after: -1,
  },
  {
    kind: "consumer",
    fields: { ack_policy: "explicit", max_ack_pending: 200 },
    removed: "max_ack_pending",
    path: "max_ack_pending",
    before: 200,
    after: 1000,
  },
  {
    kind: "consumer",
    fields: { description: "d" },
    removed: "description",
    path: "description",
    before: "d",
  },
  {
    kind: "consumer",
    fields: { filter_subject: "SUBJ.a" },
    removed: "filter_subject",
    path: "filter_subject",
    before: "SUBJ.a",
  },
  {
    kind: "consumer",
    fields: { inactive_threshold: "1h" },
    removed: "inactive_threshold",
    path: "inactive_threshold",
    before: H,
  },
  {
    kind: "consumer",
    fields: { headers_only: true },
    removed: "headers_only",
    path: "headers_only",
    before: true,
  },
  {
    kind: "consumer",
    fields: { ack_policy: "explicit", backoff: ["1s", "5s"] },
    removed: "backoff",
    path: "backoff",
    before: [S, 5 * S],
    // The server sets ack_wait to the first backoff step; without backoff it is the 30s default again.
    derived: [{ path: "ack_wait", before: S, after: 30 * S }],
  },
  {
    kind: "consumer",
    fields: { metadata: { app: "billing", tier: "1" } },
    removed: "metadata.tier",
    path: "metadata.tier",
    before: "1",
  },
];

/** Placeholders in the tables: SUBJ is the row's subject prefix, NAME its stream, OWNER its owner. */
function fill<T>(v: T, c: Ctx): T {
  const text = JSON.stringify(v)
    .replaceAll("SUBJ", c.subj)
    .replaceAll("NAME", c.name)
    .replaceAll("OWNER", c.owner);
  return JSON.parse(text) as T;
}

/** `ownSubjects`: the case sets the stream's subjects itself (present or removed). */
function manifestOf(kind: "stream" | "consumer", fields: Obj, c: Ctx, ownSubjects = false): Obj {
  const f = fill(fields, c);
  const base: Obj = { name: c.name, ...(ownSubjects ? {} : { subjects: [`${c.subj}.>`] }) };
  const stream: Obj = kind === "stream" ? { ...base, ...f } : { ...base, consumers: [{ name: "c", ...f }] };
  return { version: 1, owner: c.owner, streams: [stream] };
}

function without(fields: Obj, path: string): Obj {
  const out = structuredClone(fields);
  const [head, key] = path.split(".");
  if (key) delete (out[head!] as Obj)[key];
  else delete out[head!];
  return out;
}

/** The plan changes exactly one field of exactly one resource, as expected. */
function assertOnlyField(plan: Plan, address: string, e: Expected, c: Ctx): void {
  const acting = plan.changes.filter((ch) => ch.action !== "no-op");
  assert.deepEqual(
    acting.map((ch) => ch.address),
    [address],
    `only ${address} should change: ${JSON.stringify(acting.map((ch) => ({ address: ch.address, diff: ch.diff })))}`,
  );
  const change = acting[0]!;
  assert.equal(change.action, e.action ?? "update", `action of ${address}`);
  const entry = (d: { path: string; before?: unknown; after?: unknown }) => ({
    path: d.path,
    ...(d.before !== undefined ? { before: d.before } : {}),
    ...(d.after !== undefined ? { after: d.after } : {}),
  });
  const byPath = (a: { path: string }, b: { path: string }) => a.path.localeCompare(b.path);
  const want = fill([entry(e), ...(e.derived ?? []).map(entry)], c).sort(byPath);
  assert.deepEqual(
    change.diff.map(entry).sort(byPath),
    want,
    `the diff of ${address} should be exactly ${e.path}${e.derived ? ` (and what derives from it)` : ""}`,
  );
}

function ctx(prefix: string, i: number): Ctx {
  return {
    name: `DR${prefix}${i}`,
    subj: `dr${prefix.toLowerCase()}${i}`,
    owner: `fidelity-drift-${prefix}${i}`,
  };
}

function addressOf(kind: "stream" | "consumer", c: Ctx): string {
  return kind === "stream" ? `stream.${c.name}` : `consumer.${c.name}.c`;
}

for (const line of serverLines()) {
  describe(`drift and removed fields on nats-server ${line}`, { concurrency: 6 }, () => {
    let server: NatsServer;
    let nc: NatsConnection;
    before(async () => {
      server = await startServer({ line });
      nc = await connectTo(server);
    });
    after(async () => {
      await server?.stop();
    });

    DRIFTS.forEach((d, i) => {
      it(`drift: ${d.kind} ${d.label} shows as exactly ${d.path}`, { timeout: 60_000 }, (t) =>
        keepLogsOnFailure(t, server, async () => {
          const c = ctx("D", i);
          const m = yaml(manifestOf(d.kind, d.fields, c));
          await applyOk(server.url, m);
          assertEmpty(await planOf(server.url, m), "after the first apply");
          await d.drift(nc, c);
          assertOnlyField(await planOf(server.url, m), addressOf(d.kind, c), d, c);
          await applyOk(server.url, m);
          assertEmpty(await planOf(server.url, m), "after applying over the drift");
          await deleteStreams(nc, [c.name]);
        }),
      );
    });

    REMOVALS.forEach((r, i) => {
      it(
        `removed from the manifest: ${r.kind} ${r.removed} returns to the default`,
        { timeout: 60_000 },
        (t) =>
          keepLogsOnFailure(t, server, async () => {
            const c = ctx("R", i);
            const own = r.kind === "stream" && "subjects" in r.fields;
            const full = yaml(manifestOf(r.kind, r.fields, c, own));
            const reduced = yaml(manifestOf(r.kind, without(r.fields, r.removed), c, own));
            await applyOk(server.url, full);
            assertEmpty(await planOf(server.url, full), "after the first apply");
            assertOnlyField(await planOf(server.url, reduced), addressOf(r.kind, c), r, c);
            await applyOk(server.url, reduced);
            assertEmpty(await planOf(server.url, reduced), `after applying without ${r.removed}`);
            await deleteStreams(nc, [c.name]);
          }),
      );
    });
  });
}
