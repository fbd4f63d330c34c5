// Who holds the apply lock (src/jetstream/lease.ts): what observe reports and a refused apply names.

/** Who holds the lease: enough for a person to find the run. */
export interface LeaseHolder {
  /** A random id of the run, so that a process never mistakes another's lease for its own. */
  readonly id: string;
  readonly owner: string | null;
  readonly host: string;
  readonly pid: number;
  /** When the run took the lease (RFC 3339). */
  readonly since: string;
  readonly jsplan_version: string;
}

/** The lock as observe found it: whether its stream exists (apply creates it), and who holds it now. */
export interface ObservedLease {
  readonly present: boolean;
  readonly holder: LeaseHolder | null;
  /** The lock stream's config when it exists: it counts against the account's limits like any stream. */
  readonly config?: Readonly<Record<string, unknown>>;
}
