/** Shapes the server's line diff (expected vs actual) for the unified and side-by-side views. */
import { diffChars } from 'diff';
import type { DiffLine } from '@/api/types';

export type Side = 'same' | 'expected' | 'actual' | 'empty';

/** A piece of a changed line; `changed` marks characters the other side doesn't have there. */
export interface Segment {
  text: string;
  changed: boolean;
}

export interface Cell {
  kind: Side;
  text: string;
  /** 1-based line number in its own output; null for a padding cell. */
  line: number | null;
  /** For an expected line paired with an actual one: which characters differ. */
  segments?: Segment[];
}

/** Past this many characters a line pair is marked as a whole (character diffs grow quadratically). */
const MAX_INLINE_LENGTH = 2000;

/**
 * The characters that differ between an expected line and the actual line in its place: the
 * expected side marks what is missing from the actual one (deleted), the actual side what it
 * has instead (inserted). Null when the lines are too long, or share too little for the marks
 * to help (then the whole line is the difference).
 */
export function inlineDiff(expected: string, actual: string): { expected: Segment[]; actual: Segment[] } | null {
  if (expected.length + actual.length > MAX_INLINE_LENGTH) return null;
  const parts = diffChars(expected, actual);
  const common = parts.filter((p) => !p.added && !p.removed).reduce((n, p) => n + p.value.length, 0);
  if (common === 0 || common < Math.min(expected.length, actual.length) / 3) return null;
  const left: Segment[] = [];
  const right: Segment[] = [];
  for (const part of parts) {
    if (!part.added) left.push({ text: part.value, changed: part.removed });
    if (!part.removed) right.push({ text: part.value, changed: part.added });
  }
  return { expected: left, actual: right };
}

export interface SideBySideRow {
  expected: Cell;
  actual: Cell;
}

const EMPTY: Cell = { kind: 'empty', text: '', line: null };

/**
 * Rows of expected (left) and actual (right). Lines both have are on one row; a run of
 * expected-only lines is paired with the actual-only lines right after it, and the shorter
 * side is padded.
 */
export function sideBySide(lines: readonly DiffLine[]): SideBySideRow[] {
  const rows: SideBySideRow[] = [];
  let expectedLine = 0;
  let actualLine = 0;
  let i = 0;
  while (i < lines.length) {
    const [tag, text] = lines[i]!;
    if (tag === ' ') {
      expectedLine += 1;
      actualLine += 1;
      rows.push({
        expected: { kind: 'same', text, line: expectedLine },
        actual: { kind: 'same', text, line: actualLine },
      });
      i += 1;
      continue;
    }
    const removed: string[] = [];
    const added: string[] = [];
    while (i < lines.length && lines[i]![0] === '-') removed.push(lines[i++]![1]);
    while (i < lines.length && lines[i]![0] === '+') added.push(lines[i++]![1]);
    for (let k = 0; k < Math.max(removed.length, added.length); k += 1) {
      const left = removed[k];
      const right = added[k];
      const inline = left !== undefined && right !== undefined ? inlineDiff(left, right) : null;
      rows.push({
        expected: left === undefined ? EMPTY : { kind: 'expected', text: left, line: ++expectedLine, ...(inline ? { segments: inline.expected } : {}) },
        actual: right === undefined ? EMPTY : { kind: 'actual', text: right, line: ++actualLine, ...(inline ? { segments: inline.actual } : {}) },
      });
    }
  }
  return rows;
}

export interface UnifiedLine {
  kind: Exclude<Side, 'empty'>;
  prefix: ' ' | '-' | '+';
  text: string;
  segments?: Segment[];
}

/** The lines in order; a run of expected lines and the actual lines right after it are paired
 * up, line by line, for their character differences (as side by side). */
export function unified(lines: readonly DiffLine[]): UnifiedLine[] {
  const out: UnifiedLine[] = lines.map(([tag, text]) => ({
    kind: tag === ' ' ? 'same' : tag === '-' ? 'expected' : 'actual',
    prefix: tag,
    text,
  }));
  let i = 0;
  while (i < out.length) {
    if (out[i]!.prefix !== '-') {
      i += 1;
      continue;
    }
    const start = i;
    while (i < out.length && out[i]!.prefix === '-') i += 1;
    const middle = i;
    while (i < out.length && out[i]!.prefix === '+') i += 1;
    for (let k = 0; k < Math.min(middle - start, i - middle); k += 1) {
      const inline = inlineDiff(out[start + k]!.text, out[middle + k]!.text);
      if (inline) {
        out[start + k]!.segments = inline.expected;
        out[middle + k]!.segments = inline.actual;
      }
    }
  }
  return out;
}

export function isIdentical(lines: readonly DiffLine[]): boolean {
  return lines.every(([tag]) => tag === ' ');
}

/** Makes invisible differences visible: trailing spaces, tabs, a missing final newline. */
export function showWhitespace(text: string): string {
  return text.replace(/\t/g, '→   ').replace(/ +$/g, (spaces) => '·'.repeat(spaces.length));
}

export function diffSummary(lines: readonly DiffLine[]): string {
  const removed = lines.filter(([tag]) => tag === '-').length;
  const added = lines.filter(([tag]) => tag === '+').length;
  if (removed === 0 && added === 0) return 'The output matches the expected output.';
  const parts: string[] = [];
  if (removed > 0) parts.push(`${removed} expected ${removed === 1 ? 'line' : 'lines'} missing`);
  if (added > 0) parts.push(`${added} unexpected ${added === 1 ? 'line' : 'lines'}`);
  return `${parts.join(', ')}.`;
}
