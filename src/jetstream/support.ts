// Fields the connected server does not know. Servers before 2.12 drop unknown fields silently, which
// would leave a difference that no apply can remove; so a field the server cannot hold is an error at plan
// time, naming the field and the version it needs.

import type { DesiredConsumer, DesiredKv, DesiredObjectStore, DesiredStream } from "../model/desired.js";
import type { Diagnostic } from "../model/diagnostic.js";
import type { StreamConfig } from "../model/jetstream.js";
import { atLeast, type Version } from "../model/version.js";
import { CONSUMER_FIELDS } from "./fields/consumer.js";
import { type FieldRow, isSet } from "./fields/row.js";
import { STREAM_FIELDS } from "./fields/stream.js";

const NEWER_STREAM_FIELDS = STREAM_FIELDS.where((r) => r.since !== undefined);
const NEWER_CONSUMER_FIELDS = CONSUMER_FIELDS.where((r) => r.since !== undefined);

function unsupported(
  resource: DesiredStream | DesiredConsumer,
  path: string,
  what: string,
  needs: string,
  version: Version,
): Diagnostic {
  return {
    severity: "error",
    pos: resource.origin.fieldPos(path),
    address: resource.address,
    path,
    code: "plan.unsupported-field",
    message: `${what} needs nats-server ${needs.replace(/\.0$/, "")} or newer, and the server is ${version.text}; remove it or upgrade the server`,
  };
}

/** Errors for the fields of `rows` that `config` sets and the server is too old for. */
function newerFields(
  resource: DesiredStream | DesiredConsumer,
  rows: readonly FieldRow[],
  version: Version,
): Diagnostic[] {
  const c = resource.config as unknown as Record<string, unknown>;
  return rows
    .filter((r) => isSet(r, c[r.name]) && !atLeast(version, r.since!))
    .map((r) => unsupported(resource, r.name, r.name, r.since!, version));
}

export function checkStreamSupport(s: DesiredStream, version: Version, clustered: boolean): Diagnostic[] {
  const out = newerFields(s, NEWER_STREAM_FIELDS, version);
  const sources = s.config.mirror
    ? [["mirror", s.config.mirror] as const]
    : (s.config.sources ?? []).map((x, i) => [`sources[${i}]`, x] as const);
  for (const [path, src] of sources) {
    if (src.consumer && !atLeast(version, "2.14.0"))
      out.push(unsupported(s, `${path}.consumer`, "sourcing through a durable consumer", "2.14.0", version));
  }
  if ((s.config.num_replicas ?? 1) > 1 && !clustered) {
    out.push({
      severity: "error",
      pos: s.origin.fieldPos("num_replicas"),
      address: s.address,
      path: "num_replicas",
      code: "plan.replicas-standalone",
      message: `num_replicas ${s.config.num_replicas} needs a clustered server, and the connected server is not in a cluster; use num_replicas: 1 here (e.g. num_replicas: \${REPLICAS:-1})`,
    });
  }
  return out;
}

export function checkConsumerSupport(k: DesiredConsumer, version: Version, clustered: boolean): Diagnostic[] {
  const out = newerFields(k, NEWER_CONSUMER_FIELDS, version);
  if (k.config.priority_policy === "prioritized" && !atLeast(version, "2.12.0")) {
    out.push(unsupported(k, "priority_policy", "priority_policy: prioritized", "2.12.0", version));
  }
  if (k.config.ack_policy === "flow_control" && !atLeast(version, "2.14.0")) {
    out.push(unsupported(k, "ack_policy", "ack_policy: flow_control", "2.14.0", version));
  }
  if ((k.config.num_replicas ?? 0) > 1 && !clustered) {
    out.push({
      severity: "error",
      pos: k.origin.fieldPos("num_replicas"),
      address: k.address,
      path: "num_replicas",
      code: "plan.replicas-standalone",
      message: `num_replicas ${k.config.num_replicas} needs a clustered server, and the connected server is not in a cluster`,
    });
  }
  return out;
}

/** KV buckets and object stores: the fields of their backing stream that need a newer server. */
export function checkBucketSupport(
  b: DesiredKv | DesiredObjectStore,
  stream: StreamConfig,
  version: Version,
  clustered: boolean,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (b.kind === "kv" && b.spec.limit_marker_ttl && !atLeast(version, "2.11.0")) {
    out.push({
      severity: "error",
      pos: b.origin.fieldPos("limit_marker_ttl"),
      address: b.address,
      path: "limit_marker_ttl",
      code: "plan.unsupported-field",
      message: `limit_marker_ttl needs nats-server 2.11 or newer, and the server is ${version.text}; remove it or upgrade the server`,
    });
  }
  if ((stream.num_replicas ?? 1) > 1 && !clustered) {
    out.push({
      severity: "error",
      pos: b.origin.fieldPos("num_replicas"),
      address: b.address,
      path: "num_replicas",
      code: "plan.replicas-standalone",
      message: `num_replicas ${stream.num_replicas} needs a clustered server, and the connected server is not in a cluster`,
    });
  }
  return out;
}
