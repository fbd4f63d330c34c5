// Names come from the server, and applications may put control characters in them (the server refuses only
// space, tab, CR, LF and form feed). Printed raw, a name could move the cursor, clear the screen, set the
// terminal's title or hide text. Every line jsplan writes passes through here: control characters become
// `\uXXXX`, which reads plainly on a terminal and is the same character again inside a JSON string. Only
// jsplan's own colours (SGR) and the progress line's erase-line are let through.

// C0 but tab, LF and CR; DEL; C1; an ESC that does not start one of our own sequences.
const UNPRINTABLE = /[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f-\x9f]|\x1b(?!\[[0-9;]*m|\[2K)/g;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
