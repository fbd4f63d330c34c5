import type { CommandSpec } from "./command.js";
import { MARKDOWN_OPTIONS, markdownArgs, styleOf } from "./command.js";

export const showSpec: CommandSpec = {
  command: "show <planfile>",
  describe: "Show a plan saved with `jsplan plan --out FILE`, without a server",
  builder: (y) =>
    y
      .positional("planfile", { type: "string", describe: "A plan saved with jsplan plan --out" })
      .options({
        format: {
          choices: ["text", "json", "markdown"] as const,
          default: "text" as const,
          describe: "Output format",
        },
        ...MARKDOWN_OPTIONS,
      })
      .example("$0 show plan.json", "The saved plan as text, as plan printed it")
      .example("$0 show plan.json --format markdown > plan.md", "The saved plan for a pull-request comment"),
  run: async (args, io) =>
    (await import("../commands/show.js")).showCommand(
      {
        file: args.planfile as string,
        format: args.format as "text" | "json" | "markdown",
        quiet: args.quiet,
        markdown: markdownArgs(args),
      },
      io,
      styleOf(args, io, "stdout"),
    ),
};
