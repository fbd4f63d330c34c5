// Shared helpers of the fidelity tests: raw JetStream API requests (never jsplan's own client code, so that
// the server, not jsplan, decides what happened), manifests built as plain objects (JSON is YAML), the
// schema's field lists, and server version checks.

import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import type { NatsConnection } from "@nats-io/transport-node";
import { manifestSchema } from "../../src/load/schema.js";
import type { Plan } from "../../src/model/plan.js";
import { runCli } from "../support/cli.js";

export type Obj = Record<string, unknown>;

export interface ApiError {
  readonly code: number;
  readonly err_code: number;
  readonly description: string;
}

export interface RawReply {
  readonly ok: boolean;
  readonly body: Obj;
  readonly error?: ApiError;
}

/** One raw `$JS.API.<suffix>` request; the server's answer, error or not. */
export async function jsApi(nc: NatsConnection, suffix: string, body?: unknown): Promise<RawReply> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const msg = await nc.request(`$JS.API.${suffix}`, payload, { timeout: 15_000 });
  const parsed = msg.json<Obj & { error?: ApiError }>();
  return parsed.error ? { ok: false, body: parsed, error: parsed.error } : { ok: true, body: parsed };
}

/** Like jsApi, but fails the test when the server refuses. */
export async function jsApiOk(nc: NatsConnection, suffix: string, body?: unknown): Promise<Obj> {
  const r = await jsApi(nc, suffix, body);
  assert.ok(r.ok, `$JS.API.${suffix} failed: ${describeError(r.error)}`);
  return r.body;
}

export function describeError(e: ApiError | undefined): string {
  return e ? `${e.err_code} "${e.description}"` : "no error";
}

export async function streamInfo(nc: NatsConnection, name: string): Promise<Obj> {
  return jsApiOk(nc, `STREAM.INFO.${name}`);
}

export async function consumerInfo(nc: NatsConnection, stream: string, name: string): Promise<Obj> {
  return jsApiOk(nc, `CONSUMER.INFO.${stream}.${name}`);
}

/** Deletes streams, ignoring those already gone. */
export async function deleteStreams(nc: NatsConnection, names: readonly string[]): Promise<void> {
  for (const name of names) await jsApi(nc, `STREAM.DELETE.${name}`).catch(() => undefined);
}

/** A manifest as YAML: JSON is valid YAML, and plain objects are easy to build and to inspect. */
export function yaml(manifest: Obj): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** `jsplan plan` that is expected to fail: exit code and everything it printed. */
export async function planFailure(url: string, manifest: Obj): Promise<{ code: number; output: string }> {
  const r = await runCli(["plan", "-", "-s", url, "--format", "json"], { stdin: yaml(manifest) });
  return { code: r.code, output: `${r.stderr}${r.stdout}` };
}

export function changeOf(plan: Plan, address: string) {
  const change = plan.changes.find((c) => c.address === address);
  assert.ok(
    change,
    `the plan has no change for ${address}: ${plan.changes.map((c) => c.address).join(", ")}`,
  );
  return change;
}

