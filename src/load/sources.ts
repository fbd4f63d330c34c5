// Finding and reading manifest files: files, directories of *.yaml/*.yml, `-` for stdin, and `jsplan.yaml`
// when no path is given. Reading is bounded: a file larger than the limit is refused before it is read.

import { readdir, readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { Diagnostic } from "../model/diagnostic.js";
import type { SourceFile } from "./yaml-document.js";

export const DEFAULT_MANIFEST = "jsplan.yaml";
/** Generous for manifests (5,000 streams with 10 consumers each is about 10 MiB), small enough to refuse junk. */
export const MAX_MANIFEST_BYTES = 32 * 1024 * 1024;

export interface ReadOptions {
  readonly cwd: string;
  /** Reads standard input; only called when a path is `-`. */
  readonly readStdin: (maxBytes: number) => Promise<Buffer>;
  readonly maxBytes?: number;
}

export async function readSources(
  paths: readonly string[],
  options: ReadOptions,
): Promise<{ files: SourceFile[]; diagnostics: Diagnostic[] }> {
  const maxBytes = options.maxBytes ?? MAX_MANIFEST_BYTES;
  const diagnostics: Diagnostic[] = [];
  const files: SourceFile[] = [];
  const seen = new Set<string>();
  const fail = (file: string, message: string, code = "input.file") =>
    diagnostics.push({ severity: "error", pos: { file, line: 1, col: 1 }, code, message });

  const given = paths.length > 0 ? paths : [DEFAULT_MANIFEST];
  let stdinUsed = false;
  for (const p of given) {
    if (p === "-") {
      if (stdinUsed) continue;
      stdinUsed = true;
      const buf = await options.readStdin(maxBytes + 1);
      if (buf.length > maxBytes) {
        fail(
          "<stdin>",
          `standard input is larger than ${mib(maxBytes)}; manifests larger than that are refused`,
          "input.too-large",
        );
        continue;
      }
      const text = decode(buf);
      if (text === undefined) fail("<stdin>", "standard input is not UTF-8 text", "input.encoding");
      else files.push({ path: "<stdin>", text });
      continue;
    }
    const abs = path.resolve(options.cwd, p);
    let st: Awaited<ReturnType<typeof stat>>;
    try {
      st = await stat(abs);
    } catch {
      if (paths.length === 0) {
        diagnostics.push({
          severity: "error",
          code: "input.no-manifest",
          message: `no manifest given and ${DEFAULT_MANIFEST} not found in ${options.cwd}: pass a file or a directory, e.g. jsplan validate manifests/`,
        });
      } else {
        fail(p, `no such file or directory: ${p}`, "input.not-found");
      }
      continue;
    }
    const entries: string[] = [];
    if (st.isDirectory()) {
      const names = (await readdir(abs)).filter((n) => /\.ya?ml$/.test(n) && !n.startsWith(".")).sort();
      if (names.length === 0) {
        fail(p, `no *.yaml or *.yml files in the directory ${p}`, "input.empty-dir");
        continue;
      }
      for (const n of names) entries.push(path.join(p, n));
    } else {
      entries.push(p);
    }
    for (const entry of entries) {
      const full = path.resolve(options.cwd, entry);
      const real = await realpath(full).catch(() => full);
      if (seen.has(real)) continue;
      seen.add(real);
      const s = await stat(full).catch(() => undefined);
      if (!s?.isFile()) {
        fail(entry, `not a regular file: ${entry}`);
        continue;
      }
      if (s.size > maxBytes) {
        fail(
          entry,
          `the file is ${mib(s.size)}; manifests larger than ${mib(maxBytes)} are refused (is this the right file?)`,
          "input.too-large",
        );
        continue;
      }
      let buf: Buffer;
      try {
        buf = await readFile(full);
      } catch (err) {
        fail(entry, `cannot read ${entry}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
        continue;
      }
      const text = decode(buf);
      if (text === undefined) {
        fail(entry, "the file is not UTF-8 text (a binary file?)", "input.encoding");
        continue;
      }
      files.push({ path: entry, text });
    }
  }
  return { files, diagnostics };
}

function decode(buf: Buffer): string | undefined {
  if (buf.includes(0)) return undefined;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(buf);
    return text.startsWith("\uFEFF") ? text.slice(1) : text;
  } catch {
    return undefined;
  }
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MiB`;
}

/** Reads stdin up to `limit` bytes, then stops (a larger input is refused by the caller). */
export async function readStdin(limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const b = chunk as Buffer;
    chunks.push(b);
    size += b.length;
    if (size >= limit) break;
  }
  return Buffer.concat(chunks);
}
