/** Resource kinds jsplan manages, and how the plan addresses them (`stream.ORDERS`, `consumer.ORDERS.worker`). */
export type ResourceKind = "stream" | "consumer" | "kv" | "objectstore" | "kv_entry";

export function streamAddress(name: string): string {
  return `stream.${name}`;
}

export function consumerAddress(stream: string, name: string): string {
  return `consumer.${stream}.${name}`;
}

export function kvAddress(bucket: string): string {
  return `kv.${bucket}`;
}

/** `kv_entry.CONFIG.feature.flag`: bucket names have no dots, so everything after the bucket is the key. */
export function kvEntryAddress(bucket: string, key: string): string {
  return `kv_entry.${bucket}.${key}`;
}

export function objectStoreAddress(bucket: string): string {
  return `objectstore.${bucket}`;
}

export interface ParsedAddress {
  readonly kind: ResourceKind;
  /** The stream (for consumers) or the resource name. */
  readonly name: string;
  readonly consumer?: string;
  /** For KV entries: the key. */
  readonly key?: string;
}

/**
 * Parses an address given by a user (`--target`). Stream and consumer names cannot contain `.`, so splitting
 * on the first dots is unambiguous.
 */
export function parseAddress(address: string): ParsedAddress | undefined {
  const dot = address.indexOf(".");
  if (dot < 0) return undefined;
  const kind = address.slice(0, dot);
  const rest = address.slice(dot + 1);
  if (rest === "") return undefined;
  switch (kind) {
    case "stream":
    case "kv":
    case "objectstore":
      return rest.includes(".") ? undefined : { kind, name: rest };
    case "consumer": {
      const parts = rest.split(".");
      if (parts.length !== 2 || parts[0] === "" || parts[1] === "") return undefined;
      return { kind, name: parts[0]!, consumer: parts[1]! };
    }
    case "kv_entry": {
      const dot2 = rest.indexOf(".");
      if (dot2 <= 0 || dot2 === rest.length - 1) return undefined;
      return { kind, name: rest.slice(0, dot2), key: rest.slice(dot2 + 1) };
    }
    default:
      return undefined;
  }
}
