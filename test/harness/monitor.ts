// The HTTP monitoring endpoint of a server (cluster nodes always have one).

export interface MetaClusterInfo {
  leader?: string;
  cluster_size?: number;
  /** Only on the leader: the other peers. `active` is nanoseconds since last heard from. */
  replicas?: { name: string; current?: boolean; active?: number; lag?: number; offline?: boolean }[];
}

/** `meta_cluster` of GET /jsz: the JetStream meta group as this server sees it. */
export async function fetchMetaCluster(monitorUrl: string): Promise<MetaClusterInfo> {
  const res = await fetch(`${monitorUrl}/jsz`, { signal: AbortSignal.timeout(1000) });
  if (!res.ok) throw new Error(`GET ${monitorUrl}/jsz: HTTP ${res.status}`);
  return ((await res.json()) as { meta_cluster?: MetaClusterInfo }).meta_cluster ?? {};
}
