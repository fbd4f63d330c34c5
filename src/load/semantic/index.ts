// Every offline rule a schema cannot express, run over the merged desired state.

import type { DesiredConsumer, DesiredState } from "../../model/desired.js";
import type { Diagnostic, Unlisted } from "../../model/diagnostic.js";
import { checkKv, checkObjectStore } from "./bucket-rules.js";
import { checkConsumer } from "./consumer-rules.js";
import { checkOriginMessageSizes, checkSourceCycles, checkSubjectOverlaps } from "./cross-resource.js";
import { Findings } from "./report.js";
import { checkServerSourceWalk } from "./source-walk.js";
import { checkStream } from "./stream-rules.js";
import { checkWorkQueue } from "./work-queue.js";

export function checkSemantics(desired: DesiredState): { diagnostics: Diagnostic[]; unlisted: Unlisted } {
  const f = new Findings();
  const streams = new Map(desired.streams.map((s) => [s.name, s]));
  const byStream = new Map<string, DesiredConsumer[]>();
  for (const k of desired.consumers) {
    const list = byStream.get(k.stream);
    if (list) list.push(k);
    else byStream.set(k.stream, [k]);
  }
  for (const s of desired.streams) {
    checkStream(s, f);
    checkWorkQueue(s, byStream.get(s.name) ?? [], f);
  }
  for (const k of desired.consumers) checkConsumer(k, streams.get(k.stream), f);
  for (const b of desired.keyValues) checkKv(b, f);
  for (const b of desired.objectStores) checkObjectStore(b, f);
  checkSubjectOverlaps(desired.streams, [...desired.keyValues, ...desired.objectStores], f);
  const before = f.count;
  checkSourceCycles(desired.streams, f);
  // The server's own walk also trips over real cycles: report those once, as cycles.
  if (f.count === before) checkServerSourceWalk(desired.streams, desired.keyValues, f);
  checkOriginMessageSizes(desired.streams, desired.keyValues, f);
  return { diagnostics: f.list, unlisted: f.unlisted };
}
