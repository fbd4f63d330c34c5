import type { CommandSpec } from "./command.js";
import { pathsArg, styleOf } from "./command.js";

export const validateSpec: CommandSpec = {
  command: "validate [paths..]",
  describe: "Check manifests against the schema and the semantic rules, without a server",
  builder: (y) =>
    y
      .option("format", {
        choices: ["text", "json"] as const,
        default: "text" as const,
        describe: "Output format",
      })
      .positional("paths", {
        type: "string",
        array: true,
        default: [] as string[],
        describe: "Files, directories of *.yaml/*.yml, or - for stdin (default: jsplan.yaml)",
      })
      .example("$0 validate", "Validate jsplan.yaml in the current folder")
      .example("$0 validate manifests/ --format json", "Validate a folder, machine-readable"),
  run: async (args, io) =>
    (await import("../commands/validate.js")).validateCommand(
      { paths: pathsArg(args.paths), format: args.format as "text" | "json", quiet: args.quiet },
      io,
      styleOf(args, io),
    ),
};
