import type { ConnectionFlags } from "../connection-args.js";
import { CONNECTION_OPTIONS } from "../connection-args.js";
import type { CommandSpec } from "./command.js";
import {
  MANIFEST_PATHS,
  MARKDOWN_OPTIONS,
  markdownArgs,
  pathsArg,
  styleOf,
  targetOption,
} from "./command.js";

export const planSpec: CommandSpec = {
  command: "plan [paths..]",
  describe: "Show what apply would change on the server, without changing anything",
  builder: (y) =>
    y
      .positional("paths", MANIFEST_PATHS)
      .options({
        format: {
          choices: ["text", "json", "markdown"] as const,
          default: "text" as const,
          describe: "Output format",
        },
        out: { type: "string", describe: "Save the plan as JSON for `jsplan apply --plan FILE`" },
        "detailed-exitcode": {
          type: "boolean",
          default: false,
          describe: "Exit 0 when there are no changes, 2 when there are, 1 on errors",
        },
        ...MARKDOWN_OPTIONS,
        target: targetOption("Plan"),
        ...CONNECTION_OPTIONS,
      })
      .example("$0 plan", "Plan jsplan.yaml against NATS_URL or the selected natscli context")
      .example(
        "$0 plan manifests/ --detailed-exitcode",
        "In CI: exit 2 when the server has drifted from the manifests",
      )
      .example("$0 plan --format markdown > plan.md", "A pull-request comment"),
  run: async (args, io) =>
    (await import("../commands/plan.js")).planCommand(
      {
        paths: pathsArg(args.paths),
        targets: args.target as string[],
        connection: args as unknown as ConnectionFlags,
        verbose: args.verbose,
        format: args.format as "text" | "json" | "markdown",
        failureAsJson: args.format === "json",
        ...(args.out ? { out: args.out as string } : {}),
        detailedExitcode: args["detailed-exitcode"] as boolean,
        quiet: args.quiet,
        markdown: markdownArgs(args),
      },
      io,
      styleOf(args, io, "stdout"),
    ),
};
