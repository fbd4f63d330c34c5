// `jsplan graph [PATH...]`: the topology as Mermaid or DOT, from the manifest alone, or with --live from
// what the server holds.

import { loadManifests } from "../../load/load.js";
import { countBySeverity, plural, renderDiagnostics } from "../../render/diagnostics.js";
import { toDot, toMermaid } from "../../render/diagram.js";
import type { Style } from "../../render/style.js";
import { boundTopology, desiredTopology, observedTopology, type Topology } from "../../render/topology.js";
import type { ConnectionFlags } from "../connection-args.js";
import { ExitError } from "../exit-error.js";
import type { CliIO } from "../io.js";
import { observeOrExit } from "../planning.js";

export interface GraphArgs {
  readonly paths: readonly string[];
  readonly format: "mermaid" | "dot";
  readonly live: boolean;
  readonly maxNodes: number;
  readonly connection: ConnectionFlags;
}

export async function graphCommand(args: GraphArgs, io: CliIO, style: Style): Promise<number> {
  if (!Number.isInteger(args.maxNodes) || args.maxNodes < 2)
    throw new ExitError(
      1,
      'jsplan: --max-nodes must be a whole number of at least 2\nRun "jsplan --help" for usage.',
    );
  if (args.live && args.paths.length > 0)
    throw new ExitError(1, "jsplan: --live draws what the server holds: give no manifest paths with it");
  const topology = args.live ? await live(args, io, style) : await fromManifest(args, io, style);
  const bounded = boundTopology(topology, args.maxNodes);
  io.stdout.write(args.format === "dot" ? toDot(bounded) : toMermaid(bounded));
  return 0;
}

async function fromManifest(args: GraphArgs, io: CliIO, style: Style): Promise<Topology> {
  const loaded = await loadManifests(args.paths, {
    cwd: io.cwd,
    env: io.env,
    readStdin: (n) => io.readStdin(n),
  });
  const { errors } = countBySeverity(loaded.diagnostics);
  if (errors > 0 || !loaded.desired) {
    io.stderr.write(renderDiagnostics(loaded.diagnostics, style));
    throw new ExitError(
      1,
      `${style.red("✗")} the manifest has ${plural(errors, "error")}; nothing was drawn`,
    );
  }
  return desiredTopology(loaded.desired);
}

async function live(args: GraphArgs, io: CliIO, style: Style): Promise<Topology> {
  const { session, observed } = await observeOrExit(args.connection, io, style);
  await session.close();
  return observedTopology(observed);
}