/** "2.15.1" is at least "2.12.0". */
export function versionAtLeast(version: string, min: string): boolean {
  const parse = (v: string) => (/^v?(\d+)\.(\d+)\.(\d+)/.exec(v) ?? []).slice(1, 4).map(Number);
  const a = parse(version);
  const b = parse(min);
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

/** "2.12.0" → "2.12", as jsplan names versions in messages. */
export function shortVersion(v: string): string {
  return v.replace(/\.0$/, "");
}

// --- the schema ------------------------------------------------------------------------------------

interface SchemaNode {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  default?: unknown;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

interface Schema {
  $defs: Record<string, SchemaNode>;
}

/** The schema's field rules, as the loader checks them (without the `${VAR}` alternatives for editors). */
export const SCHEMA = manifestSchema() as unknown as Schema;

function deref(node: SchemaNode): SchemaNode {
  let n = node;
  while (n.$ref) {
    const name = n.$ref.replace("#/$defs/", "");
    const target = SCHEMA.$defs[name];
    assert.ok(target, `schema: unresolved $ref ${n.$ref}`);
    // Keep the referring node's own keys (description, default) over the target's.
    n = { ...target, ...n, $ref: target.$ref } as SchemaNode;
    if (!target.$ref) delete n.$ref;
  }
  return n;
}

const OBJECT_DEFS = new Set(["placement", "republish", "subjectTransform", "consumerLimits", "streamSource"]);

function refName(node: SchemaNode): string | undefined {
  return node.$ref?.replace("#/$defs/", "");
}

/**
 * What a table over the schema must cover, for `$defs.stream` or `$defs.consumer`:
 * - every property (`retention`);
 * - every property of a nested object (`placement.tags`, `sources[].filter_subject`);
 * - every non-default value of an enum (`retention=workqueue`).
 */
export function schemaEntries(def: "stream" | "consumer"): string[] {
  const props = SCHEMA.$defs[def]?.properties ?? {};
  const out: string[] = [];
  for (const [key, raw] of Object.entries(props)) {
    out.push(key);
    const node = deref(raw);
    if (node.enum) {
      for (const v of node.enum) if (v !== node.default) out.push(`${key}=${String(v)}`);
    }
    const ref = refName(raw) ?? (raw.items ? refName(raw.items) : undefined);
    if (ref && OBJECT_DEFS.has(ref)) {
      const sep = raw.items ? "[]." : ".";
      for (const sub of Object.keys(SCHEMA.$defs[ref]?.properties ?? {})) out.push(`${key}${sep}${sub}`);
    }
  }
  return out;
}

/** An entry is covered by a row for it, or for something below it (`placement` by `placement.tags`). */
export function isCovered(entry: string, covered: readonly string[]): boolean {
  return covered.some(
    (c) =>
      c === entry || c.startsWith(`${entry}.`) || c.startsWith(`${entry}[]`) || c.startsWith(`${entry}=`),
  );
}

/** The schema node of an entry's property (for its default). */
export function schemaNodeOf(def: "stream" | "consumer", entry: string): SchemaNode | undefined {
  const [pathPart] = entry.split("=");
  const parts = pathPart!.split(/\[\]\.|\./);
  let node: SchemaNode | undefined = SCHEMA.$defs[def];
  for (const p of parts) {
    if (!node) return undefined;
    let n = deref(node);
    if (n.items) n = deref(n.items);
    node = n.properties?.[p];
  }
  return node ? deref(node) : undefined;
}

/** The values an entry's path has in an object (`sources[].name` → every source's name). */
export function valuesAt(o: unknown, entry: string): unknown[] {
  const [pathPart] = entry.split("=");
  const parts = pathPart!.split(/(\[\]\.|\.)/);
  let current: unknown[] = [o];
  for (let i = 0; i < parts.length; i += 2) {
    const key = parts[i]!;
    const next: unknown[] = [];
    for (const c of current) {
      if (c && typeof c === "object" && !Array.isArray(c)) {
        const v = (c as Obj)[key];
        if (v === undefined) continue;
        if (parts[i + 1] === "[].") {
          if (Array.isArray(v)) next.push(...v);
        } else next.push(v);
      }
    }
    current = next;
  }
  return current;
}

/** Streams and consumers of a manifest, the way the schema nests them. */
export function manifestResources(m: Obj): { streams: Obj[]; consumers: Obj[] } {
  const streams = (m.streams as Obj[] | undefined) ?? [];
  const consumers = [
    ...streams.flatMap((s) => (s.consumers as Obj[] | undefined) ?? []),
    ...((m.consumers as Obj[] | undefined) ?? []),
  ];
  return { streams, consumers };
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Waits until a clustered stream has a leader and all its replicas are current, on the nodes its placement
 * tags name (node names are tags in the fidelity clusters): a scale or a move has ended.
 */
export async function settled(nc: NatsConnection, stream: Obj, clusterName: string): Promise<void> {
  const name = stream.name as string;
  const replicas = (stream.num_replicas as number | undefined) ?? 1;
  const tags = ((stream.placement as Obj | undefined)?.tags as string[] | undefined) ?? [];
  const nodeTags = tags.filter((t) => t.startsWith(`${clusterName}-`));
  const deadline = Date.now() + 30_000;
  let last: unknown;
  for (;;) {
    const r = await jsApi(nc, `STREAM.INFO.${name}`).catch((e: Error) => ({
      ok: false,
      body: { error: e.message } as Obj,
    }));
    const cluster = r.body.cluster as Obj | undefined;
    last = r.ok ? cluster : r.body;
    const peers = (cluster?.replicas as Obj[] | undefined) ?? [];
    const names = [cluster?.leader, ...peers.map((p) => p.name)];
    if (
      r.ok &&
      cluster?.leader &&
      peers.length === replicas - 1 &&
      peers.every((p) => p.current === true) &&
      nodeTags.every((t) => names.includes(t))
    )
      return;
    assert.ok(
      Date.now() < deadline,
      `stream ${name} did not settle (R${replicas} ${tags}): ${JSON.stringify(last)}`,
    );
    await delay(200);
  }
}

/** The cluster config of the fidelity tests: every node carries its own name as a tag. */
export const NODE_TAGS_CONFIG = 'server_tags: ["az:any", $server_name]';
