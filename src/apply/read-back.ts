// Steps whose answer never came (a frozen server, a cut network) may or may not have been carried out.
// Once the server answers again (a bounded wait), apply reads each of them back and says what happened;
// what it still cannot read stays `unknown`.

import { type JsApi, JsApiError } from "../connection/js-api.js";
import { alignConsumer, alignStream } from "../jetstream/align.js";
import { ApiErrorCode } from "../jetstream/api-errors.js";
import { canonicalConsumer } from "../jetstream/canonical-consumer.js";
import { canonicalStream } from "../jetstream/canonical-stream.js";
import { diffConfigs } from "../jetstream/field-diff.js";
import type { ConsumerConfig, StreamConfig } from "../model/jetstream.js";
import { type Change, consumerSide, streamSide } from "../model/plan.js";
import type { Version } from "../model/version.js";
import type { ReadBack, StepResult } from "./result.js";

interface Live {
  readonly config: StreamConfig & ConsumerConfig;
  readonly created: string;
}

/** Waits (up to `boundMs`) until the server answers a request again; false when it does not. */
export async function untilAnswering(api: JsApi, boundMs: number): Promise<boolean> {
  const deadline = Date.now() + boundMs;
  while (Date.now() < deadline) {
    try {
      await api.request("INFO", undefined, Math.min(2000, Math.max(250, deadline - Date.now())));
      return true;
    } catch (err) {
      if (err instanceof JsApiError) return true; // an answer, even a refusal
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return false;
}

/** The results with every `unknown` one read back where the server lets it. */
export async function readBackUnknown(
  results: readonly StepResult[],
  changes: ReadonlyMap<string, Change>,
  api: JsApi,
  version: Version,
): Promise<StepResult[]> {
  const out: StepResult[] = [];
  for (const r of results) {
    // A KV entry's write has no config to read back; the next plan shows whether the key holds its value.
    if (r.status !== "unknown" || changes.get(r.address)?.kind === "kv_entry") {
      out.push(r);
      continue;
    }
    let outcome: ReadBack | undefined;
    try {
      outcome = outcomeOf(changes.get(r.address)!, await readLive(changes.get(r.address)!, api), version);
    } catch {
      outcome = undefined; // still no answer: it stays unknown
    }
    out.push(
      outcome === undefined
        ? r
        : { ...r, status: outcome === "done" ? "succeeded" : "failed", read_back: outcome },
    );
  }
  return out;
}

async function readLive(change: Change, api: JsApi): Promise<Live | undefined> {
  const subject =
    change.kind === "consumer"
      ? `CONSUMER.INFO.${change.stream}.${change.name}`
      : `STREAM.INFO.${String((change.after ?? change.before)!.name)}`;
  try {
    return await api.request<Live>(subject);
  } catch (err) {
    const gone: number[] = [ApiErrorCode.StreamNotFound, ApiErrorCode.ConsumerNotFound];
    if (err instanceof JsApiError && gone.includes(err.errCode)) return undefined;
    throw err;
  }
}

/** Whether the server holds what the step was to make of the resource. */
function outcomeOf(change: Change, live: Live | undefined, version: Version): ReadBack {
  if (change.action === "delete") return live ? "not_done" : "done";
  if (!live) return change.action === "replace" ? "half_done" : "not_done";
  if (change.action === "replace" && live.created === change.before_created) return "not_done";
  return holds(change, live, version) ? "done" : "not_done";
}

function holds(change: Change, live: Live, version: Version): boolean {
  if (change.kind === "consumer") {
    const now = canonicalConsumer(live.config, { version });
    const want = alignConsumer(consumerSide(change, "after")!, now);
    return diffConfigs(want, now).every((d) => d.path === "pause_until");
  }
  const now = canonicalStream(live.config, { version });
  return diffConfigs(alignStream(streamSide(change, "after")!, now), now).length === 0;
}
