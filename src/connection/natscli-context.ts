// natscli contexts: the JSON files `nats context save` writes, so that jsplan connects the way the team's
// `nats` CLI already does. Location and selection follow jsm.go's natscontext package:
// $XDG_CONFIG_HOME/nats (or ~/.config/nats), context/<name>.json, the selected name in context.txt.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { ConnectionSettingsError } from "./errors.js";

export interface NatsContext {
  readonly name: string;
  readonly file: string;
  readonly url?: string;
  readonly user?: string;
  readonly password?: string;
  readonly token?: string;
  /** A user JWT and its seed given inline (natscli's alternative to a creds file). */
  readonly user_jwt?: string;
  readonly user_seed?: string;
  readonly creds?: string;
  readonly nkey?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly ca?: string;
  readonly jetstream_domain?: string;
  readonly jetstream_api_prefix?: string;
  readonly tls_first?: boolean;
  readonly inbox_prefix?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The context selected cannot be used: not found, not JSON, or with settings jsplan does not read. */
export class ContextError extends ConnectionSettingsError {
  constructor(message: string) {
    super(message, "context");
  }
}

export function contextDir(env: Env): string {
  const base = env.XDG_CONFIG_HOME ? env.XDG_CONFIG_HOME : path.join(env.HOME ?? homedir(), ".config");
  return path.join(base, "nats");
}

/** `~` and `$VAR`/`${VAR}` in file paths, as natscli expands them (os.ExpandEnv: unset is empty). */
export function expandPath(p: string, env: Env): string {
  let out = p.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_m, a: string | undefined, b: string | undefined) => env[(a ?? b)!] ?? "",
  );
  if (out === "~" || out.startsWith("~/")) out = path.join(env.HOME ?? homedir(), out.slice(1));
  return out;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * The context to use: `selector` (from --context or NATS_CONTEXT) is a name or a path to a .json file;
 * without it, the name in context.txt. No selection and no context.txt means no context.
 */
export function loadContext(selector: string | undefined, env: Env): NatsContext | undefined {
  const at = locateContext(selector, env);
  if (!at) return undefined;
  let text: string;
  try {
    text = readFileSync(at.file, "utf8");
  } catch (err) {
    throw new ContextError(`cannot read the context file ${at.file}: ${(err as NodeJS.ErrnoException).code}`);
  }
  const raw = parseContext(text, at.file);
  refuseUnsupported(raw, at);
  const values: Record<string, string> = {};
  // In the table's order: of two bad values, the first one is reported.
  for (const [key, how] of Object.entries(CONTEXT_FIELDS)) {
    const v = READ[how](raw, key, at, env);
    if (v !== undefined) values[key] = v;
  }
  return { ...at, ...values, ...(raw.tls_first === true ? { tls_first: true } : {}) };
}

/** A context's name and file, for reading and for messages. */
interface ContextAt {
  readonly name: string;
  readonly file: string;
}

function locateContext(selector: string | undefined, env: Env): ContextAt | undefined {
  const dir = contextDir(env);
  const looksLikePath =
    selector !== undefined &&
    (selector.endsWith(".json") || selector.includes("/") || selector.includes("\\"));
  if (selector !== undefined && looksLikePath) {
    const file = expandPath(selector, env);
    if (!isFile(file)) {
      throw new ContextError(
        `context file ${file} not found; --context (NATS_CONTEXT) takes a context name or the path of its .json file`,
      );
    }
    return { name: path.basename(file, ".json"), file };
  }
  const name = selector ?? readSelected(dir);
  if (!name) return undefined;
  if (name.includes("..")) throw new ContextError(`invalid context name "${name}"`);
  const file = path.join(dir, "context", `${name}.json`);
  if (!isFile(file)) {
    throw new ContextError(
      `context "${name}" not found: no ${file}${selector ? "" : ` (it is selected in ${path.join(dir, "context.txt")})`}; list the contexts with \`nats context ls\``,
    );
  }
  return { name, file };
}

/** A string setting, or undefined when it is absent, empty or not a string. */
function plain(raw: Record<string, unknown>, k: string): string | undefined {
  return typeof raw[k] === "string" && raw[k] !== "" ? (raw[k] as string) : undefined;
}

/** Settings jsplan cannot honour would otherwise connect some other way than the context says. */
function refuseUnsupported(raw: Record<string, unknown>, { name, file }: ContextAt): void {
  const unsupported = [
    "socks_proxy",
    "nsc",
    ...Object.keys(raw).filter((k) => k.startsWith("windows_")),
  ].filter((k) => plain(raw, k) !== undefined);
  if (unsupported.length > 0) {
    throw new ContextError(
      `context "${name}" (${file}) sets ${unsupported.join(", ")}, which jsplan does not support; use a context without ${unsupported.length === 1 ? "it" : "them"}${unsupported.includes("nsc") ? " (a creds file instead of nsc)" : ""}, or --no-context with flags`,
    );
  }
}

