import type { ConnectionFlags } from "../connection-args.js";
import { CONNECTION_OPTIONS } from "../connection-args.js";
import type { CommandSpec } from "./command.js";
import { styleOf } from "./command.js";

export const exportSpec: CommandSpec = {
  command: "export",
  describe: "Write a manifest of what the server holds, so that an existing setup can be adopted",
  builder: (y) =>
    y
      .options({
        stream: {
          type: "string",
          array: true,
          default: [] as string[],
          describe: "Export only this stream or bucket; repeatable",
        },
        owner: {
          type: "string",
          describe: "The manifest's owner: the first apply stamps it on everything exported (adoption)",
        },
        out: { type: "string", describe: "Write the manifest to this file instead of standard output" },
        "with-entries": {
          type: "boolean",
          default: false,
          describe:
            "Also export the keys of KV buckets as entries, with their values (mark secrets sensitive before committing)",
        },
        ...CONNECTION_OPTIONS,
      })
      .example("$0 export > jsplan.yaml", "Adopt a server: export, review, commit")
      .example("$0 export --stream flags --with-entries", "A KV bucket with its keys")
      .example(
        "$0 export --stream ORDERS --owner orders-platform --out orders.yaml",
        "One stream, owned by a team",
      ),
  run: async (args, io) =>
    (await import("../commands/export.js")).exportCommand(
      {
        streams: args.stream as string[],
        ...(args.owner !== undefined ? { owner: args.owner as string } : {}),
        ...(args.out ? { out: args.out as string } : {}),
        withEntries: args["with-entries"] === true,
        quiet: args.quiet,
        connection: args as unknown as ConnectionFlags,
      },
      io,
      styleOf(args, io),
    ),
};
