// What to do about a failed step: the server's answer, made specific where we can say more than it does.

import { type JsApi, JsApiError, JsTransportError } from "../connection/js-api.js";
import { ApiErrorCode } from "../jetstream/api-errors.js";
import type { AccountLimits } from "../model/observed.js";
import type { Change } from "../model/plan.js";
import { formatSize } from "../model/units.js";
import type { StepError } from "./result.js";
import { ReplaceHalfDone } from "./steps.js";

export async function describeFailure(
  err: unknown,
  change: Change,
  api: JsApi,
  limits: AccountLimits,
): Promise<StepError> {
  if (err instanceof ReplaceHalfDone) {
    const inner = await describeFailure(err.cause, change, api, limits);
    return {
      ...inner,
      description: `the old ${change.kind === "consumer" ? "consumer" : "stream"} was deleted, but creating it again failed: ${inner.description}`,
      hint: `${lostInWords(change)}; apply again to create it (jsplan plan shows the create)${inner.hint ? `. ${inner.hint}` : ""}`,
    };
  }
  if (err instanceof JsApiError) {
    return { code: err.errCode, description: err.description, ...(await hintFor(err, change, api, limits)) };
  }
  if (err instanceof JsTransportError) {
    const hint =
      err.kind === "timeout"
        ? "the server did not answer in time: its stream leader may be down, or the connection was lost; run jsplan plan to see what was done"
        : err.kind === "permission"
          ? "the user may not make this JetStream API call; it needs publish permission on $JS.API.>"
          : undefined;
    return { code: null, description: err.message, ...(hint ? { hint } : {}) };
  }
  return { code: null, description: (err as Error)?.message ?? String(err) };
}

/** What a hint may look at: the change that failed, the API (to ask more), the account's limits. */
interface HintContext {
  readonly change: Change;
  readonly cfg: Record<string, unknown>;
  readonly api: JsApi;
  readonly limits: AccountLimits;
}

type Hint = (ctx: HintContext) => string | Promise<string>;

const CREATED_MEANWHILE = "it was created by someone else after the plan was made; run jsplan plan again";
const DELETED_MEANWHILE = "it was deleted by someone else after the plan was made; run jsplan plan again";

/** The hint for each API error code that jsplan can say more about. */
const HINTS: Readonly<Partial<Record<number, Hint>>> = {
  [ApiErrorCode.StreamSubjectOverlap]: overlapHint,
  [ApiErrorCode.InsufficientResources]: () =>
    "the cluster lacks resources for this right now: peers for the replicas or placement, or storage; if the stream was just scaled or moved, wait until it settles and apply again",
  [ApiErrorCode.MemoryResourcesExceeded]: storageHint,
  [ApiErrorCode.StorageResourcesExceeded]: storageHint,
  [ApiErrorCode.AccountResourcesExceeded]: storageHint,
  [ApiErrorCode.StreamMaxStreamBytesExceeded]: ({ cfg, limits }) =>
    `max_bytes exceeds the account's per-stream limit (${formatSize((cfg.storage === "memory" ? limits.memory_max_stream_bytes : limits.storage_max_stream_bytes) ?? 0)})`,
  [ApiErrorCode.StreamMaxBytesRequired]: () =>
    "the account requires every stream to set max_bytes; add max_bytes to the stream",
  [ApiErrorCode.MaximumStreamsLimit]: ({ limits }) =>
    `the account may hold at most ${limits.max_streams} stream${limits.max_streams === 1 ? "" : "s"}`,
  [ApiErrorCode.MaximumConsumersLimit]: () =>
    "the stream's max_consumers or the account's consumer limit is reached",
  [ApiErrorCode.StreamReplicasNotSupported]: () => "num_replicas above 1 needs a clustered server",
  [ApiErrorCode.ConsumerWQConsumerNotUnique]: () =>
    "on a workqueue stream, no two consumers may take the same messages; the server also counts the consumers that streams mirroring or sourcing this one read with (nats-server 2.10)",
  [ApiErrorCode.StreamNameExist]: () => CREATED_MEANWHILE,
  [ApiErrorCode.ConsumerAlreadyExists]: () => CREATED_MEANWHILE,
  [ApiErrorCode.ConsumerDoesNotExist]: () => DELETED_MEANWHILE,
  [ApiErrorCode.StreamNotFound]: () => DELETED_MEANWHILE,
  [ApiErrorCode.ConsumerNotFound]: () => DELETED_MEANWHILE,
  [ApiErrorCode.ConsumerNameExist]: () =>
    "a client is still subscribed to the old deliver_subject; stop it, or replace the consumer",
  [ApiErrorCode.StreamUpdate]: () =>
    "an existing consumer exceeds the new consumer_limits; lower that consumer's limits first. The server also counts the consumers that streams mirroring or sourcing this one read with, which no listing shows: if the named consumer is not one of the stream's, keep the old limits, or remove the mirror or source first",
};

async function hintFor(
  err: JsApiError,
  change: Change,
  api: JsApi,
  limits: AccountLimits,
): Promise<{ hint?: string }> {
  const hint = HINTS[err.errCode];
  if (!hint) return {};
  return { hint: await hint({ change, cfg: (change.after ?? {}) as Record<string, unknown>, api, limits }) };
}

/** The server does not say which stream holds the subjects; ask it, subject by subject. */
async function overlapHint({ change, cfg, api }: HintContext): Promise<string> {
  const owners = new Set<string>();
  for (const subject of (cfg.subjects as string[] | undefined) ?? []) {
    try {
      const r = await api.request<{ streams: string[] | null }>("STREAM.NAMES", { subject });
      for (const s of r.streams ?? []) if (s !== change.name) owners.add(s);
    } catch {
      // The hint is a courtesy; the failure itself is already reported.
    }
  }
  return owners.size > 0
    ? `the subjects overlap stream ${[...owners].join(", ")}, which is not part of this plan; change one of the two streams' subjects`
    : "another stream already takes some of these subjects";
}

/** With an account limit, that limit is the likely cause; the server's own store limit otherwise. */
function storageHint({ cfg, limits }: HintContext): string {
  const memory = cfg.storage === "memory";
  const wanted =
    typeof cfg.max_bytes === "number" && cfg.max_bytes > 0 ? ` (max_bytes ${formatSize(cfg.max_bytes)})` : "";
  const account = memory ? limits.max_memory : limits.max_storage;
  const kind = memory ? "memory" : "file";
  if (account && account > 0) {
    return `not enough ${kind} storage for this stream${wanted}: the account may use ${formatSize(account)} of ${kind} storage in all; lower max_bytes or raise the account's limit`;
  }
  return `not enough ${kind} storage for this stream${wanted}: the server's ${memory ? "max_memory_store" : "max_file_store"} limit is reached; lower max_bytes or raise the limit`;
}

/** What a replace whose delete half ran has lost, in words. */
export function lostInWords(change: Change): string {
  if (change.kind === "consumer") return "its delivery state (position, pending acknowledgements) is lost";
  const m = change.loses?.messages;
  const held =
    m === undefined ? "its messages" : `its ${m.toLocaleString("en")} message${m === 1 ? "" : "s"}`;
  return `the stream and ${held} are gone`;
}
