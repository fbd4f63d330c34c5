// Finding `jsplan` command lines in documentation and CI files, and checking them against what the CLI's
// own --help says it accepts. The help text is the source of truth: a flag that yargs does not list does not
// exist, whatever a document says.

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments, visit } from "yaml";
import { runCli } from "../support/cli.js";
import { REPO_ROOT } from "../support/paths.js";

// --- what the CLI accepts ----------------------------------------------------------------------------------

export interface OptionHelp {
  /** The heading the option is listed under: "Options", "Connection". */
  readonly group: string;
  readonly boolean: boolean;
  readonly choices?: readonly string[];
  /** The option's help text, all lines joined. */
  readonly text: string;
}

export interface CommandHelp {
  /** Long and short flags (`--server`, `-s`), aliases pointing at the same entry. */
  readonly options: ReadonlyMap<string, OptionHelp>;
}

export interface CliSurface {
  readonly commands: ReadonlySet<string>;
  readonly global: CommandHelp;
  readonly byCommand: ReadonlyMap<string, CommandHelp>;
}

const OPTION_LINE = /^ {2,}(?:(-[A-Za-z]), )?(--[a-z][\w-]*)\b/;

/** The options a yargs help text lists, with their types and choices. */
export function parseHelp(help: string): CommandHelp {
  const options = new Map<string, OptionHelp>();
  const lines = help.split("\n");
  let group = "";
  for (let i = 0; i < lines.length; i++) {
    const heading = /^([A-Z][\w ]*):$/.exec(lines[i]!);
    if (heading) group = heading[1]!;
    const m = OPTION_LINE.exec(lines[i]!);
    if (!m) continue;
    let text = lines[i]!;
    // Continuation lines are indented further and start no option of their own.
    for (let j = i + 1; j < lines.length && /^ {6,}\S/.test(lines[j]!) && !OPTION_LINE.test(lines[j]!); j++) {
      text += ` ${lines[j]!.trim()}`;
    }
    const choices = /\[choices: ([^\]]+)\]/
      .exec(text)?.[1]
      ?.split(",")
      .map((c) => c.trim().replace(/^"|"$/g, ""));
    const entry: OptionHelp = {
      group,
      boolean: /\[boolean\]/.test(text),
      ...(choices ? { choices } : {}),
      text,
    };
    options.set(m[2]!, entry);
    if (m[1]) options.set(m[1], entry);
  }
  return { options };
}

let surface: Promise<CliSurface> | undefined;

/** `jsplan --help` and `jsplan <command> --help` for every command, parsed once per test process. */
export function cliSurface(): Promise<CliSurface> {
  surface ??= (async () => {
    const top = await runCli(["--help"]);
    if (top.code !== 0) throw new Error(`jsplan --help exited ${top.code}: ${top.stderr}`);
    const commands = new Set([...top.stdout.matchAll(/^ {2}jsplan ([a-z]+)\b/gm)].map((m) => m[1]!));
    const global = parseHelp(top.stdout);
    const byCommand = new Map<string, CommandHelp>();
    for (const c of commands) {
      const r = await runCli([c, "--help"]);
      if (r.code !== 0) throw new Error(`jsplan ${c} --help exited ${r.code}: ${r.stderr}`);
      // A command whose help lists no options of its own takes the global ones only.
      byCommand.set(c, /^Options:/m.test(r.stdout) ? parseHelp(r.stdout) : global);
    }
    return { commands, global, byCommand };
  })();
  return surface;
}

// --- finding command lines ---------------------------------------------------------------------------------

export interface Invocation {
  /** Where it was found: `file:line`. */
  readonly where: string;
  /** The arguments after `jsplan`, unquoted. */
  readonly args: readonly string[];
  /** Which arguments were quoted (their value is literal text, never an operator). */
  readonly quoted: readonly boolean[];
}

interface Token {
  readonly text: string;
  readonly quoted: boolean;
  readonly operator: boolean;
}

const OPERATORS = ["&&", "||", ";;", "2>&1", ">>", "2>", "|", ";", "(", ")", ">", "<", "&"];
const STARTS_COMMAND = new Set(["&&", "||", "|", ";", "(", "&"]);
const STOPS_ARGS = new Set(["&&", "||", ";;", "|", ";", ")", ">", ">>", "2>", "2>&1", "<", "&"]);
const KEYWORDS = new Set(["then", "do", "else", "!", "time", "exec", "if", "while", "until"]);

