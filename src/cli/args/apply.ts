import { DEFAULT_APPLY_CONCURRENCY } from "../../apply/defaults.js";
import { parseDuration } from "../../model/units.js";
import type { ConnectionFlags } from "../connection-args.js";
import { CONNECTION_OPTIONS } from "../connection-args.js";
import { ExitError } from "../exit-error.js";
import type { CommandSpec } from "./command.js";
import { MANIFEST_PATHS, pathsArg, styleOf, targetOption } from "./command.js";

/** A flag's duration in milliseconds (a bare number is seconds), or null when it is not one. */
export function durationMs(text: string): number | null {
  const r = parseDuration(/^\d+(\.\d+)?$/.test(text.trim()) ? `${text.trim()}s` : text);
  return r.ok && r.value >= 0 ? Math.round(r.value / 1e6) : null;
}

/** JSPLAN_LOCK_TTL: how long an apply lock lives without renewal (default 30s); at least 1s. */
export function lockTtl(env: Readonly<Record<string, string | undefined>>): { lockTtlMs?: number } {
  const text = env.JSPLAN_LOCK_TTL;
  if (text === undefined || text === "") return {};
  const ms = durationMs(text);
  if (ms === null || ms < 1000) {
    throw new ExitError(
      1,
      `jsplan: JSPLAN_LOCK_TTL must be a duration of at least 1s, such as 30s (got "${text}")`,
    );
  }
  return { lockTtlMs: ms };
}

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
        "lock-timeout": {
          type: "string",
          default: "0s",
          describe:
            "How long to wait when another apply holds the account's apply lock, e.g. 5m (0s: fail at once)",
        },
        lock: {
          type: "boolean",
          default: true,
          describe:
            "Take the account's apply lock (--no-lock runs without it: another apply could interleave its steps)",
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
        if (durationMs(a["lock-timeout"] as string) === null)
          throw new Error(
            `--lock-timeout must be a duration such as 0s, 30s or 5m (got "${a["lock-timeout"]}")`,
          );
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
        takeLock: args.lock as boolean,
        lockTimeoutMs: durationMs(args["lock-timeout"] as string) ?? 0,
        ...lockTtl(io.env),
      },
      io,
      styleOf(args, io, "stdout"),
    ),
};