type Reader = (raw: Record<string, unknown>, k: string, at: ContextAt, env: Env) => string | undefined;

const READ = {
  plain,
  /** A file path: `~` and `$VAR` expanded, `file://` dropped. */
  file: (raw, k, { name, file }, env) => {
    const v = plain(raw, k);
    if (v === undefined) return undefined;
    // natscli (jsm.go after v0.4.1) also takes credential URIs; jsplan reads files only, and says so
    // rather than treating "op://vault/item" as a file name.
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(v)?.[1]?.toLowerCase();
    if (scheme && scheme !== "file" && !/^[a-z]$/i.test(scheme)) {
      throw new ContextError(
        `context "${name}" (${file}): "${k}" is a ${scheme}: reference, which jsplan does not read; point it to a file instead`,
      );
    }
    return expandPath(v.replace(/^file:\/\//i, ""), env);
  },
  /** A secret given as it is, or read from the environment with `env://VAR`. */
  secret: (raw, k, { name, file }, env) => {
    const v = plain(raw, k);
    const fromEnv = v === undefined ? undefined : /^env:\/\/(.+)$/i.exec(v)?.[1];
    if (fromEnv !== undefined) {
      const value = env[fromEnv];
      if (value === undefined || value === "") {
        throw new ContextError(
          `context "${name}" (${file}): "${k}" is read from the environment variable ${fromEnv}, which is not set`,
        );
      }
      return value;
    }
    if (v !== undefined && /^(?:(?:op|nsc):\/\/|data:)/i.test(v)) {
      throw new ContextError(
        `context "${name}" (${file}): "${k}" is a ${v.slice(0, v.indexOf(":"))}: reference, which jsplan does not read; put the value itself in the context, or use a creds file`,
      );
    }
    return v;
  },
} as const satisfies Record<string, Reader>;

/** The string settings of a context jsplan reads, and how each is read. */
const CONTEXT_FIELDS = {
  url: "plain",
  user: "plain",
  password: "secret",
  token: "secret",
  user_jwt: "secret",
  user_seed: "secret",
  creds: "file",
  nkey: "file",
  cert: "file",
  key: "file",
  ca: "file",
  jetstream_domain: "plain",
  jetstream_api_prefix: "plain",
  inbox_prefix: "plain",
} as const satisfies Record<Exclude<keyof NatsContext, "name" | "file" | "tls_first">, keyof typeof READ>;

/**
 * JSON.parse messages quote the text around the error, and a context file holds passwords and tokens: the
 * message gives the line and column instead.
 */
function parseContext(text: string, file: string): Record<string, unknown> {
  const body = text.replace(/^\uFEFF/, "");
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    const at = errorOffset(body);
    let where = "";
    if (at !== undefined) {
      const before = body.slice(0, at);
      where = ` at line ${before.split("\n").length}, column ${at - before.lastIndexOf("\n")}`;
    }
    throw new ContextError(`context file ${file} is not valid JSON${where}; fix it or save it again`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ContextError(`context file ${file} does not hold a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * Where JSON text goes wrong: the shortest prefix that fails for a reason other than ending early ends at
 * the bad character. Found by bisection, because the parser's own message does not always say.
 */
function errorOffset(text: string): number | undefined {
  const endsEarly = (n: number): boolean => {
    try {
      JSON.parse(text.slice(0, n));
      return true;
    } catch (err) {
      const message = (err as Error).message;
      const pos = /position (\d+)/.exec(message);
      return /end of JSON input|Unterminated string/i.test(message) || (pos !== null && Number(pos[1]) >= n);
    }
  };
  if (endsEarly(text.length)) return undefined;
  let good = 0;
  let bad = text.length;
  while (bad - good > 1) {
    const mid = (good + bad) >> 1;
    if (endsEarly(mid)) good = mid;
    else bad = mid;
  }
  return bad - 1;
}

function readSelected(dir: string): string | undefined {
  const f = path.join(dir, "context.txt");
  if (!existsSync(f)) return undefined;
  const name = readFileSync(f, "utf8").trim();
  return name === "" ? undefined : name;
}

/** The names of the contexts saved in the natscli config folder, sorted (for a message naming them). */
export function listContexts(env: Env): string[] {
  try {
    return readdirSync(path.join(contextDir(env), "context"))
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -".json".length))
      .sort();
  } catch {
    return [];
  }
}
