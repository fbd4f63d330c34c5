import type { ConnectionFlags } from "../connection-args.js";
import { CONNECTION_OPTIONS } from "../connection-args.js";
import type { CommandSpec } from "./command.js";
import { MANIFEST_PATHS, pathsArg, styleOf } from "./command.js";

export const graphSpec: CommandSpec = {
  command: "graph [paths..]",
  describe: "Draw the topology (streams, mirrors, sources, consumers, buckets) as Mermaid or Graphviz DOT",
  builder: (y) =>
    y
      .positional("paths", MANIFEST_PATHS)
      .options({
        format: {
          choices: ["mermaid", "dot"] as const,
          default: "mermaid" as const,
          describe: "Mermaid (GitHub and GitLab render it in markdown) or Graphviz DOT",
        },
        live: {
          type: "boolean",
          default: false,
          describe: "Draw what the server holds instead of the manifest (needs a connection)",
        },
        "max-nodes": {
          type: "number",
          default: 200,
          describe:
            "At most this many nodes: each stream's consumers become one node with their count, then the rest is left out",
        },
        ...CONNECTION_OPTIONS,
      })
      .example("$0 graph > topology.mmd", "The topology jsplan.yaml declares, as Mermaid")
      .example(
        "$0 graph --live --format dot | dot -Tsvg > live.svg",
        "What the server holds, drawn by Graphviz",
      ),
  run: async (args, io) =>
    (await import("../commands/graph.js")).graphCommand(
      {
        paths: pathsArg(args.paths),
        format: args.format as "mermaid" | "dot",
        live: args.live as boolean,
        maxNodes: args["max-nodes"] as number,
        connection: args as unknown as ConnectionFlags,
      },
      io,
      styleOf(args, io),
    ),
};
