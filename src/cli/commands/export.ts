// `jsplan export`: a manifest of what the server holds, so that a server set up by hand can be adopted.
// `jsplan export > jsplan.yaml && jsplan plan` shows no changes.

import { writeFile } from "node:fs/promises";
import type { Session } from "../../connection/session.js";
import { exportManifest } from "../../export/from-observed.js";
import { manifestYaml } from "../../export/to-yaml.js";
import { kvBucketOf, kvStreamName, objectStoreStreamName } from "../../jetstream/buckets.js";
import type { ObservedState } from "../../model/observed.js";
import { withBucketEntries } from "../../reconcile/planning.js";
import type { Style } from "../../render/style.js";
import { jsplanVersion } from "../../version.js";
import type { ConnectionFlags } from "../connection-args.js";
import { ExitError } from "../exit-error.js";
import type { CliIO } from "../io.js";
import { exitFor, observeOrExit } from "../planning.js";

/** The state with the keys of the KV buckets export writes (all, or those of --stream). */
async function withKeys(
  session: Session,
  observed: ObservedState,
  wanted: readonly string[],
): Promise<ObservedState> {
  const buckets = [...observed.streams.keys()]
    .map(kvBucketOf)
    .filter((b): b is string => b !== undefined)
    .filter((b) => wanted.length === 0 || wanted.includes(b) || wanted.includes(kvStreamName(b)));
  return withBucketEntries(session, observed, buckets);
}

export interface ExportArgs {
  readonly streams: readonly string[];
  readonly owner?: string;
  readonly out?: string;
  /** Also export the keys of the KV buckets (`entries`), with their values. */
  readonly withEntries: boolean;
  readonly quiet: boolean;
  readonly connection: ConnectionFlags;
}

export async function exportCommand(args: ExportArgs, io: CliIO, style: Style): Promise<number> {
  if (args.owner !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(args.owner)) {
    throw new ExitError(
      1,
      `jsplan: --owner "${args.owner}" is not a valid owner: use letters, digits, '.', '_' and '-'\nRun "jsplan --help" for usage.`,
    );
  }
  const { session, observed: state } = await observeOrExit(args.connection, io, style);
  try {
    const observed = args.withEntries
      ? await withKeys(session, state, args.streams).catch((err) => exitFor(err, io, style))
      : state;
    const result = exportManifest(observed, {
      ...(args.streams.length > 0 ? { streams: args.streams } : {}),
      ...(args.owner !== undefined ? { owner: args.owner } : {}),
    });
    const missing = args.streams.filter(
      (n) =>
        !observed.streams.has(n) &&
        !observed.streams.has(kvStreamName(n)) &&
        !observed.streams.has(objectStoreStreamName(n)),
    );
    if (missing.length > 0) {
      throw new ExitError(
        1,
        `jsplan: no such stream on the server: ${missing.join(", ")}; nothing was exported`,
      );
    }
    const header = [
      ` Exported by jsplan ${jsplanVersion()} from nats-server ${observed.server.version}${observed.server.domain ? ` (JetStream domain ${observed.server.domain})` : ""}.`,
      ...(result.caveats.length > 0
        ? result.caveats.map((c) => ` ${c}`)
        : [" `jsplan plan` with this manifest against the same server shows no changes."]),
    ].join("\n");
    const text = manifestYaml(result.manifest, header, result.comments);
    if (args.out) {
      try {
        await writeFile(args.out, text);
      } catch (err) {
        throw new ExitError(
          1,
          `jsplan: cannot write ${args.out}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
        );
      }
    } else {
      io.stdout.write(text);
    }
    if (!args.quiet) for (const note of result.notes) io.stderr.write(`${style.yellow("note:")} ${note}\n`);
    if (args.out && !args.quiet) io.stderr.write(`Wrote ${args.out}.\n`);
    return 0;
  } finally {
    await session.close();
  }
}
