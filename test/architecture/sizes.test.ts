// Files and functions stay small enough to read: no source file over 400 lines, no function (declaration,
// method, arrow function) over 80 lines, counted from the line it starts on to the line it ends on.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import ts from "typescript";
import { REPO_ROOT } from "../support/paths.js";

const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 80;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(full));
    else if (e.name.endsWith(".ts")) out.push(full);
  }
  return out;
}

function longFunctions(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (n: ts.Node) => {
    if (ts.isFunctionLike(n) && "body" in n && n.body) {
      const start = sf.getLineAndCharacterOfPosition(n.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(n.end).line;
      const lines = end - start + 1;
      if (lines > MAX_FUNCTION_LINES) {
        const named = (n as { name?: ts.Node }).name;
        const name = named
          ? named.getText(sf)
          : ts.isVariableDeclaration(n.parent)
            ? n.parent.name.getText(sf)
            : "an anonymous function";
        out.push(`${name} at line ${start + 1}: ${lines} lines`);
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

describe("source files and functions are small", () => {
  for (const file of sourceFiles(path.join(REPO_ROOT, "src"))) {
    const rel = path.relative(REPO_ROOT, file);
    const text = readFileSync(file, "utf8");
    it(rel, () => {
      const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
      assert.ok(
        lines <= MAX_FILE_LINES,
        `${lines} lines; split it by what it holds (at most ${MAX_FILE_LINES})`,
      );
      assert.deepEqual(longFunctions(file, text), [], `functions over ${MAX_FUNCTION_LINES} lines`);
    });
  }
});
