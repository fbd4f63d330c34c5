// natscli contexts: the JSON files `nats context save` writes, so that jsplan connects the way the team's
// `nats` CLI already does. Location and selection follow jsm.go's natscontext package:
// $XDG_CONFIG_HOME/nats (or ~/.config/nats), context/<name>.json, the selected name in context.txt.

import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

export interface NatsContext {
  readonly name: string;
  readonly file: string;
  readonly url?: string;
  readonly user?: string;
  readonly password?: string;
  readonly token?: string;
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

export class ContextError extends Error {}

export function contextDir(env: Env): string {
  const base = env.XDG_CONFIG_HOME ? env.XDG_CONFIG_HOME : path.join(env.HOME ?? homedir(), ".config");
  return path.join(base, "nats");
}

/** `~` and `$VAR`/`${VAR}` in file paths, as natscli expands them. */
export function expandPath(p: string, env: Env): string {
  let out = p.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_m, a: string | undefined, b: string | undefined) => env[(a ?? b)!] ?? "",
  );
  if (out === "~" || out.startsWith("~/")) out = path.join(env.HOME ?? homedir(), out.slice(1));
  return out;
}

/**
 * The context to use: `selector` (from --context or NATS_CONTEXT) is a name or a path to a .json file;
 * without it, the name in context.txt. No selection and no context.txt means no context.
 */
export function loadContext(selector: string | undefined, env: Env): NatsContext | undefined {
  const dir = contextDir(env);
  let file: string;
  let name: string;
  if (
    selector &&
    (selector.endsWith(".json") || selector.includes("/")) &&
    existsSync(expandPath(selector, env))
  ) {
    file = expandPath(selector, env);
    name = path.basename(file, ".json");
  } else {
    const selected = selector ?? readSelected(dir);
    if (!selected) return undefined;
    if (selected.includes("..") || selected.includes("/") || selected.includes("\\")) {
      throw new ContextError(`invalid context name "${selected}"`);
    }
    name = selected;
    file = path.join(dir, "context", `${name}.json`);
    if (!existsSync(file)) {
      throw new ContextError(
        `context "${name}" not found: no ${file}${selector ? "" : ` (selected in ${path.join(dir, "context.txt")})`}; list them with \`nats context ls\``,
      );
    }
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (err) {
    throw new ContextError(`context file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const str = (k: string) => (typeof raw[k] === "string" && raw[k] !== "" ? (raw[k] as string) : undefined);
  const file_ = (k: string) => {
    const v = str(k);
    return v === undefined ? undefined : expandPath(v.replace(/^file:\/\//, ""), env);
  };
  return {
    name,
    file,
    ...optional("url", str("url")),
    ...optional("user", str("user")),
    ...optional("password", str("password")),
    ...optional("token", str("token")),
    ...optional("creds", file_("creds")),
    ...optional("nkey", file_("nkey")),
    ...optional("cert", file_("cert")),
    ...optional("key", file_("key")),
    ...optional("ca", file_("ca")),
    ...optional("jetstream_domain", str("jetstream_domain")),
    ...optional("jetstream_api_prefix", str("jetstream_api_prefix")),
    ...optional("inbox_prefix", str("inbox_prefix")),
    ...(raw.tls_first === true ? { tls_first: true } : {}),
  };
}

function optional<K extends string>(k: K, v: string | undefined): Partial<Record<K, string>> {
  return v === undefined ? {} : ({ [k]: v } as Record<K, string>);
}

function readSelected(dir: string): string | undefined {
  const f = path.join(dir, "context.txt");
  if (!existsSync(f)) return undefined;
  const name = readFileSync(f, "utf8").trim();
  return name === "" ? undefined : name;
}
