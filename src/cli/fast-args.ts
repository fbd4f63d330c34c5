// The everyday invocations of validate and plan (paths, --format, --server, --quiet, …), read without yargs:
// loading yargs and its text layout is about a third of `jsplan validate`'s start-up, paid many times a day
// by pre-commit hooks and CI. Anything else — help, an unknown or repeated flag, a value that starts with
// "-", a value yargs would refuse — is left to yargs, which then answers exactly as it always does. The
// arguments given to the command are the ones yargs gives it (test/cli/fast-args.test.ts compares them).

import type { Args } from "./args/command.js";

interface Lane {
  /** Flags that take one value; with the values allowed, when only some are. */
  readonly values: Readonly<Record<string, readonly string[] | null>>;
  /** Boolean flags of the command, false unless given. */
  readonly flags: readonly string[];
  readonly aliases?: Readonly<Record<string, string>>;
}

const LANES: Readonly<Record<string, Lane>> = {
  validate: { values: { format: ["text", "json"] }, flags: [] },
  plan: {
    values: { format: ["text", "json", "markdown"], server: null, context: null, out: null },
    flags: ["detailed-exitcode"],
    aliases: { s: "server" },
  },
};

/** The command and its arguments, or undefined when yargs must read them. */
export function fastArgs(argv: readonly string[]): { command: string; args: Args } | undefined {
  const [command, ...rest] = argv;
  const lane = command === undefined ? undefined : LANES[command];
  if (!lane) return undefined;
  // color: undefined unless --color or --no-color is given (see GlobalArgs).
  const args: Args = { color: undefined, quiet: false, verbose: false, format: "text", paths: [] };
  if (command === "plan") {
    args.target = [];
    // MARKDOWN_OPTIONS' default; --max-chars and --full-plan themselves are left to yargs.
    args["max-chars"] = 65_536;
  }
  for (const f of lane.flags) args[f] = false;
  const seen = new Set<string>();
  const paths: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i]!;
    if (!token.startsWith("-")) {
      paths.push(token);
      continue;
    }
    const eq = token.indexOf("=");
    const raw = eq < 0 ? token : token.slice(0, eq);
    const name = raw.startsWith("--") ? raw.slice(2) : lane.aliases?.[raw.slice(1)];
    if (!name || seen.has(name)) return undefined;
    seen.add(name);
    if (name in lane.values) {
      const value = eq < 0 ? rest[++i] : token.slice(eq + 1);
      const allowed = lane.values[name];
      if (value === undefined || value === "" || value.startsWith("-")) return undefined;
      if (allowed && !allowed.includes(value)) return undefined;
      args[name] = value;
    } else if (eq >= 0) return undefined;
    else if (name === "quiet" || name === "verbose" || lane.flags.includes(name)) args[name] = true;
    else if (name === "color" || name === "no-color") {
      if (seen.has("color") && seen.has("no-color")) return undefined;
      args.color = name === "color";
    } else return undefined;
  }
  args.paths = paths;
  return { command: command!, args };
}
