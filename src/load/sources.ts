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
  const reader = new SourceReader(options);
  const defaulted = paths.length === 0;
  for (const p of defaulted ? [DEFAULT_MANIFEST] : paths) {
    if (p === "-") await reader.readStdin();
    else for (const entry of await reader.entriesOf(p, defaulted)) await reader.readFile(entry);
  }
  return { files: reader.files, diagnostics: reader.diagnostics };
}

/** The files read so far, each once (by its real path), and what kept others from being read. */
class SourceReader {
  readonly files: SourceFile[] = [];
  readonly diagnostics: Diagnostic[] = [];
  readonly #seen = new Set<string>();
  readonly #maxBytes: number;
  #stdinUsed = false;

  constructor(private readonly options: ReadOptions) {
    this.#maxBytes = options.maxBytes ?? MAX_MANIFEST_BYTES;
  }

  /** Standard input, read once however often `-` is given. */
  async readStdin(): Promise<void> {
    if (this.#stdinUsed) return;
    this.#stdinUsed = true;
    const buf = await this.options.readStdin(this.#maxBytes + 1);
    if (buf.length > this.#maxBytes) {
      this.#fail(
        "<stdin>",
        `standard input is larger than ${mib(this.#maxBytes)}; manifests larger than that are refused`,
        "input.too-large",
      );
      return;
    }
    const text = decode(buf);
    if (text === undefined) this.#fail("<stdin>", "standard input is not UTF-8 text", "input.encoding");
    else this.files.push({ path: "<stdin>", text });
  }

  /**
   * The files a path names: itself, or the *.yaml and *.yml files of a directory, in name order. `defaulted`:
   * no path was given, and this is the default manifest.
   */
  async entriesOf(p: string, defaulted: boolean): Promise<string[]> {
    const abs = path.resolve(this.options.cwd, p);
    let st: Awaited<ReturnType<typeof stat>>;
    try {
      st = await stat(abs);
    } catch {
      if (defaulted) {
        this.diagnostics.push({
          severity: "error",
          code: "input.no-manifest",
          message: `no manifest given and ${DEFAULT_MANIFEST} not found in ${this.options.cwd}: pass a file or a directory, e.g. jsplan validate manifests/`,
        });
      } else {
        this.#fail(p, `no such file or directory: ${p}`, "input.not-found");
      }
      return [];
    }
    if (!st.isDirectory()) return [p];
    const names = (await readdir(abs)).filter((n) => /\.ya?ml$/.test(n) && !n.startsWith(".")).sort();
    if (names.length === 0)
      this.#fail(p, `no *.yaml or *.yml files in the directory ${p}`, "input.empty-dir");
    return names.map((n) => path.join(p, n));
  }

  /** A file, unless it was read already, is no regular file, is too large or is no UTF-8 text. */
  async readFile(entry: string): Promise<void> {
    const full = path.resolve(this.options.cwd, entry);
    const real = await realpath(full).catch(() => full);
    if (this.#seen.has(real)) return;
    this.#seen.add(real);
    const s = await stat(full).catch(() => undefined);
    if (!s?.isFile()) return this.#fail(entry, `not a regular file: ${entry}`);
    if (s.size > this.#maxBytes) {
      return this.#fail(
        entry,
        `the file is ${mib(s.size)}; manifests larger than ${mib(this.#maxBytes)} are refused (is this the right file?)`,
        "input.too-large",
      );
    }
    let buf: Buffer;
    try {
      buf = await readFile(full);
    } catch (err) {
      return this.#fail(entry, `cannot read ${entry}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    const text = decode(buf);
    if (text === undefined)
      return this.#fail(entry, "the file is not UTF-8 text (a binary file?)", "input.encoding");
    this.files.push({ path: entry, text });
  }

  #fail(file: string, message: string, code = "input.file"): void {
    this.diagnostics.push({ severity: "error", pos: { file, line: 1, col: 1 }, code, message });
  }
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
