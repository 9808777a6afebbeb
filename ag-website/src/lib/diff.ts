/** Shapes the server's line diff (expected vs actual) for the unified and side-by-side views. */
import type { DiffLine } from '@/api/types';

export type Side = 'same' | 'expected' | 'actual' | 'empty';

export interface Cell {
  kind: Side;
  text: string;
  /** 1-based line number in its own output; null for a padding cell. */
  line: number | null;
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
      rows.push({
        expected: left === undefined ? EMPTY : { kind: 'expected', text: left, line: ++expectedLine },
        actual: right === undefined ? EMPTY : { kind: 'actual', text: right, line: ++actualLine },
      });
    }
  }
  return rows;
}

export interface UnifiedLine {
  kind: Exclude<Side, 'empty'>;
  prefix: ' ' | '-' | '+';
  text: string;
}

export function unified(lines: readonly DiffLine[]): UnifiedLine[] {
  return lines.map(([tag, text]) => ({
    kind: tag === ' ' ? 'same' : tag === '-' ? 'expected' : 'actual',
    prefix: tag,
    text,
  }));
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
