// The apply stage: carries out a plan's steps in order, independent steps in flight together, and returns
// a result for every step. A failed step stops only the steps that depend on it. An interruption (Ctrl-C)
// or a lost connection stops new steps from starting; those in flight finish; the rest are not executed.

import { JsApiError, JsTransportError } from "../connection/js-api.js";
import { alignConsumer, alignStream } from "../jetstream/align.js";
import { ApiErrorCode } from "../jetstream/api-errors.js";
import { canonicalConsumer } from "../jetstream/canonical-consumer.js";
import { canonicalStream } from "../jetstream/canonical-stream.js";
import { diffConfigs } from "../jetstream/field-diff.js";
import { type ConsumerConfig, localOrigins, type StreamConfig } from "../model/jetstream.js";
import type { AccountLimits } from "../model/observed.js";
import type { Change, Plan, Step } from "../model/plan.js";
import type { Version } from "../model/version.js";
import { guardStep } from "./guards.js";
import { describeFailure } from "./hints.js";
import type { ApplyResult, StepResult } from "./result.js";
import { Scheduler } from "./scheduler.js";
import type { JetStreamWriter } from "./writer.js";

export interface ExecuteOptions {
  readonly version: Version;
  readonly limits: AccountLimits;
  /** Steps in flight at once. */
  readonly concurrency: number;
  /** Aborting stops new steps from starting (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** True once the connection is gone for good: the remaining steps are not executed. */
  readonly connectionLost?: () => boolean;
  readonly onStart?: (step: Step) => void;
  readonly onFinish?: (result: StepResult) => void;
}

const CONNECTION_LOST = "the connection to the server was lost";

export async function executePlan(
  plan: Plan,
  writer: JetStreamWriter,
  options: ExecuteOptions,
): Promise<ApplyResult> {
  const started = performance.now();
  const changes = new Map(plan.changes.map((c) => [c.address, c]));
  const released = releasedOrigins(plan.changes);
  let stopped: string | undefined;
  // A step the server did not answer at all (a stopped server, a lost network) may or may not have been
  // carried out; starting more steps would only wait out more timeouts. Stop, report, let the next plan tell.
  // Which of the two it was goes into the report: a connection that closed under a step (the server was
  // killed, the network cut) is not "the server stopped answering".
  let unanswered: string | undefined;
  const stopReason = () => {
    if (stopped) return stopped;
    if (options.signal?.aborted) stopped = "interrupted";
    else if (unanswered) stopped = unanswered;
    else if (options.connectionLost?.()) stopped = CONNECTION_LOST;
    return stopped;
  };
  const scheduler = new Scheduler(plan.steps, {
    concurrency: options.concurrency,
    stopReason,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onStart ? { onStart: options.onStart } : {}),
    ...(options.onFinish ? { onFinish: options.onFinish } : {}),
  });
  const outcome = await scheduler.run(async (step): Promise<StepResult> => {
    const t0 = performance.now();
    const change = changes.get(step.address)!;
    try {
      const verdict = await guardStep(change, writer.api, options.version);
      if (verdict.kind === "changed") return { ...resultOf(step, "changed", t0), changed: verdict.what };
      // A delete of something already gone has the effect the plan wanted.
      if (verdict.kind === "gone" && change.action === "delete") return resultOf(step, "succeeded", t0);
      if (verdict.kind === "gone")
        return { ...resultOf(step, "changed", t0), changed: ["it no longer exists"] };
      const adjusted = await runStep(change, writer, options, released);
      return { ...resultOf(step, "succeeded", t0), ...(adjusted.length > 0 ? { adjusted } : {}) };
    } catch (err) {
      if (err instanceof JsTransportError && err.kind === "connection") unanswered = CONNECTION_LOST;
      else if (err instanceof JsTransportError && err.kind === "timeout")
        unanswered ??= "the server stopped answering";
      const error = await describeFailure(err, change, writer.api, options.limits);
      return { ...resultOf(step, "failed", t0), error };
    }
  });
  return { ...outcome, duration_ms: Math.round(performance.now() - started) };
}

function resultOf(step: Step, status: StepResult["status"], t0: number): StepResult {
  return {
    address: step.address,
    action: step.action,
    status,
    duration_ms: Math.round(performance.now() - t0),
  };
}

type Adjusted = NonNullable<StepResult["adjusted"]>;

/** Streams that lose a mirror or source of theirs in this plan (see JetStreamWriter.createConsumer). */
function releasedOrigins(changes: readonly Change[]): Set<string> {
  const originsOf = (cfg: unknown) => localOrigins(cfg as StreamConfig | null).map((s) => s.name);
  const out = new Set<string>();
  for (const c of changes) {
    if (c.kind === "consumer" || c.action === "create" || c.action === "no-op") continue;
    const kept = c.action === "update" ? originsOf(c.after) : [];
    for (const o of originsOf(c.before)) if (!kept.includes(o)) out.add(o);
  }
  return out;
}

async function runStep(
  change: Change,
  writer: JetStreamWriter,
  options: ExecuteOptions,
  released: ReadonlySet<string>,
): Promise<Adjusted> {
  if (change.kind === "consumer")
    return runConsumerStep(change, writer, options, released.has(change.stream!));
  return runStreamStep(change, writer, options, released);
}

async function runStreamStep(
  change: Change,
  writer: JetStreamWriter,
  options: ExecuteOptions,
  released: ReadonlySet<string>,
): Promise<Adjusted> {
  const after = change.after as unknown as StreamConfig | null;
  const name = ((change.before ?? change.after) as unknown as StreamConfig).name;
  const originReleased = released.has(name);
  switch (change.action) {
    case "create":
      return readBack("stream", after!, await writer.createStream(after!), options);
    case "update": {
      const before = change.before as unknown as StreamConfig;
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
      return readBack("stream", after!, await writer.createStream(after!), options);
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
  options: ExecuteOptions,
  originReleased: boolean,
): Promise<Adjusted> {
  const stream = change.stream!;
  const after = change.after as unknown as ConsumerConfig | null;
  switch (change.action) {
    case "create":
      return readBack(
        "consumer",
        after!,
        await writer.createConsumer(stream, after!, { originReleased }),
        options,
      );
    case "update": {
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
        await writer.createConsumer(stream, after!, { originReleased }),
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
  options: ExecuteOptions,
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
