// Colours for terminal output, only when the stream is a terminal and neither NO_COLOR nor --no-color
// says otherwise (https://no-color.org).

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

export function styleFor(
  isTTY: boolean,
  env: Readonly<Record<string, string | undefined>>,
  noColor: boolean,
): Style {
  if (noColor || !isTTY) return PLAIN;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return PLAIN;
  if (env.TERM === "dumb") return PLAIN;
  return COLOURS;
}
