import { describe, expect, it } from 'vitest';
import { describeMatch, fnmatchcase, isExactName, matchFiles } from '@/lib/fileMatching';
import cases from './fixtures/file-matching-cases.json';

// The fixture holds the server's own answers (Python's fnmatch.fnmatchcase and match_files) for
// every pair of its patterns and names, and for generated submissions. Each test below checks a
// whole family of them and lists every case that disagrees, so one test is one behaviour.

/** The fixture's patterns, by the rule of Python's glob syntax they exercise. */
const GLOB_FAMILIES: Record<string, string[]> = {
  'plain names match only themselves, case-sensitively, regex characters included': ['main.cpp', 'a.b', '(x)+', '^$'],
  '* matches any run and ? any one character, dots, spaces and non-ASCII included': [
    '*.cpp',
    'test_?.py',
    '*',
    '**',
    '?',
    'a*b*c',
    '*.tar.gz',
    'README*',
    'naïve*.txt',
    '😀*',
    'data-*.csv',
  ],
  'character classes and ranges match one character from the set': [
    '*.[ch]',
    '[a-c]*',
    'file[0-9][0-9].txt',
    '[😀-😂]',
    '*-v[1-3].py',
    '[[]x',
    '[-]x',
    '[a-]x',
  ],
  '[!...] negates a class; a leading ^ is an ordinary character': ['[!_]*', '[!_]*.py', '[!-a]x', '[^a]x'],
  'reversed ranges, ] first in a class and an unclosed [ behave as in Python': ['[z-a]x', '[!z-a]x', '[]]x', '[!]]x', '[', 'x[', '[b-a!]'],
  'a backslash is an ordinary character, not an escape': ['\\*', '[\\]x'],
};

describe('fnmatchcase mirrors Python', () => {
  it('sorts every fixture pattern into exactly one family below', () => {
    const listed = Object.values(GLOB_FAMILIES).flat();
    expect([...listed].sort()).toEqual([...new Set(cases.globs.map((c) => c.pattern))].sort());
  });

  it.each(Object.entries(GLOB_FAMILIES))('%s', (_, patterns) => {
    const family = cases.globs.filter((c) => patterns.includes(c.pattern));
    expect(family.length).toBeGreaterThan(0);
    const wrong = family
      .filter((c) => fnmatchcase(c.name, c.pattern) !== c.match)
      .map((c) => `${JSON.stringify(c.pattern)} vs ${JSON.stringify(c.name)}: Python says ${c.match}`);
    expect(wrong).toEqual([]);
  });
});

/** Whether two values are equal the way `toEqual` compares them. */
function agrees(got: unknown, want: unknown): boolean {
  try {
    expect(got).toEqual(want);
    return true;
  } catch {
    return false;
  }
}

describe('matchFiles mirrors the server', () => {
  it(`gives the server's accepted, discarded, missing and matched files for ${cases.matching.length} generated submissions`, () => {
    const wrong = cases.matching.flatMap((c, i) => {
      let got: unknown;
      try {
        got = matchFiles(c.names, c.patterns);
      } catch (error) {
        got = String(error);
      }
      return agrees(got, c.result) ? [] : [`case ${i}: expected ${JSON.stringify(c.result)}, got ${JSON.stringify(got)}`];
    });
    expect(wrong).toEqual([]);
  });
});

describe('matchFiles, the documented example', () => {
  const patterns = [
    { pattern: '*.cpp', min_num_matches: 1, max_num_matches: 3 },
    { pattern: 'main.cpp', min_num_matches: 1, max_num_matches: 1 },
  ];

  it('gives exact names first, fills globs up to their maximum and discards the rest', () => {
    const result = matchFiles(['main.cpp', 'a.cpp', 'b.cpp', 'c.cpp', 'd.cpp', 'notes.txt'], patterns);
    expect(result.matched).toEqual({ 'main.cpp': ['main.cpp'], '*.cpp': ['a.cpp', 'b.cpp', 'c.cpp'] });
    expect(result.discarded).toEqual(['d.cpp', 'notes.txt']);
    expect(result.missing).toEqual({});
  });

  it('names each missing pattern with how many files it still needs', () => {
    const result = matchFiles(['main.cpp'], [...patterns, { pattern: 'test_*.py', min_num_matches: 2, max_num_matches: 3 }]);
    expect(result.missing).toEqual({ '*.cpp': 1, 'test_*.py': 2 });
    expect(describeMatch(result)).toEqual(['Missing 1 file matching "*.cpp".', 'Missing 2 files matching "test_*.py".']);
  });

  it('is case-sensitive and discards a repeated name', () => {
    const result = matchFiles(['MAIN.CPP', 'main.cpp', 'main.cpp'], patterns.slice(1));
    expect(result.accepted).toEqual(['main.cpp']);
    expect(result.discarded).toEqual(['MAIN.CPP', 'main.cpp']);
    expect(describeMatch(result)).toEqual(['These files are not expected and will not be graded: MAIN.CPP, main.cpp.']);
  });

  it('refuses repeated patterns like the server does', () => {
    expect(() => matchFiles(['a'], [patterns[0]!, patterns[0]!])).toThrow(/distinct/);
  });

  it('tells exact names from globs', () => {
    expect(isExactName('main.cpp')).toBe(true);
    expect(isExactName('*.cpp')).toBe(false);
    expect(isExactName('x[1]')).toBe(false);
    expect(isExactName('what?')).toBe(false);
  });
});
