// The calls of one step: what a create, update, replace or delete of a stream or consumer sends, and what
// the server stored differently from what was sent.

import { JsApiError } from "../connection/js-api.js";
import { alignConsumer, alignStream } from "../jetstream/align.js";
import { ApiErrorCode } from "../jetstream/api-errors.js";
import { canonicalConsumer } from "../jetstream/canonical-consumer.js";
import { canonicalStream } from "../jetstream/canonical-stream.js";
import { diffConfigs } from "../jetstream/field-diff.js";
import { type ConsumerConfig, localOrigins, type StreamConfig } from "../model/jetstream.js";
import { type Change, consumerSide, streamSide } from "../model/plan.js";
import type { Version } from "../model/version.js";
import { runEntryStep } from "./entry-steps.js";
import type { StepResult } from "./result.js";
import type { JetStreamWriter } from "./writer.js";

interface StepOptions {
  readonly version: Version;
}

type Adjusted = NonNullable<StepResult["adjusted"]>;

/** Streams that lose a mirror or source of theirs in this plan (see JetStreamWriter.createConsumer). */
export function releasedOrigins(changes: readonly Change[]): Set<string> {
  const originsOf = (cfg: unknown) => localOrigins(cfg as StreamConfig | null).map((s) => s.name);
  const out = new Set<string>();
  for (const c of changes) {
    if (c.kind === "consumer" || c.kind === "kv_entry" || c.action === "create" || c.action === "no-op")
      continue;
    const kept = c.action === "update" ? originsOf(c.after) : [];
    for (const o of originsOf(c.before)) if (!kept.includes(o)) out.add(o);
  }
  return out;
}

export async function runStep(
  change: Change,
  writer: JetStreamWriter,
  options: StepOptions,
  released: ReadonlySet<string>,
): Promise<Adjusted> {
  if (change.kind === "kv_entry") {
    await runEntryStep(change, writer.api);
    return [];
  }
  if (change.kind === "consumer")
    return runConsumerStep(change, writer, options, released.has(change.stream!));
  return runStreamStep(change, writer, options, released);
}

async function runStreamStep(
  change: Change,
  writer: JetStreamWriter,
  options: StepOptions,
  released: ReadonlySet<string>,
): Promise<Adjusted> {
  const after = streamSide(change, "after");
  const name = (streamSide(change, "before") ?? streamSide(change, "after"))!.name;
  const originReleased = released.has(name);
  switch (change.action) {
    case "create":
      return readBack("stream", after!, await writer.createStream(after!), options);
    case "update": {
      const before = streamSide(change, "before")!;
      const moves = change.diff.some((d) => d.path.startsWith("placement"));
      const scales = change.diff.some((d) => d.path === "num_replicas");
      if (moves && scales) {
        // The server refuses to move and scale a stream in one update (10123), so two updates, each of which
        // the cluster can place: scaling up, move first with the old replica count (the new placement holds
        // more replicas, so it holds fewer); scaling down, scale first under the old placement (it held more).
        const up = (after!.num_replicas ?? 1) > (before.num_replicas ?? 1);
        const first = { ...after! } as StreamConfig;
        if (up) first.num_replicas = before.num_replicas ?? 1;
        else if (before.placement) first.placement = before.placement;
        else delete (first as { placement?: unknown }).placement;
        await writer.updateStream(first);
        await writer.waitSettled(name, first.num_replicas ?? 1);
      }
      const stored = await writer.updateStream(after!, { originReleased });
      // Scaling or moving a stream elects new leaders; the steps that depend on it (its consumers) and the
      // next plan need it answering again.
      if (moves || scales) await writer.waitSettled(name, after!.num_replicas ?? 1);
      return readBack("stream", after!, stored, options);
    }
    case "replace":
      await ignoreMissing(() => writer.deleteStream(name));
      return readBack("stream", after!, await halfDone(() => writer.createStream(after!)), options);
    case "delete":
      await ignoreMissing(() => writer.deleteStream(name));
      return [];
    default:
      return [];
  }
}

async function runConsumerStep(
  change: Change,
  writer: JetStreamWriter,
  options: StepOptions,
  originReleased: boolean,
): Promise<Adjusted> {
  const stream = change.stream!;
  const after = consumerSide(change, "after");
  switch (change.action) {
    case "create":
      return readBack(
        "consumer",
        after!,
        await writer.createConsumer(stream, after!, { originReleased }),
        options,
      );
    case "update": {
      // The pause first: the update then finds it in place and keeps it, as it keeps any pause.
      if (change.diff.some((d) => d.path === "pause_until"))
        await writer.pauseConsumer(stream, change.name, after!.pause_until);
      const stored = await writer.updateConsumer(stream, after!);
      // A scaled consumer elects a new raft group; a stream scaled down after it must not meet it mid-way.
      if (change.diff.some((d) => d.path === "num_replicas"))
        await writer.waitConsumerSettled(stream, change.name);
      return readBack("consumer", after!, stored, options);
    }
    case "replace":
      // When the stream was replaced first, the consumer is already gone with it.
      await ignoreMissing(() => writer.deleteConsumer(stream, change.name));
      return readBack(
        "consumer",
        after!,
        await halfDone(() => writer.createConsumer(stream, after!, { originReleased })),
        options,
      );
    case "delete":
      await ignoreMissing(() => writer.deleteConsumer(stream, change.name));
      return [];
    default:
      return [];
  }
}

const GONE: ReadonlySet<number> = new Set([ApiErrorCode.StreamNotFound, ApiErrorCode.ConsumerNotFound]);

/**
 * The create half of a replace failed after its delete half succeeded: the old resource is gone. Carried as
 * its own error so that the report says exactly that, and what was lost.
 */
export class ReplaceHalfDone extends Error {
  constructor(override readonly cause: unknown) {
    super("the delete half of the replace was done, the create half was not", { cause });
    this.name = "ReplaceHalfDone";
  }
}

async function halfDone<T>(create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (err) {
    throw new ReplaceHalfDone(err);
  }
}

/** A delete of something already gone has the effect the plan wanted. */
async function ignoreMissing(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof JsApiError && GONE.has(err.errCode)) return;
    throw err;
  }
}

/**
 * The server answers a create or update with the config it stored. Where that differs from what we sent,
 * the server adjusted something silently; say which field, so that the manifest can be fixed.
 */
function readBack(
  kind: "stream" | "consumer",
  sent: StreamConfig | ConsumerConfig,
  stored: StreamConfig | ConsumerConfig,
  options: StepOptions,
): Adjusted {
  let canonical: StreamConfig | ConsumerConfig;
  let aligned: StreamConfig | ConsumerConfig;
  if (kind === "consumer") {
    const c = canonicalConsumer(stored as ConsumerConfig, { version: options.version });
    // An existing consumer keeps its pause; the update did not send one.
    if ((sent as ConsumerConfig).pause_until === undefined) delete c.pause_until;
    canonical = c;
    aligned = alignConsumer(sent as ConsumerConfig, c);
  } else {
    canonical = canonicalStream(stored as StreamConfig, { version: options.version });
    aligned = alignStream(sent as StreamConfig, canonical as StreamConfig);
  }
  return diffConfigs(aligned, canonical).map((d) => ({ path: d.path, sent: d.before, stored: d.after }));
}
