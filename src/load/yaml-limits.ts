// The limits that keep a hostile file from taking the `yaml` path's time and memory: tokens read, values
// that aliases add, and nesting depth. The fast path (fast-yaml.ts) applies the same limits to the values.

import type { SourcePos } from "../model/diagnostic.js";
import { yamlLib } from "./yaml-lib.js";

export interface ParseLimits {
  /** Nodes that aliases may add by expansion, per file. */
  readonly maxAliasNodes: number;
  /** Nesting depth of mappings and sequences. */
  readonly maxDepth: number;
  /**
   * YAML tokens (values, indicators, white space) of a file that this path reads. `yaml` needs 200 to 700
   * bytes of memory per token at its peak (a 6 MB file of `1,1,1,…` took more than 3 GB, a 2 MB list of
   * aliases more than 1 GB), so the limit keeps this path under about 600 MB: about 3 MB of a typical
   * manifest. The fast path reads larger files when they are valid; their errors then point at the file's
   * first line (with the resource's address), and a larger file that needs this path is refused.
   */
  readonly maxTokens?: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = {
  maxAliasNodes: 100_000,
  maxDepth: 64,
  maxTokens: 1_000_000,
};

/** A limit was passed while a document was read: the file's reading stops there. */
export class LimitExceeded extends Error {
  constructor(
    message: string,
    readonly pos: SourcePos,
  ) {
    super(message);
  }
}

/** Why a file with more tokens than the limit is not read, or undefined when it has no more. */
export function tokenLimitProblem(text: string, limits: ParseLimits): string | undefined {
  const maxTokens = limits.maxTokens ?? DEFAULT_PARSE_LIMITS.maxTokens!;
  if (!tooManyTokens(text, maxTokens)) return undefined;
  return `the file has more than ${maxTokens.toLocaleString("en")} YAML tokens, more than jsplan reads with positions (which it needs for \${VAR}, tags and syntax errors); split it into several files`;
}

/**
 * More than `max` YAML tokens, counted with yaml's lexer (which keeps nothing) up to the limit. A token is at
 * least half a character long, so shorter texts are not counted.
 */
function tooManyTokens(text: string, max: number): boolean {
  if (text.length <= max / 2) return false;
  let n = 0;
  for (const _ of new (yamlLib().Lexer)().lex(text)) if (++n > max) return true;
  return false;
}

/**
 * The values that aliases may still add in one file. An alias to a collection adds every value under it
 * (aliases to scalars add nothing: they are no bigger than the alias), so that an alias bomb fails fast.
 */
export class AliasBudget {
  #left: number;

  constructor(readonly max: number) {
    this.#left = max;
  }

  /** One more value added by the alias at `aliasSite` (the outermost one), where an overrun is reported. */
  charge(aliasSite: SourcePos): void {
    if (--this.#left < 0) {
      throw new LimitExceeded(
        `aliases expand to more than ${this.max.toLocaleString("en")} values (a YAML "billion laughs" bomb?); manifests use aliases for small shared settings only`,
        aliasSite,
      );
    }
  }
}

/** Values nested deeper than the limit allows, counted as they come out (an alias adds no level). */
export function depthExceeded(maxDepth: number, pos: SourcePos): LimitExceeded {
  return new LimitExceeded(
    `values are nested more than ${maxDepth} levels deep; a manifest never needs that`,
    pos,
  );
}
