/**
 * The website's shape, checked: pages and components render and call composables; only
 * composables (and src/api itself) talk to src/api. Types may be named from '@/api/types'.
 */
import { describe, expect, it } from 'vitest';

const VIEWS = import.meta.glob<string>(['/src/pages/**/*.vue', '/src/components/**/*.vue'], {
  query: '?raw',
  import: 'default',
  eager: true,
});
const IMPORT = /\bfrom\s+['"](@\/api\/[^'"]+|\.\.?\/[^'"]*api\/[^'"]+)['"]/g;

describe('structure', () => {
  it('pages and components reach the API only through composables', () => {
    expect(Object.keys(VIEWS).length).toBeGreaterThan(40);
    const offenders = Object.entries(VIEWS).flatMap(([path, source]) =>
      [...source.matchAll(IMPORT)]
        .map((match) => match[1]!)
        .filter((target) => target !== '@/api/types')
        .map((target) => `${path} imports ${target}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the test-configuration editor is not in a folder named like the tests folder', () => {
    const folders = new Set(Object.keys(VIEWS).map((path) => path.split('/')[3]));
    expect(folders.has('tests')).toBe(false);
    expect(folders.has('testConfig')).toBe(true);
  });
});
