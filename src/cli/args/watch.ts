import { DEFAULT_APPLY_CONCURRENCY } from "../../apply/defaults.js";
import type { ConnectionFlags } from "../connection-args.js";
import { CONNECTION_OPTIONS } from "../connection-args.js";
import { durationMs, lockTtl } from "./apply.js";
import type { CommandSpec } from "./command.js";
import { MANIFEST_PATHS, pathsArg, styleOf } from "./command.js";

/** HOST:PORT (or :PORT, all interfaces; [::1]:PORT for IPv6), or null. */
export function parseListen(text: string): { host: string; port: number } | null {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  if (!m) return null;
  const port = Number(m[3]);
  if (port > 65535) return null;
  return { host: m[1] ?? (m[2] || "0.0.0.0"), port };
}

export const watchSpec: CommandSpec = {
  command: "watch [paths..]",
  describe: "Keep watching for drift (advisories, and a re-read every --interval); with --apply, correct it",
  builder: (y) =>
    y
      .positional("paths", MANIFEST_PATHS)
      .options({
        interval: {
          type: "string",
          default: "5m",
          describe:
            "Re-read everything this often, as a safety net for missed advisories (a consumer updated in place has none)",
        },
        apply: {
          type: "boolean",
          default: false,
          describe: "Correct drift with the same locked, guarded apply as `jsplan apply --auto-approve`",
        },
        "allow-destroy": {
          type: "boolean",
          default: false,
          describe: "With --apply: also correct drift that needs a delete or a replace",
        },
        concurrency: {
          type: "number",
          default: DEFAULT_APPLY_CONCURRENCY,
          describe: "Independent steps in flight at once",
        },
        "lock-timeout": {
          type: "string",
          default: "30s",
          describe: "With --apply: how long to wait for the account's apply lock when another apply holds it",
        },
        "metrics-listen": {
          type: "string",
          describe: "Serve Prometheus metrics at /metrics and a health check at /healthz on HOST:PORT",
        },
        format: {
          choices: ["text", "json"] as const,
          default: "text" as const,
          describe: "A line of text, or a JSON object per line, for each change",
        },
        ...CONNECTION_OPTIONS,
      })
      .check((a) => {
        const interval = durationMs(a.interval as string);
        if (interval === null || interval < 1000)
          throw new Error(
            `--interval must be a duration of at least 1s, such as 30s or 5m (got "${a.interval}")`,
          );
        if (!Number.isInteger(a.concurrency) || (a.concurrency as number) < 1)
          throw new Error("--concurrency must be a whole number of at least 1");
        if (durationMs(a["lock-timeout"] as string) === null)
          throw new Error(
            `--lock-timeout must be a duration such as 0s, 30s or 5m (got "${a["lock-timeout"]}")`,
          );
        const listen = a["metrics-listen"] as string | undefined;
        if (listen !== undefined && !parseListen(listen))
          throw new Error(
            `--metrics-listen must be HOST:PORT, such as 127.0.0.1:9464 or :9464 (got "${listen}")`,
          );
        if ((a.paths as string[]).includes("\u0000stdin"))
          throw new Error(
            "jsplan watch reads manifest files (it reloads them when they change), not standard input",
          );
        return true;
      })
      .example("$0 watch", "Report drift of jsplan.yaml as it happens")
      .example("$0 watch --apply --metrics-listen :9464", "Correct drift, with metrics for Prometheus"),
  run: async (args, io) => {
    const listen = args["metrics-listen"] as string | undefined;
    return (await import("../commands/watch.js")).watchCommand(
      {
        paths: pathsArg(args.paths),
        connection: args as unknown as ConnectionFlags,
        intervalMs: durationMs(args.interval as string)!,
        apply: args.apply as boolean,
        allowDestroy: args["allow-destroy"] as boolean,
        concurrency: args.concurrency as number,
        lockTimeoutMs: durationMs(args["lock-timeout"] as string) ?? 30_000,
        ...lockTtl(io.env),
        format: args.format as "text" | "json",
        ...(listen ? { metricsListen: parseListen(listen)! } : {}),
      },
      io,
      styleOf(args, io, "stdout"),
    );
  },
};
