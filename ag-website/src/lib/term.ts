/** The term a new course most likely belongs to, so "New course" starts on a sensible choice. */
import type { Semester } from '@/api/types';

/** Winter from January to April, spring May–June, summer July–August, fall September on. */
export function currentTerm(now: Date): { semester: Semester; year: number } {
  const month = now.getMonth();
  const semester: Semester = month <= 3 ? 'winter' : month <= 5 ? 'spring' : month <= 7 ? 'summer' : 'fall';
  return { semester, year: now.getFullYear() };
}
