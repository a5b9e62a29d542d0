/** A piece of a compiled pattern: text to match as it is, `*` (any run of characters), or `?` (one character). */
export type GlobToken = string | typeof ANY_RUN | typeof ONE_CHAR;

export const ANY_RUN: unique symbol = Symbol('*');
export const ONE_CHAR: unique symbol = Symbol('?');

/** The tokens of IAM glob text: `*` and `?` are wildcards, every other character literal. */
export function globTokens(glob: string): GlobToken[] {
  const tokens: GlobToken[] = [];
  let literal = '';
  for (const c of glob) {
    if (c !== '*' && c !== '?') {
      literal += c;
      continue;
    }
    if (literal) tokens.push(literal);
    literal = '';
    tokens.push(c === '*' ? ANY_RUN : ONE_CHAR);
  }
  if (literal) tokens.push(literal);
  return tokens;
}

/**
 * A whole-string IAM glob match (`*` any run of characters including `/` and newlines, `?` exactly one), without a
 * RegExp. The policy evaluator compiles every resource of every attached policy for each connection, with the
 * connection's thing name in it; as RegExps, V8 compiled each on its first test, and the first deliveries to a
 * newly connected device cost ~0.15 ms per decision (docs/benchmarks.md, Checkout burst). Matching: the classic
 * wildcard walk, backtracking to the last `*` only (a later `*` can absorb whatever an earlier one would have), so
 * linear in practice. A `?` matches one UTF-16 code unit, as the RegExp without the `u` flag did.
 */
export class GlobPattern {
  private readonly tokens: readonly GlobToken[];

  constructor(tokens: readonly GlobToken[]) {
    // Adjacent literals joined: a literal token never follows another.
    const joined: GlobToken[] = [];
    for (const token of tokens) {
      const last = joined.length - 1;
      if (typeof token === 'string' && typeof joined[last] === 'string') joined[last] += token;
      else if (token !== '') joined.push(token);
    }
    this.tokens = joined;
  }

  test(text: string): boolean {
    const { tokens } = this;
    let t = 0;
    let i = 0;
    let starToken = -1;
    let starText = 0;
    while (i < text.length || t < tokens.length) {
      if (t < tokens.length) {
        const token = tokens[t] as GlobToken;
        if (token === ANY_RUN) {
          starToken = t++;
          starText = i;
          continue;
        }
        if (token === ONE_CHAR) {
          if (i < text.length) {
            t++;
            i++;
            continue;
          }
        } else if (text.startsWith(token, i)) {
          t++;
          i += token.length;
          continue;
        }
      }
      // Mismatch: the last `*` takes one more character, and the pattern resumes after it.
      if (starToken < 0 || starText >= text.length) return false;
      starText++;
      i = starText;
      t = starToken + 1;
    }
    return true;
  }
}
