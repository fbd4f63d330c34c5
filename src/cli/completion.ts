// Shell completion: `jsplan completion [bash|zsh]` prints the script; the script calls
// `jsplan --get-yargs-completions WORD...`, answered here from the commands' own yargs definitions (yargs'
// built-in answer offers `--s` for `-s` and knows nothing of manifests), with the manifest's addresses
// after --target.

import { existsSync } from "node:fs";
import path from "node:path";
import yargs, { type Argv } from "yargs";
import type { GlobalArgs } from "./args/command.js";
import type { CliIO } from "./io.js";

export type Shell = "bash" | "zsh";

export const COMPLETION_KEY = "--get-yargs-completions";

/** The shell the user runs, from $SHELL: zsh when it says so, bash otherwise. */
export function defaultShell(env: Readonly<Record<string, string | undefined>>): Shell {
  return /zsh/.test(env.SHELL ?? "") ? "zsh" : "bash";
}

// Adapted from yargs' templates (MIT). SHELL is set for the call so that the answer suits the shell that
// asks, whatever the login shell is.
const BASH = `###-begin-jsplan-completions-###
# jsplan completion for bash. Install: jsplan completion bash >> ~/.bashrc
_jsplan_completions()
{
    local cur_word args type_list
    cur_word="\${COMP_WORDS[COMP_CWORD]}"
    args=("\${COMP_WORDS[@]}")
    mapfile -t type_list < <(SHELL=bash jsplan ${COMPLETION_KEY} "\${args[@]}")
    mapfile -t COMPREPLY < <(compgen -W "$( printf '%q ' "\${type_list[@]}" )" -- "\${cur_word}")
    return 0
}
complete -o bashdefault -o default -F _jsplan_completions jsplan
###-end-jsplan-completions-###
`;

const ZSH = `#compdef jsplan
###-begin-jsplan-completions-###
# jsplan completion for zsh. Install: jsplan completion zsh >> ~/.zshrc
_jsplan_completions()
{
  local reply
  local si=$IFS
  IFS=$'\\n' reply=($(SHELL=zsh COMP_CWORD="$((CURRENT-1))" COMP_LINE="$BUFFER" COMP_POINT="$CURSOR" jsplan ${COMPLETION_KEY} "\${words[@]}"))
  IFS=$si
  if [[ \${#reply} -gt 0 ]]; then
    _describe 'values' reply
  else
    _default
  fi
}
if [[ "\${zsh_eval_context[-1]}" == "loadautofunc" ]]; then
  _jsplan_completions "$@"
else
  compdef _jsplan_completions jsplan
fi
###-end-jsplan-completions-###
`;

export function completionScript(shell: Shell): string {
  return shell === "zsh" ? ZSH : BASH;
}

interface Completable {
  readonly name: string;
  readonly describe: string;
  readonly builder?: (y: Argv<GlobalArgs>) => Argv<GlobalArgs>;
}

const GLOBAL_FLAGS = ["--color", "--no-color", "--quiet", "--verbose", "--help", "--version"];

interface OptionsInfo {
  key: Record<string, unknown>;
  boolean: string[];
  choices: Record<string, readonly string[]>;
  hiddenOptions: string[];
}

/**
 * Candidates for the last of `words` (the command line as the shell splits it, `jsplan` first): the
 * commands, a command's flags (`-s` and `--server`, never `--s`), a flag's choices, and the manifest's
 * addresses after --target. In zsh, commands come with their descriptions.
 */
export async function complete(
  words: readonly string[],
  commands: readonly Completable[],
  io: CliIO,
): Promise<string[]> {
  const current = words[words.length - 1] ?? "";
  const previous = words.length >= 2 ? words[words.length - 2]! : "";
  const command = commands.find((c) => c.name === words[1] && words.length > 2);
  if (!command) {
    if (current.startsWith("-")) return GLOBAL_FLAGS.filter((f) => f.startsWith(current));
    const zsh = defaultShell(io.env) === "zsh";
    return commands
      .filter((c) => c.name.startsWith(current))
      .map((c) => (zsh ? `${c.name}:${c.describe.replace(/:/g, "\\:")}` : c.name));
  }
  if (previous === "--target") return targetAddresses(words, current, io);
  const o = optionsOf(command);
  const previousKey = previous.replace(/^--?/, "");
  if (previous.startsWith("-") && o.choices[previousKey])
    return o.choices[previousKey].filter((c) => c.startsWith(current));
  if (!current.startsWith("-")) return [];
  const flags = Object.keys(o.key)
    .filter((k) => k !== "paths" && k !== "planfile" && k !== "shell" && !o.hiddenOptions.includes(k))
    .map((k) => (k.length === 1 ? `-${k}` : `--${k}`));
  const all = [...new Set([...flags, ...GLOBAL_FLAGS])];
  return all.filter((f) => f.startsWith(current) && !words.slice(0, -1).includes(f));
}

function optionsOf(command: Completable): OptionsInfo {
  const y = yargs([]) as unknown as Argv<GlobalArgs>;
  const built = command.builder ? command.builder(y) : y;
  return (built as unknown as { getOptions(): OptionsInfo }).getOptions();
}

/**
 * The addresses the manifest declares, for `--target`: from the manifest paths among `words` (those
 * that exist), else jsplan.yaml. A manifest that does not load completes nothing.
 */
export async function targetAddresses(
  words: readonly string[],
  current: string,
  io: CliIO,
): Promise<string[]> {
  const paths = words
    .slice(2, -1)
    .filter((w) => w !== "" && !w.startsWith("-") && existsSync(path.resolve(io.cwd, w)));
  const { loadManifests } = await import("../load/load.js");
  const loaded = await loadManifests(paths, {
    cwd: io.cwd,
    env: io.env,
    readStdin: async () => Buffer.alloc(0),
  });
  const d = loaded.desired;
  if (!d) return [];
  const all = [...d.streams, ...d.consumers, ...d.keyValues, ...d.objectStores].map((r) => r.address);
  return all.filter((a) => a.startsWith(current)).sort();
}
