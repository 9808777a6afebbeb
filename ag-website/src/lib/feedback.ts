/**
 * What a student reads for one result, from the server's filtered feedback. The server
 * decides what is visible (a hidden value is null); this module only turns what is there into
 * words, and never shows a check the feedback category hides.
 */
import type { CaseFeedback, CommandFeedback, SuiteFeedback } from '@/api/types';

export type Verdict = 'correct' | 'incorrect' | 'timed_out' | 'unknown';

export interface Check {
  label: string;
  verdict: Verdict;
  detail: string;
}

export function pointsText(awarded: number | null, possible: number | null): string | null {
  if (awarded === null || possible === null) return null;
  return `${formatNumber(awarded)} / ${formatNumber(possible)}`;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function verdict(correct: boolean | null): Verdict {
  if (correct === null) return 'unknown';
  return correct ? 'correct' : 'incorrect';
}

const EXPECTED_CODE: Record<string, string> = { zero: '0', nonzero: 'nonzero' };

function returnCodeCheck(command: CommandFeedback): Check | null {
  const shown = command.return_code_correct !== null || command.actual_return_code !== null;
  if (!shown && command.timed_out !== true) return null;
  const parts: string[] = [];
  if (command.expected_return_code !== null && command.expected_return_code !== 'none') {
    parts.push(`expected ${EXPECTED_CODE[command.expected_return_code] ?? command.expected_return_code}`);
  }
  if (command.actual_return_code !== null) parts.push(`got ${command.actual_return_code}`);
  if (command.timed_out === true) {
    return { label: 'Exit status', verdict: 'timed_out', detail: 'The command timed out.' };
  }
  return { label: 'Exit status', verdict: verdict(command.return_code_correct), detail: parts.join(', ') };
}

function streamCheck(command: CommandFeedback, stream: 'stdout' | 'stderr'): Check | null {
  const correct = command[`${stream}_correct`];
  if (correct === null) return null;
  const label = stream === 'stdout' ? 'Output (stdout)' : 'Error output (stderr)';
  return { label, verdict: verdict(correct), detail: '' };
}

/** The checks shown for a command, in the order students expect: exit status, stdout, stderr. */
export function commandChecks(command: CommandFeedback): Check[] {
  const checks = [returnCodeCheck(command), streamCheck(command, 'stdout'), streamCheck(command, 'stderr')];
  const shown = checks.filter((check): check is Check => check !== null);
  if (command.out_of_memory === true) {
    shown.push({ label: 'Memory', verdict: 'incorrect', detail: 'The command ran out of memory.' });
  }
  return shown;
}

/** Overall verdict for a command: incorrect if any shown check failed, correct if all passed. */
export function commandVerdict(command: CommandFeedback): Verdict {
  const checks = commandChecks(command);
  if (checks.some((c) => c.verdict === 'timed_out')) return 'timed_out';
  if (checks.some((c) => c.verdict === 'incorrect')) return 'incorrect';
  if (checks.length > 0 && checks.every((c) => c.verdict === 'correct')) return 'correct';
  return 'unknown';
}

export function caseVerdict(testCase: CaseFeedback): Verdict {
  if (testCase.points_possible > 0) {
    return testCase.points_awarded >= testCase.points_possible ? 'correct' : 'incorrect';
  }
  const verdicts = (testCase.commands ?? []).map(commandVerdict);
  if (verdicts.includes('timed_out')) return 'timed_out';
  if (verdicts.includes('incorrect')) return 'incorrect';
  if (verdicts.length > 0 && verdicts.every((v) => v === 'correct')) return 'correct';
  return 'unknown';
}

export const VERDICT_TEXT: Record<Verdict, string> = {
  correct: 'Correct',
  incorrect: 'Incorrect',
  timed_out: 'Timed out',
  unknown: '',
};

export interface OutputLink {
  stream: 'stdout' | 'stderr';
  kind: 'diff' | 'output';
  label: string;
}

/** The outputs a student may open for a command (the diff first, as it is more useful). */
export function commandOutputs(command: CommandFeedback): OutputLink[] {
  const links: OutputLink[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    const name = stream === 'stdout' ? 'output' : 'error output';
    if (command[`${stream}_diff_available`]) links.push({ stream, kind: 'diff', label: `Expected vs. actual ${name}` });
    if (command[`${stream}_available`]) links.push({ stream, kind: 'output', label: `Actual ${name}` });
  }
  return links;
}

export function setupSummary(suite: SuiteFeedback): string | null {
  if (suite.setup_timed_out === true) return 'Setup timed out.';
  if (suite.setup_return_code === null) return null;
  return suite.setup_return_code === 0 ? 'Setup succeeded (exit status 0).' : `Setup failed (exit status ${suite.setup_return_code}).`;
}

export function sizeText(bytes: number | null): string {
  if (bytes === null) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
