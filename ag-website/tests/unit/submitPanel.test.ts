import { flushPromises, mount } from '@vue/test-utils';
import { effectScope, ref } from 'vue';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/api/http';
import { checkFiles, submit } from '@/api/submissions';
import type { FileCheck } from '@/api/types';
import FilePicker from '@/components/project/FilePicker.vue';
import ProjectSummary from '@/components/project/ProjectSummary.vue';
import SubmitPanel from '@/components/project/SubmitPanel.vue';
import { FILE_CHECK_DELAY_MS, useFileCheck } from '@/composables/useSubmissions';
import { deferred, fileCheck, limits, project } from './support/fixtures';

vi.mock('@/api/submissions', () => ({ checkFiles: vi.fn(), submit: vi.fn() }));

const file = (name: string, text = 'print("hi")\n'): File => new File([text], name);
const MISSING_HELLO = fileCheck({
  discarded: ['notes.txt'],
  missing: { 'hello.py': 1 },
  matched: { 'hello.py': [] },
  problems: [{ code: 'missing_files', message: 'Missing required files: hello.py (1 more).', name: null }],
  acceptable: false,
});

beforeEach(() => {
  vi.useFakeTimers();
  vi.mocked(checkFiles).mockReset().mockResolvedValue(fileCheck());
  vi.mocked(submit).mockReset();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('useFileCheck', () => {
  function start(delay = FILE_CHECK_DELAY_MS) {
    const files = ref<File[]>([]);
    const scope = effectScope();
    const state = scope.run(() => useFileCheck(() => 7, files, delay))!;
    return { files, state, stop: () => scope.stop() };
  }

  it('asks the server once the choice stops changing, with names and sizes', async () => {
    const { files, state, stop } = start();
    files.value = [file('a.py')];
    await vi.advanceTimersByTimeAsync(100);
    files.value = [file('a.py'), file('notes.txt', '')];
    expect(state.checking.value).toBe(true);
    await vi.advanceTimersByTimeAsync(FILE_CHECK_DELAY_MS);
    expect(checkFiles).toHaveBeenCalledTimes(1);
    expect(checkFiles).toHaveBeenCalledWith(7, [
      { name: 'a.py', size: 12 },
      { name: 'notes.txt', size: 0 },
    ]);
    expect(state.check.value).toEqual(fileCheck());
    expect(state.checking.value).toBe(false);
    stop();
  });

  it('drops an answer about files chosen before, and forgets it all when none are chosen', async () => {
    const slow = deferred<FileCheck>();
    vi.mocked(checkFiles).mockReturnValueOnce(slow.promise).mockResolvedValueOnce(fileCheck({ accepted: ['b.py'] }));
    const { files, state, stop } = start();
    files.value = [file('a.py')];
    await vi.advanceTimersByTimeAsync(FILE_CHECK_DELAY_MS);
    files.value = [file('b.py')];
    await vi.advanceTimersByTimeAsync(FILE_CHECK_DELAY_MS);
    slow.resolve(fileCheck({ accepted: ['a.py'] }));
    await flushPromises();
    expect(state.check.value?.accepted).toEqual(['b.py']);

    files.value = [];
    await vi.advanceTimersByTimeAsync(FILE_CHECK_DELAY_MS);
    expect(state.check.value).toBeNull();
    expect(checkFiles).toHaveBeenCalledTimes(2);
    stop();
  });

  it('keeps the error when the check fails', async () => {
    vi.mocked(checkFiles).mockRejectedValue(new ApiError(400, 'invalid', 'files: bad.'));
    const { files, state, stop } = start();
    files.value = [file('a.py')];
    await vi.advanceTimersByTimeAsync(FILE_CHECK_DELAY_MS);
    expect(state.error.value?.message).toBe('files: bad.');
    expect(state.check.value).toBeNull();
    stop();
  });
});

describe('SubmitPanel', () => {
  const expected = [{ id: 1, project: 7, pattern: 'hello.py', min_num_matches: 1, max_num_matches: 1, last_modified: '' }];
  const mountPanel = (overrides = {}, options: { attachTo?: HTMLElement } = {}) =>
    mount(SubmitPanel, { props: { project: project(), groupId: 3, expectedFiles: expected, limits: limits(), ...overrides }, ...options });

  async function choose(wrapper: ReturnType<typeof mountPanel>, files: File[]): Promise<void> {
    wrapper.findComponent(FilePicker).vm.$emit('update:modelValue', files);
    await vi.advanceTimersByTimeAsync(FILE_CHECK_DELAY_MS);
    await flushPromises();
  }

  it('shows the server’s dry run: what is missing, what is left out, what matched', async () => {
    vi.mocked(checkFiles).mockResolvedValue(MISSING_HELLO);
    const wrapper = mountPanel();
    await choose(wrapper, [file('notes.txt')]);
    const notice = wrapper.get('[data-testid="file-check"]').text();
    expect(notice).toContain('Missing 1 file matching "hello.py".');
    expect(notice).toContain('These files are not expected and will not be graded: notes.txt.');

    vi.mocked(checkFiles).mockResolvedValue(fileCheck({ accepted: ['hello.py'], matched: { 'hello.py': ['hello.py'] } }));
    await choose(wrapper, [file('hello.py')]);
    expect(wrapper.find('[data-testid="file-check"]').exists()).toBe(false);
    expect(wrapper.text()).toContain('✓ hello.py');
  });

  it('offers no "submit anyway" for files the server would refuse: the problems show once, submit is disabled', async () => {
    vi.mocked(checkFiles).mockResolvedValue(MISSING_HELLO);
    const wrapper = mountPanel();
    await choose(wrapper, [file('notes.txt')]);
    expect(wrapper.get('button[type="submit"]').attributes('disabled')).toBeDefined();
    await wrapper.get('form').trigger('submit');
    expect(submit).not.toHaveBeenCalled();
    expect(wrapper.findAll('button').some((b) => b.text() === 'Submit anyway')).toBe(false);
    expect(wrapper.text().split('Missing 1 file matching "hello.py".').length - 1).toBe(1);
  });

  it('asks before uploading files that would be left out, uploads when told to, and moves focus to the news', async () => {
    vi.mocked(checkFiles).mockResolvedValue(fileCheck({ accepted: ['hello.py'], discarded: ['notes.txt'], matched: { 'hello.py': ['hello.py'] } }));
    vi.mocked(submit).mockResolvedValue({ id: 99, submitted_filenames: ['hello.py'] } as never);
    const wrapper = mountPanel({}, { attachTo: document.body });
    await choose(wrapper, [file('hello.py'), file('notes.txt')]);
    await wrapper.get('form').trigger('submit');
    expect(submit).not.toHaveBeenCalled();
    expect(wrapper.get('[role="alert"]').text()).toContain('Some of your files will not be graded');

    const anyway = wrapper.findAll('button').find((b) => b.text() === 'Submit anyway')!;
    await anyway.trigger('click');
    await flushPromises();
    expect(submit).toHaveBeenCalledWith(3, [expect.objectContaining({ name: 'hello.py' }), expect.objectContaining({ name: 'notes.txt' })], false, expect.any(Function));
    expect(wrapper.emitted('submitted')).toEqual([[{ id: 99, submitted_filenames: ['hello.py'] }]]);
    expect(document.activeElement?.getAttribute('data-testid')).toBe('submitted');
    wrapper.unmount();
  });

  it('shows a refused upload’s reason once, under its field', async () => {
    vi.mocked(checkFiles).mockResolvedValue(fileCheck({ accepted: ['hello.py'], matched: { 'hello.py': ['hello.py'] } }));
    const reason = 'Your group has used all 3 submissions for today.';
    vi.mocked(submit).mockRejectedValue(new ApiError(400, 'invalid', `files: ${reason}`, { files: [reason] }));
    const wrapper = mountPanel();
    await choose(wrapper, [file('hello.py')]);
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.text().split(reason).length - 1).toBe(1);
  });

  it('says why an upload now would be refused instead of offering the form', () => {
    const refusal = { code: 'daily_limit_reached', message: 'Your group has used all 3 submissions for today.', name: null };
    const wrapper = mountPanel({ limits: limits({ refusal }) });
    expect(wrapper.get('[data-testid="submit-refusal"]').text()).toBe(refusal.message);
    expect(wrapper.find('form').exists()).toBe(false);
  });

  it('names the late days an upload now would spend, and partners it would not count for', () => {
    const late = limits({
      would_be_late: true,
      late_days_to_use: 1,
      members: [
        { username: 'alice', late_days_remaining: 2, late_days_used: 0, late_days_needed: 1, would_count: true },
        { username: 'bob', late_days_remaining: 0, late_days_used: 2, late_days_needed: 1, would_count: false },
      ],
    });
    const wrapper = mountPanel({ limits: late });
    expect(wrapper.get('button[type="submit"]').text()).toBe('Submit (uses 1 late day)');
    expect(wrapper.text()).toContain('This submission will not count for bob: not enough late days left.');
    expect(mountPanel({ limits: limits({ would_be_late: true, late_days_to_use: 0 }) }).get('button[type="submit"]').text()).toBe(
      'Submit (late, no more late days)',
    );
  });
});

describe('ProjectSummary', () => {
  const summary = (overrides = {}, me = 'alice') =>
    mount(ProjectSummary, { props: { project: project(), group: null, limits: limits(overrides), me, now: new Date('2026-05-01T12:00:00Z') } });
  const entry = (wrapper: ReturnType<typeof summary>, term: string): string =>
    wrapper.findAll('.summary > div').find((d) => d.get('dt').text() === term)?.get('dd').text() ?? '';

  it('shows the counts the server computed', () => {
    const wrapper = summary({ submissions_used_today: 1, submissions_per_day: 3, late_days_remaining: 2, late_days_used: 0 });
    expect(entry(wrapper, 'Submissions today')).toMatch(/^1 of 3 used/);
    expect(entry(wrapper, 'Late days left')).toBe('2 (0 used in this course)');
    expect(entry(wrapper, 'Total submissions')).toBe('');
  });

  it('shows a total limit, unlimited days, partners’ late days and the staff exemption', () => {
    const wrapper = summary(
      {
        submissions_per_day: null,
        total_submission_limit: 5,
        submissions_used_total: 4,
        limits_apply: false,
        members: [
          { username: 'alice', late_days_remaining: 2, late_days_used: 0, late_days_needed: 0, would_count: true },
          { username: 'bob', late_days_remaining: 1, late_days_used: 1, late_days_needed: 0, would_count: true },
        ],
      },
      'alice',
    );
    expect(entry(wrapper, 'Submissions today')).toBe('Unlimited');
    expect(entry(wrapper, 'Total submissions')).toBe('4 of 5 used');
    expect(entry(wrapper, "Partners' late days")).toBe('bob: 1 left');
    expect(entry(wrapper, 'Limits')).toContain('no limits, deadlines or late days apply');
  });
});