/** Splits one logical shell line into words and operators; quotes make a word literal. `#` starts a comment. */
export function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === " " || c === "\t") {
      i++;
      continue;
    }
    if (c === "#") break;
    const op = OPERATORS.find((o) => line.startsWith(o, i));
    if (op) {
      tokens.push({ text: op, quoted: false, operator: true });
      i += op.length;
      continue;
    }
    let text = "";
    let quoted = false;
    while (i < line.length && !" \t".includes(line[i]!)) {
      const ch = line[i]!;
      if (ch === "'" || ch === '"') {
        const end = line.indexOf(ch, i + 1);
        const stop = end === -1 ? line.length : end;
        text += line.slice(i + 1, stop);
        quoted = true;
        i = stop + 1;
        continue;
      }
      if (ch === "\\" && i + 1 < line.length) {
        text += line[i + 1];
        i += 2;
        continue;
      }
      // `${{ … }}` (GitHub expressions) and `$(…)` stay inside the word.
      if (ch === "$" && (line[i + 1] === "{" || line[i + 1] === "(")) {
        const close = line[i + 1] === "{" ? "}" : ")";
        const end = line.indexOf(close, i + 2);
        const stop = end === -1 ? line.length : end + 1;
        text += line.slice(i, stop);
        i = stop;
        continue;
      }
      if (OPERATORS.some((o) => line.startsWith(o, i))) break;
      text += ch;
      i++;
    }
    if (text !== "" || quoted) tokens.push({ text, quoted, operator: false });
  }
  return tokens;
}

/** The `jsplan` invocations in a piece of shell text (several lines; `\` continues a line). */
export function shellInvocations(text: string, file: string, firstLine: number): Invocation[] {
  const out: Invocation[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let logical = lines[i]!;
    while (logical.endsWith("\\") && i + 1 < lines.length) logical = `${logical.slice(0, -1)} ${lines[++i]}`;
    out.push(...lineInvocations(tokenize(logical), `${file}:${firstLine + start}`));
  }
  return out;
}

function lineInvocations(tokens: readonly Token[], where: string): Invocation[] {
  const out: Invocation[] = [];
  let commandPosition = true;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.operator) {
      commandPosition = STARTS_COMMAND.has(t.text);
      continue;
    }
    if (!commandPosition) continue;
    if (!t.quoted && (KEYWORDS.has(t.text) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(t.text))) continue;
    let j = i;
    if (!t.quoted && t.text === "npx") {
      // npx [--yes] [--package PKG] jsplan …
      j++;
      while (j < tokens.length && tokens[j]!.text.startsWith("-") && !tokens[j]!.operator) {
        if (tokens[j]!.text === "--package" || tokens[j]!.text === "-p") j++;
        j++;
      }
    }
    const name = tokens[j];
    if (name && !name.quoted && !name.operator && /^jsplan(@\S+)?$/.test(name.text)) {
      const args: Token[] = [];
      let k = j + 1;
      for (; k < tokens.length && !(tokens[k]!.operator && STOPS_ARGS.has(tokens[k]!.text)); k++) {
        args.push(tokens[k]!);
      }
      // A bare `jsplan@0.1.0` is a package name (npm install), not a command line.
      if (args.length > 0 || name.text === "jsplan") {
        out.push({ where, args: args.map((a) => a.text), quoted: args.map((a) => a.quoted) });
      }
      i = k - 1;
    }
    commandPosition = false;
  }
  return out;
}

/** Every string value in a YAML text, with its line (comments are not values). */
export function yamlStrings(text: string): { value: string; line: number }[] {
  const out: { value: string; line: number }[] = [];
  const lineOf = (offset: number) => text.slice(0, offset).split("\n").length;
  for (const doc of parseAllDocuments(text)) {
    if ("errors" in doc && doc.errors.length > 0) throw new Error(doc.errors[0]!.message);
    visit(doc, {
      Scalar(_key, node) {
        if (typeof node.value === "string")
          out.push({ value: node.value, line: lineOf(node.range?.[0] ?? 0) });
      },
    });
  }
  return out;
}

