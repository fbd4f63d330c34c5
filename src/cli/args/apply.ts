import { DEFAULT_APPLY_CONCURRENCY } from "../../apply/defaults.js";
import type { ConnectionFlags } from "../connection-args.js";
import { CONNECTION_OPTIONS } from "../connection-args.js";
import type { CommandSpec } from "./command.js";
import { MANIFEST_PATHS, pathsArg, styleOf, targetOption } from "./command.js";

export const applySpec: CommandSpec = {
  command: "apply [paths..]",
  describe: "Carry out the plan: create, update, replace and delete, with a result for every step",
  builder: (y) =>
    y
      .positional("paths", MANIFEST_PATHS)
      .options({
        plan: {
          type: "string",
          describe: "Apply a plan saved with `jsplan plan --out FILE` (no prompt; refused when stale)",
        },
        "auto-approve": {
          type: "boolean",
          default: false,
          describe: "Apply without asking (required when not on a terminal)",
        },
        "allow-destroy": {
          type: "boolean",
          default: false,
          describe: "Allow deletes and replaces (they lose messages or delivery state)",
        },
        concurrency: {
          type: "number",
          default: DEFAULT_APPLY_CONCURRENCY,
          describe: "Independent steps in flight at once",
        },
        format: {
          choices: ["text", "json"] as const,
          default: "text" as const,
          describe: "Output format",
        },
        target: targetOption("Apply"),
        ...CONNECTION_OPTIONS,
      })
      .check((a) => {
        if (!Number.isInteger(a.concurrency) || (a.concurrency as number) < 1)
          throw new Error("--concurrency must be a whole number of at least 1");
        if (a.plan && ((a.paths as string[]).length > 0 || (a.target as string[]).length > 0)) {
          throw new Error(
            "--plan applies a saved plan as it is: give no manifest paths and no --target with it",
          );
        }
        return true;
      })
      .example("$0 apply", "Show the plan for jsplan.yaml, ask, then apply it")
      .example("$0 apply --auto-approve", "In a deployment pipeline")
      .example("$0 plan --out plan.json && $0 apply --plan plan.json", "Apply exactly the reviewed plan"),
  run: async (args, io) =>
    (await import("../commands/apply.js")).applyCommand(
      {
        paths: pathsArg(args.paths),
        targets: args.target as string[],
        connection: args as unknown as ConnectionFlags,
        verbose: args.verbose,
        ...(args.plan ? { planFile: args.plan as string } : {}),
        autoApprove: args["auto-approve"] as boolean,
        allowDestroy: args["allow-destroy"] as boolean,
        concurrency: args.concurrency as number,
        format: args.format as "text" | "json",
        quiet: args.quiet,
      },
      io,
      styleOf(args, io, "stdout"),
    ),
};
