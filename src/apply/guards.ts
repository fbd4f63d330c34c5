// Per-step guards: immediately before a step touches an existing resource, apply reads it again and checks
// that it is still the one the plan saw: created at the same time, with the same owner and protect markers
// and the same config, and for a destructive step holding no more than the plan said it loses. Between the
// plan and a step there can be minutes (a prompt left open, a long run, a saved plan), and other people and
// programs change the server in between.

import { type JsApi, JsApiError } from "../connection/js-api.js";
import { ApiErrorCode } from "../jetstream/api-errors.js";
import { canonicalConsumer } from "../jetstream/canonical-consumer.js";
import { canonicalStream } from "../jetstream/canonical-stream.js";
import { diffConfigs } from "../jetstream/field-diff.js";
import { configFingerprint } from "../jetstream/fingerprint.js";
import { isProtected, ownerOf } from "../jetstream/ownership.js";
import type { ConsumerConfig, StreamConfig } from "../model/jetstream.js";
import type { Change } from "../model/plan.js";
import type { Version } from "../model/version.js";

/** The resource is still as planned, is gone, or changed in the ways listed. */
export type GuardVerdict =
  | { readonly kind: "same" }
  | { readonly kind: "gone" }
  | { readonly kind: "changed"; readonly what: string[] };

interface LiveStream {
  config: StreamConfig;
  created: string;
  state?: { messages: number; bytes: number };
}

interface LiveConsumer {
  config: ConsumerConfig;
  created: string;
}

const SAME: GuardVerdict = { kind: "same" };

/**
 * True when the step needs no guard: a create, a consumer that went away with its replaced stream, or a KV
 * entry (its write carries the revision the plan saw, and the server refuses it when the key moved on).
 */
export function unguarded(change: Change): boolean {
  return (
    change.action === "create" ||
    change.kind === "kv_entry" ||
    change.reason_details.some((r) => r.code === "parent-replaced")
  );
}

export async function guardStep(change: Change, api: JsApi, version: Version): Promise<GuardVerdict> {
  if (unguarded(change)) return SAME;
  const before = change.before as Record<string, unknown>;
  if (change.kind === "consumer") {
    const live = await readOrGone<LiveConsumer>(api, `CONSUMER.INFO.${change.stream}.${change.name}`);
    if (!live) return { kind: "gone" };
    const what = [
      ...identity(change, live.created, live.config),
      ...fields(change, live.config, () => canonicalConsumer(live.config, { version }), before),
    ];
    return what.length > 0 ? { kind: "changed", what } : SAME;
  }
  const name = String(before.name);
  const live = await readOrGone<LiveStream>(api, `STREAM.INFO.${name}`);
  if (!live) return { kind: "gone" };
  const what = [
    ...identity(change, live.created, live.config),
    ...fields(change, live.config, () => canonicalStream(live.config, { version }), before),
    // An update that removes messages (loses.trims) deletes no stream and no consumer.
    ...(change.destructive && change.action !== "update" ? await dataAtStake(change, live, api, name) : []),
  ];
  return what.length > 0 ? { kind: "changed", what } : SAME;
}

async function readOrGone<T>(api: JsApi, subject: string): Promise<T | undefined> {
  try {
    return await api.read<T>(subject);
  } catch (err) {
    const gone = [ApiErrorCode.StreamNotFound, ApiErrorCode.ConsumerNotFound];
    if (err instanceof JsApiError && (gone as number[]).includes(err.errCode)) return undefined;
    throw err;
  }
}

/** The same resource (not one deleted and created again), with the same owner and protect markers. */
function identity(change: Change, created: string, config: { metadata?: Record<string, string> }): string[] {
  const out: string[] = [];
  if (change.before_created && created !== change.before_created) {
    out.push(
      `it was deleted and created again (at ${created}; the plan saw the one created at ${change.before_created})`,
    );
  }
  const planned = (change.before as { metadata?: Record<string, string> }).metadata;
  const [then, now] = [ownerOf(planned), ownerOf(config.metadata)];
  if (then !== now) {
    out.push(
      now === undefined
        ? `its owner marker jsplan.owner=${then} was removed`
        : then === undefined
          ? `it was stamped with the owner marker jsplan.owner=${now}`
          : `its owner marker changed from ${then} to ${now}`,
    );
  }
  if (isProtected(config.metadata) && !isProtected(planned))
    out.push("it was marked protected (jsplan.protect)");
  return out;
}

/** The config fields that changed, when the fingerprint says anything did. */
function fields(
  change: Change,
  live: object,
  canonical: () => object,
  before: Record<string, unknown>,
): string[] {
  if (!change.before_fingerprint || configFingerprint(live) === change.before_fingerprint) return [];
  const paths = diffConfigs(before, canonical())
    .map((d) => d.path)
    .filter((p) => !p.startsWith('metadata["jsplan.') && p !== "pause_until");
  return paths.length > 0 ? [`its config changed (${paths.join(", ")})`] : [];
}

/** A destructive step may lose only what the plan said: no more messages, bytes or consumers. */
async function dataAtStake(change: Change, live: LiveStream, api: JsApi, stream: string): Promise<string[]> {
  const loses = change.loses;
  if (!loses) return [];
  const out: string[] = [];
  const messages = live.state?.messages ?? 0;
  const bytes = live.state?.bytes ?? 0;
  if (loses.messages !== undefined && messages > loses.messages) {
    out.push(
      `it holds ${messages.toLocaleString("en")} messages now, and the plan said it loses ${loses.messages.toLocaleString("en")}`,
    );
  } else if (loses.bytes !== undefined && bytes > loses.bytes) {
    out.push(
      `it holds ${bytes.toLocaleString("en")} bytes now, and the plan said it loses ${loses.bytes.toLocaleString("en")}`,
    );
  }
  const known = new Set(loses.consumers ?? []);
  const added = (await durableConsumers(api, stream)).filter((c) => !known.has(c));
  if (added.length > 0)
    out.push(`it has consumers the plan did not count, which the step would delete: ${added.join(", ")}`);
  return out;
}

async function durableConsumers(api: JsApi, stream: string): Promise<string[]> {
  const names: string[] = [];
  for (let offset = 0; ; ) {
    const page = await api.read<{
      total: number;
      limit: number;
      consumers: Array<{
        name: string;
        config: { durable_name?: string; sourcing?: boolean; direct?: boolean };
      }> | null;
    }>(`CONSUMER.LIST.${stream}`, { offset });
    const items = page.consumers ?? [];
    // Ephemeral consumers, and the server's own behind mirrors and sources (JS_SRC_*, JS_MIRROR_*, listed
    // from 2.14), are not what the plan counts either (see observe).
    for (const c of items)
      if (c.config.durable_name && !c.config.sourcing && !c.config.direct) names.push(c.name);
    offset += page.limit > 0 ? page.limit : items.length;
    if (items.length === 0 || offset >= page.total) return names;
  }
}
