import { describe, expect, it } from 'vitest';
import { describeMatch, fnmatchcase, isExactName, matchFiles } from '@/lib/fileMatching';
import cases from './fixtures/file-matching-cases.json';

describe('fnmatchcase mirrors Python', () => {
  it.each(cases.globs.map((c) => [c.pattern, c.name, c.match] as const))('%s vs %s → %s', (pattern, name, match) => {
    expect(fnmatchcase(name, pattern)).toBe(match);
  });
});

describe('matchFiles mirrors the server', () => {
  it.each(cases.matching.map((c, i) => [i, c] as const))('case %i', (_, c) => {
    expect(matchFiles(c.names, c.patterns)).toEqual(c.result);
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
