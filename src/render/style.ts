// Colours for terminal output: on a terminal unless --no-color or NO_COLOR (https://no-color.org) say no,
// and also into a pipe (a CI log) with --color or FORCE_COLOR (https://force-color.org).

export interface Style {
  readonly enabled: boolean;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

const COLOURS: Style = {
  enabled: true,
  red: wrap(31, 39),
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  cyan: wrap(36, 39),
  bold: wrap(1, 22),
  dim: wrap(2, 22),
};

const id = (s: string) => s;
export const PLAIN: Style = { enabled: false, red: id, green: id, yellow: id, cyan: id, bold: id, dim: id };

/**
 * `color` is the flag: true for --color, false for --no-color, undefined when not given. The flag wins,
 * then NO_COLOR, then FORCE_COLOR (any value but "0" or "false" colours, also into a pipe), then whether
 * the stream is a terminal that knows colours.
 */
export function styleFor(
  isTTY: boolean,
  env: Readonly<Record<string, string | undefined>>,
  color: boolean | undefined,
): Style {
  if (color !== undefined) return color ? COLOURS : PLAIN;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return PLAIN;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== "") return force === "0" || force === "false" ? PLAIN : COLOURS;
  if (!isTTY || env.TERM === "dumb") return PLAIN;
  return COLOURS;
}
