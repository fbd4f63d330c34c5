// The field tables by resource kind. A bucket's stream is a stream: its wire fields are the stream's.

import type { ResourceKind } from "../../model/address.js";
import { CONSUMER_FIELDS } from "./consumer.js";
import type { FieldTable, FieldUnit } from "./row.js";
import { STREAM_FIELDS } from "./stream.js";

export { bucketView, KV_VIEW, OBJECT_STORE_VIEW } from "./buckets.js";
export { CONSUMER_FIELDS } from "./consumer.js";
export { type FieldRow, type FieldUnit, isSet } from "./row.js";
export { STREAM_FIELDS } from "./stream.js";

export function fieldsOf(kind: ResourceKind | string): FieldTable {
  return kind === "consumer" ? CONSUMER_FIELDS : STREAM_FIELDS;
}

/** The unit of a wire field path of a resource kind, for display and conversion. */
export function unitOf(kind: ResourceKind | string, path: string): FieldUnit | undefined {
  return fieldsOf(kind).unitOf(path);
}
