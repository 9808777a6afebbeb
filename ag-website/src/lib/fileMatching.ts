/**
 * Which files a project accepts, checked in the browser before uploading. Mirrors
 * autograder-server/autograder/projects/file_matching.py exactly (the server decides; this
 * only warns early):
 *
 * - patterns are Python `fnmatch` globs (`*`, `?`, `[seq]`, `[!seq]`), case-sensitive;
 * - exact names are tried before globs, each kind in sorted (code point) order;
 * - each file goes to the first pattern that matches and still has room;
 * - a repeated name, or one no pattern with room matches, is discarded;
 * - a pattern with fewer than `min_num_matches` files is missing.
 */

export interface ExpectedPattern {
  pattern: string;
  min_num_matches: number;
  max_num_matches: number;
}

export interface MatchResult {
  accepted: string[];
  discarded: string[];
  /** Pattern → how many more files it needs. */
  missing: Record<string, number>;
  /** Pattern → the accepted names it took (every pattern is a key). */
  matched: Record<string, string[]>;
}

const GLOB_CHARACTERS = new Set(['*', '?', '[']);

export function isExactName(pattern: string): boolean {
  return !Array.from(pattern).some((ch) => GLOB_CHARACTERS.has(ch));
}

/** Python's string order (by code point), which differs from UTF-16 order for astral characters. */
export function compareCodePoints(a: string, b: string): number {
  const left = Array.from(a);
  const right = Array.from(b);
  for (let i = 0; i < Math.min(left.length, right.length); i += 1) {
    const x = left[i]!.codePointAt(0)!;
    const y = right[i]!.codePointAt(0)!;
    if (x !== y) return x - y;
  }
  return left.length - right.length;
}

const escapeChar = (ch: string): string => `\\u{${ch.codePointAt(0)!.toString(16)}}`;

/** A bracket expression's body (between `[` and `]`) as a regex class, as fnmatch.translate reads it. */
function translateClass(body: string[]): string {
  const RANGE = null;
  let tokens: (string | null)[];
  if (!body.includes('-')) {
    tokens = body;
  } else {
    const chunks: string[][] = [];
    let start = 0;
    let k = body[0] === '!' ? 2 : 1;
    for (;;) {
      const dash = body.indexOf('-', k);
      if (dash < 0) break;
      chunks.push(body.slice(start, dash));
      start = dash + 1;
      k = dash + 3;
    }
    const last = body.slice(start);
    if (last.length > 0) chunks.push(last);
    else chunks[chunks.length - 1]!.push('-');
    for (let i = chunks.length - 1; i > 0; i -= 1) {
      const before = chunks[i - 1]!;
      const after = chunks[i]!;
      if (compareCodePoints(before[before.length - 1]!, after[0]!) > 0) {
        chunks[i - 1] = [...before.slice(0, -1), ...after.slice(1)];
        chunks.splice(i, 1);
      }
    }
    tokens = chunks.flatMap((chunk, i) => (i === 0 ? [...chunk] : [RANGE, ...chunk]));
  }
  if (tokens.length === 0) return '(?!)';
  const negated = tokens[0] === '!';
  const items = negated ? tokens.slice(1) : tokens;
  if (negated && items.length === 0) return '[^]';
  let out = '';
  for (const token of items) out += token === RANGE ? '-' : escapeChar(token);
  return `[${negated ? '^' : ''}${out}]`;
}

/** A shell glob as an anchored RegExp, with Python's fnmatch semantics. */
export function globToRegExp(pattern: string): RegExp {
  const chars = Array.from(pattern);
  let out = '';
  let i = 0;
  while (i < chars.length) {
    const c = chars[i]!;
    i += 1;
    if (c === '*') {
      if (!out.endsWith('[^]*')) out += '[^]*';
    } else if (c === '?') {
      out += '[^]';
    } else if (c === '[') {
      let j = i;
      if (j < chars.length && chars[j] === '!') j += 1;
      if (j < chars.length && chars[j] === ']') j += 1;
      while (j < chars.length && chars[j] !== ']') j += 1;
      if (j >= chars.length) {
        out += escapeChar('[');
      } else {
        out += translateClass(chars.slice(i, j));
        i = j + 1;
      }
    } else {
      out += escapeChar(c);
    }
  }
  return new RegExp(`^(?:${out})$`, 'u');
}

const regexCache = new Map<string, RegExp>();

export function fnmatchcase(name: string, pattern: string): boolean {
  let regex = regexCache.get(pattern);
  if (!regex) {
    regex = globToRegExp(pattern);
    regexCache.set(pattern, regex);
  }
  return regex.test(name);
}

function priorityOrder<P extends ExpectedPattern>(patterns: readonly P[]): P[] {
  return [...patterns].sort((a, b) => {
    const kind = Number(!isExactName(a.pattern)) - Number(!isExactName(b.pattern));
    return kind !== 0 ? kind : compareCodePoints(a.pattern, b.pattern);
  });
}

export function matchFiles(filenames: readonly string[], patterns: readonly ExpectedPattern[]): MatchResult {
  const ordered = priorityOrder(patterns);
  if (new Set(ordered.map((p) => p.pattern)).size !== ordered.length) {
    throw new Error('Expected-file patterns must be distinct.');
  }
  const matched: Record<string, string[]> = {};
  for (const p of ordered) matched[p.pattern] = [];
  const accepted: string[] = [];
  const discarded: string[] = [];
  const seen = new Set<string>();
  for (const name of filenames) {
    if (seen.has(name)) {
      discarded.push(name);
      continue;
    }
    seen.add(name);
    const target = ordered.find(
      (p) => matched[p.pattern]!.length < p.max_num_matches && fnmatchcase(name, p.pattern),
    );
    if (target === undefined) {
      discarded.push(name);
    } else {
      matched[target.pattern]!.push(name);
      accepted.push(name);
    }
  }
  const missing: Record<string, number> = {};
  for (const p of ordered) {
    const have = matched[p.pattern]!.length;
    if (have < p.min_num_matches) missing[p.pattern] = p.min_num_matches - have;
  }
  return { accepted, discarded, missing, matched };
}

/** Sentences a student reads before uploading, e.g. "Missing: 1 more file matching *.cpp". */
export function describeMatch(result: MatchResult): string[] {
  const lines = Object.entries(result.missing).map(
    ([pattern, count]) => `Missing ${count} ${count === 1 ? 'file' : 'files'} matching "${pattern}".`,
  );
  if (result.discarded.length > 0) {
    lines.push(`These files are not expected and will not be graded: ${result.discarded.join(', ')}.`);
  }
  return lines;
}
