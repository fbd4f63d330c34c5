// The keys of the KV buckets whose manifest declares `entries` (read after the manifest is loaded: only
// those buckets, so that a plan without entries costs nothing more). The subjects of a bucket come from
// STREAM.INFO with a subjects filter, in pages; the last message of each from STREAM.MSG.GET, with its
// headers, which say whether jsplan wrote it and for which owner.

import { type JsApi, JsApiError } from "../connection/js-api.js";
import { ApiErrorCode } from "../jetstream/api-errors.js";
import { kvStreamName } from "../jetstream/buckets.js";
import {
  isDeleteMarker,
  keyOfSubject,
  MANAGED_HEADER,
  OWNER_HEADER,
  parseHeaders,
} from "../jetstream/entries.js";
import type { ObservedBucketEntries, ObservedEntry } from "../model/observed.js";

interface SubjectsPage {
  total?: number;
  offset?: number;
  limit?: number;
  state?: { subjects?: Record<string, number> };
}

interface StoredMsgWire {
  message: { subject: string; seq: number; hdrs?: string; data?: string; time: string };
}

const decoder = new TextDecoder();

/** The keys of each bucket (that exists), by bucket name. */
export async function readEntries(
  api: JsApi,
  buckets: readonly string[],
  concurrency = 32,
): Promise<Map<string, ObservedBucketEntries>> {
  const out = new Map<string, ObservedBucketEntries>();
  for (const bucket of buckets) {
    const read = await readBucket(api, bucket, concurrency);
    if (read) out.set(bucket, read);
  }
  return out;
}

async function readBucket(
  api: JsApi,
  bucket: string,
  concurrency: number,
): Promise<ObservedBucketEntries | undefined> {
  const stream = kvStreamName(bucket);
  const subjects = await subjectsOf(api, stream, `$KV.${bucket}.>`);
  if (!subjects) return undefined;
  const live = new Map<string, ObservedEntry>();
  const deleted = new Map<string, number>();
  let next = 0;
  const worker = async () => {
    while (next < subjects.length) {
      const subject = subjects[next++]!;
      const key = keyOfSubject(bucket, subject);
      if (key === undefined) continue;
      const msg = await lastOf(api, stream, subject);
      if (!msg) continue;
      const headers = msg.hdrs ? parseHeaders(decodeBase64(msg.hdrs)) : new Map<string, string>();
      if (isDeleteMarker(headers)) {
        deleted.set(key, msg.seq);
        continue;
      }
      const owner = headers.get(OWNER_HEADER.toLowerCase());
      live.set(key, {
        key,
        value: msg.data ? decodeBase64(msg.data) : "",
        revision: msg.seq,
        created: msg.time,
        managed: headers.has(MANAGED_HEADER.toLowerCase()),
        ...(owner !== undefined && owner !== "" ? { owner } : {}),
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, subjects.length) }, worker));
  return { live, deleted };
}

/** Every subject of the stream under `filter`, page by page; undefined when the stream does not exist. */
async function subjectsOf(api: JsApi, stream: string, filter: string): Promise<string[] | undefined> {
  const out: string[] = [];
  for (;;) {
    let page: SubjectsPage;
    try {
      page = await api.read<SubjectsPage>(`STREAM.INFO.${stream}`, {
        subjects_filter: filter,
        offset: out.length,
      });
    } catch (err) {
      if (err instanceof JsApiError && err.errCode === ApiErrorCode.StreamNotFound) return undefined;
      throw err;
    }
    const got = Object.keys(page.state?.subjects ?? {});
    out.push(...got);
    if (got.length === 0 || page.total === undefined || out.length >= page.total) return out.sort();
  }
}

/** The last message on a subject, or undefined when there is none any more (removed by a limit meanwhile). */
async function lastOf(
  api: JsApi,
  stream: string,
  subject: string,
): Promise<StoredMsgWire["message"] | undefined> {
  try {
    return (await api.read<StoredMsgWire>(`STREAM.MSG.GET.${stream}`, { last_by_subj: subject })).message;
  } catch (err) {
    if (err instanceof JsApiError && err.errCode === ApiErrorCode.NoMessageFound) return undefined;
    throw err;
  }
}

function decodeBase64(s: string): string {
  return decoder.decode(Buffer.from(s, "base64"));
}
