// Credentials from files: creds files (a user JWT and its seed) and nkey seed files, checked before the
// client sees them so that a wrong file is named in words. A value that looks like a secret is never
// echoed, even where a path belongs: someone passed the secret itself.

import { access, readFile } from "node:fs/promises";
import { nkeys } from "@nats-io/transport-node";
import { ConnectionFailure } from "./errors.js";
import type { ConnectionSettings } from "./settings.js";
import { parseServer } from "./url.js";

/** Which credentials were offered, in words for a message; never their values. */
export function credentialsInUse(s: ConnectionSettings): string {
  if (s.creds) return "the creds file";
  if (s.nkey) return "the nkey seed";
  if (s.userJwt) return "the user JWT of the context";
  if (s.user !== undefined && s.password !== undefined) return "the user and password";
  if (s.token !== undefined) return "the token";
  if (s.user !== undefined) return "the user (as a token)";
  const url = s.servers.map(parseServer).find((p) => p.user !== undefined);
  if (url) return url.pass !== undefined ? "the user and password in the URL" : "the token in the URL";
  return "no credentials";
}

/**
 * True for a value that is a secret rather than a path: an nkey seed, a JWT, a creds or PEM text. A path
 * option given such a value must not echo it back in "no such file".
 */
export function looksSecret(value: string): boolean {
  return (
    /\bS[OAUNCPX][A-Z2-7]{50,}\b/.test(value) ||
    /eyJ[\w-]{8,}\.[\w-]{8,}\./.test(value) ||
    /-----BEGIN /.test(value) ||
    /[\r\n]/.test(value)
  );
}

function shownPath(path: string): string {
  return looksSecret(path) ? "(a value that looks like a secret itself, not a file name; not shown)" : path;
}

const NKEY_SEED = /^SU[A-Z2-7]{50,}$/;

/** The JWT and seed of a creds file, as nats.go reads it: the first and second `---…---` framed blocks. */
export function parseCreds(text: string, path: string): { jwt: string; seed: string } {
  const lines = text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n|\r/)
    .map((l) => l.trim());
  const blocks: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (/^-{3,}[^-]*BEGIN[^-]*-{3,}$/.test(lines[i]!)) {
      const value = lines.slice(i + 1).find((l) => l !== "");
      if (value !== undefined) blocks.push(value);
    }
  }
  const [jwt, seed] = blocks;
  if (!jwt || !seed || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(jwt) || !NKEY_SEED.test(seed)) {
    throw new ConnectionFailure(
      `the creds file ${shownPath(path)} is not a NATS user credentials file: it needs a "BEGIN NATS USER JWT" and a "BEGIN USER NKEY SEED" block (nsc and nats context save write them)`,
    );
  }
  checkSeed(seed, `the seed in the creds file ${shownPath(path)}`);
  return { jwt, seed };
}

export function checkSeed(seed: string, what: string): void {
  try {
    nkeys.fromSeed(new TextEncoder().encode(seed));
  } catch {
    throw new ConnectionFailure(`${what} is not a valid user nkey seed (a checksum or encoding error)`);
  }
}

/** An nkey seed file holds the seed alone (`nsc` .nk files) or framed; the first user seed in it counts. */
export function parseSeedFile(text: string, path: string): string {
  if (/BEGIN NATS USER JWT/.test(text)) {
    throw new ConnectionFailure(
      `the nkey file ${shownPath(path)} is a creds file (it holds a user JWT): pass it with --creds instead`,
    );
  }
  const seed = text.split(/\s+/).find((w) => NKEY_SEED.test(w));
  if (!seed) {
    throw new ConnectionFailure(
      `the nkey file ${shownPath(path)} holds no user nkey seed (a word starting with SU); --nkey takes the seed file, and a creds file goes to --creds`,
    );
  }
  checkSeed(seed, `the seed in the nkey file ${shownPath(path)}`);
  return seed;
}

function fileProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "it is a folder";
  return code ?? "unreadable";
}

export async function checkReadable(path: string, what: string): Promise<void> {
  try {
    await access(path);
  } catch (err) {
    throw new ConnectionFailure(`cannot read the ${what} ${shownPath(path)}: ${fileProblem(err)}`);
  }
}

export async function readSecretFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    const hint = looksSecret(path)
      ? `; ${what === "creds file" ? "--creds" : "--nkey"} takes the path of a file, not its content`
      : "";
    throw new ConnectionFailure(`cannot read the ${what} ${shownPath(path)}: ${fileProblem(err)}${hint}`);
  }
}
