import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { CaseFeedback, CommandFeedback, SuiteFeedback } from '@/api/types';
import CommandResult from '@/components/results/CommandResult.vue';
import { caseVerdict, commandChecks, commandOutputs, commandVerdict, pointsText, setupSummary, sizeText } from '@/lib/feedback';

/** A command as `public` feedback shows it: everything visible. */
function command(overrides: Partial<CommandFeedback> = {}): CommandFeedback {
  return {
    id: 7,
    command: 3,
    name: 'run hello.py',
    config_deleted: false,
    feedback: {},
    timed_out: false,
    out_of_memory: false,
    return_code_correct: true,
    expected_return_code: 'zero',
    actual_return_code: 0,
    stdout_correct: false,
    stdout_diff_available: true,
    stdout_available: true,
    stdout_size: 20,
    stdout_truncated: false,
    stderr_correct: null,
    stderr_diff_available: false,
    stderr_available: false,
    stderr_size: null,
    stderr_truncated: null,
    points_awarded: 1,
    points_possible: 6,
    error_message: null,
    ...overrides,
  };
}

/** What `pass_fail` shows: correctness and points, no output, no exit status. */
const PASS_FAIL: Partial<CommandFeedback> = {
  actual_return_code: null,
  expected_return_code: null,
  stdout_diff_available: false,
  stdout_available: false,
  stdout_size: null,
  stdout_truncated: null,
};

/** What `private` shows: the command's name only. */
const PRIVATE: Partial<CommandFeedback> = {
  ...PASS_FAIL,
  timed_out: null,
  out_of_memory: null,
  return_code_correct: null,
  stdout_correct: null,
  points_awarded: null,
  points_possible: null,
};

describe('commandChecks', () => {
  it('shows expected and actual exit status and each checked stream with public feedback', () => {
    expect(commandChecks(command())).toEqual([
      { label: 'Exit status', verdict: 'correct', detail: 'expected 0, got 0' },
      { label: 'Output (stdout)', verdict: 'incorrect', detail: '' },
    ]);
  });

  it('shows only correctness with pass/fail feedback', () => {
    expect(commandChecks(command(PASS_FAIL))).toEqual([
      { label: 'Exit status', verdict: 'correct', detail: '' },
      { label: 'Output (stdout)', verdict: 'incorrect', detail: '' },
    ]);
  });

  it('shows nothing with private feedback', () => {
    expect(commandChecks(command(PRIVATE))).toEqual([]);
    expect(commandVerdict(command(PRIVATE))).toBe('unknown');
    expect(pointsText(null, null)).toBeNull();
  });

  it('reports a timeout and running out of memory', () => {
    const checks = commandChecks(command({ timed_out: true, return_code_correct: false, out_of_memory: true }));
    expect(checks[0]).toEqual({ label: 'Exit status', verdict: 'timed_out', detail: 'The command timed out.' });
    expect(checks.at(-1)).toEqual({ label: 'Memory', verdict: 'incorrect', detail: 'The command ran out of memory.' });
    expect(commandVerdict(command({ timed_out: true }))).toBe('timed_out');
  });

  it('gives the overall verdict from the shown checks', () => {
    expect(commandVerdict(command())).toBe('incorrect');
    expect(commandVerdict(command({ stdout_correct: true }))).toBe('correct');
  });
});

describe('commandOutputs', () => {
  it('offers the diff first, then the actual output, only where feedback allows', () => {
    expect(commandOutputs(command()).map((l) => l.label)).toEqual(['Expected vs. actual output', 'Actual output']);
    expect(commandOutputs(command(PASS_FAIL))).toEqual([]);
    expect(commandOutputs(command({ stderr_available: true })).map((l) => `${l.stream}:${l.kind}`)).toEqual([
      'stdout:diff',
      'stdout:output',
      'stderr:output',
    ]);
  });
});

describe('cases, suites and numbers', () => {
  const testCase = (awarded: number, possible: number, commands: CommandFeedback[] | null = null): CaseFeedback => ({
    id: 1,
    case: 1,
    name: 't',
    config_deleted: false,
    description_html: '',
    hint_html: '',
    staff_notes_html: null,
    points_awarded: awarded,
    points_possible: possible,
    commands,
  });

  it('judges a test case by its points, or by its commands when it has none', () => {
    expect(caseVerdict(testCase(6, 6))).toBe('correct');
    expect(caseVerdict(testCase(1, 6))).toBe('incorrect');
    expect(caseVerdict(testCase(0, 0, [command({ stdout_correct: true })]))).toBe('correct');
    expect(caseVerdict(testCase(0, 0, null))).toBe('unknown');
  });

  it('summarises the setup only when its result is shown', () => {
    const suite = { setup_timed_out: null, setup_return_code: null } as SuiteFeedback;
    expect(setupSummary(suite)).toBeNull();
    expect(setupSummary({ ...suite, setup_return_code: 2 })).toBe('Setup failed (exit status 2).');
    expect(setupSummary({ ...suite, setup_timed_out: true })).toBe('Setup timed out.');
  });

  it('formats points and sizes', () => {
    expect(pointsText(1, 6)).toBe('1 / 6');
    expect(pointsText(2.5, 3)).toBe('2.50 / 3');
    expect(sizeText(20)).toBe('20 B');
    expect(sizeText(2048)).toBe('2.0 KiB');
  });
});

describe('CommandResult', () => {
  it('renders public feedback: verdicts, points and buttons for the diff and the output', () => {
    const wrapper = mount(CommandResult, { props: { command: command(), category: undefined }, global: { stubs: { RouterLink: true } } });
    const text = wrapper.text();
    expect(text).toContain('run hello.py');
    expect(text).toContain('1 / 6');
    expect(text).toContain('Exit status: ✓ Correct expected 0, got 0');
    expect(text).toContain('Output (stdout): ✗ Incorrect');
    expect(wrapper.findAll('button').map((b) => b.text())).toEqual(['Show expected vs. actual output', 'Show actual output']);
  });

  it('renders private feedback as the name alone', () => {
    const wrapper = mount(CommandResult, { props: { command: command(PRIVATE), category: undefined } });
    expect(wrapper.text().trim()).toBe('run hello.py');
    expect(wrapper.findAll('button')).toHaveLength(0);
  });

  it('shows staff the grading error', () => {
    const wrapper = mount(CommandResult, { props: { command: command({ error_message: 'instructor file missing' }), category: 'staff_viewer' } });
    expect(wrapper.text()).toContain('instructor file missing');
  });
});
