import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { DiffLine } from '@/api/types';
import DiffView from '@/components/results/DiffView.vue';
import { diffSummary, isIdentical, showWhitespace, sideBySide, unified } from '@/lib/diff';

const LINES: DiffLine[] = [
  [' ', 'Hello, world!'],
  ['-', 'Bye'],
  ['-', 'See you'],
  ['+', 'bye'],
  [' ', 'end'],
  ['+', 'extra'],
];

describe('sideBySide', () => {
  it('pairs a run of expected-only lines with the actual-only lines after it and pads the shorter side', () => {
    const rows = sideBySide(LINES);
    expect(rows.map((r) => [r.expected.kind, r.expected.text, r.actual.kind, r.actual.text])).toEqual([
      ['same', 'Hello, world!', 'same', 'Hello, world!'],
      ['expected', 'Bye', 'actual', 'bye'],
      ['expected', 'See you', 'empty', ''],
      ['same', 'end', 'same', 'end'],
      ['empty', '', 'actual', 'extra'],
    ]);
  });

  it('numbers each side by its own lines', () => {
    const rows = sideBySide(LINES);
    expect(rows.map((r) => [r.expected.line, r.actual.line])).toEqual([
      [1, 1],
      [2, 2],
      [3, null],
      [4, 3],
      [null, 4],
    ]);
  });

  it('handles empty output', () => {
    expect(sideBySide([])).toEqual([]);
    expect(isIdentical([])).toBe(true);
  });
});

describe('unified and summaries', () => {
  it('keeps the order and marks each line', () => {
    expect(unified(LINES).map((l) => `${l.prefix}${l.text}`)).toEqual([' Hello, world!', '-Bye', '-See you', '+bye', ' end', '+extra']);
  });

  it('says how the outputs differ', () => {
    expect(diffSummary(LINES)).toBe('2 expected lines missing, 2 unexpected lines.');
    expect(diffSummary([[' ', 'same']])).toBe('The output matches the expected output.');
    expect(isIdentical(LINES)).toBe(false);
  });

  it('makes trailing spaces and tabs visible', () => {
    expect(showWhitespace('a\tb  ')).toBe('a→   b··');
  });
});

describe('DiffView', () => {
  it('shows expected and actual side by side, then unified on request', async () => {
    const wrapper = mount(DiffView, { props: { lines: LINES, title: 'Expected vs. actual output' } });
    expect(wrapper.findAll('td.expected').map((td) => td.text())).toEqual(['Bye', 'See you']);
    expect(wrapper.findAll('td.actual').map((td) => td.text())).toEqual(['bye', 'extra']);
    expect(wrapper.get('[role="region"]').attributes('aria-label')).toBe('Expected vs. actual output');

    await wrapper.get('input[value="unified"]').setValue(true);
    expect(wrapper.findAll('tr.expected').map((tr) => tr.text())).toEqual(['-Bye', '-See you']);
    expect(wrapper.findAll('tr.actual').map((tr) => tr.text())).toEqual(['+bye', '+extra']);
  });

  it('shows whitespace when asked', async () => {
    const wrapper = mount(DiffView, { props: { lines: [['-', 'x '], ['+', 'x']], title: 'diff' } });
    await wrapper.get('input[type="checkbox"]').setValue(true);
    expect(wrapper.get('td.expected').text()).toBe('x·');
  });
});