/** The `jsplan` invocations in the string values of a YAML file (CI definitions, hook files). */
export function yamlInvocations(text: string, file: string): Invocation[] {
  return yamlStrings(text).flatMap((s) => shellInvocations(s.value, file, s.line));
}

export interface CodeBlock {
  readonly lang: string;
  readonly body: string;
  /** Line of the first line of the body. */
  readonly line: number;
}

/** Fenced code blocks of a markdown text (also indented ones, inside lists). */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```\s*([\w-]*)/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++) body.push(lines[j]!.slice(indent));
    blocks.push({ lang: open[2]!.toLowerCase(), body: body.join("\n"), line: i + 2 });
    i = j;
  }
  return blocks;
}

const SHELL_LANGS = new Set(["sh", "bash", "shell", "zsh"]);

/** The `jsplan` invocations in a markdown file: shell blocks, `$ ` lines of other blocks, YAML values. */
export function markdownInvocations(markdown: string, file: string): Invocation[] {
  const out: Invocation[] = [];
  for (const b of codeBlocks(markdown)) {
    if (SHELL_LANGS.has(b.lang)) {
      out.push(...shellInvocations(b.body, file, b.line));
      continue;
    }
    if (b.lang === "yaml" || b.lang === "yml") {
      try {
        out.push(...yamlStrings(b.body).flatMap((s) => shellInvocations(s.value, file, b.line + s.line - 1)));
        continue;
      } catch {
        // An excerpt that is not a YAML document on its own: read it line by line below.
      }
    }
    b.body.split("\n").forEach((l, n) => {
      const prompt = /^\s*\$ (.*)$/.exec(l);
      if (prompt) out.push(...shellInvocations(prompt[1]!, file, b.line + n));
    });
  }
  // Inline code in the prose: `jsplan plan --detailed-exitcode`.
  markdown.split("\n").forEach((l, n) => {
    for (const m of l.matchAll(/`(jsplan [^`]+)`/g)) out.push(...shellInvocations(m[1]!, file, n + 1));
  });
  return out;
}

// --- checking an invocation ---------------------------------------------------------------------------------

/** What is wrong with an invocation, or an empty list. */
export function problems(inv: Invocation, cli: CliSurface): string[] {
  const out: string[] = [];
  const [first, ...rest] = inv.args;
  if (first === undefined) return [`${inv.where}: "jsplan" without a command`];
  let help: CommandHelp;
  let args: string[];
  if (first.startsWith("-")) {
    help = cli.global;
    args = [...inv.args];
  } else {
    const h = cli.byCommand.get(first);
    if (!h) return [`${inv.where}: "jsplan ${first}": no such command (${[...cli.commands].join(", ")})`];
    help = h;
    args = rest;
  }
  const command = first.startsWith("-") ? "jsplan" : `jsplan ${first}`;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") break;
    if (!a.startsWith("-") || a === "-" || /^-\d/.test(a)) continue;
    const [name, inlineValue] = a.includes("=")
      ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]
      : [a];
    let option = help.options.get(name!);
    if (!option && name!.startsWith("--no-")) {
      const positive = help.options.get(`--${name!.slice(5)}`);
      if (positive?.boolean) option = positive;
    }
    if (!option) {
      out.push(`${inv.where}: ${command} has no option ${name}`);
      continue;
    }
    if (option.boolean) continue;
    const value = inlineValue ?? args[i + 1];
    if (inlineValue === undefined) i++;
    if (option.choices && value !== undefined && !value.startsWith("$") && !option.choices.includes(value)) {
      out.push(`${inv.where}: ${command} ${name} ${value}: not one of ${option.choices.join(", ")}`);
    }
  }
  return out;
}

// --- files -----------------------------------------------------------------------------------------------

/** Markdown files under docs/ (recursively), relative to the repository root. */
export function docsMarkdown(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith(".md") ? [path.join(dir, e.name)] : [],
    );
  return walk("docs").sort();
}

export const CI_FILES = [
  "examples/ci/github-actions.yml",
  "examples/ci/gitlab-ci.yml",
  "examples/ci/pre-commit-hooks.yaml",
] as const;

export function readRepoFile(file: string): string {
  return readFileSync(path.join(REPO_ROOT, file), "utf8");
}
