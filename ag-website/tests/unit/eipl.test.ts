import { flushPromises, mount } from '@vue/test-utils';
import { effectScope } from 'vue';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { getEiplAttempt, getEiplQuestion, saveEiplQuestion } from '@/api/eipl';
import { ApiError } from '@/api/http';
import type { EiplAttempt, EiplQuestion } from '@/api/types';
import EiplQuestionForm from '@/components/eipl/EiplQuestionForm.vue';
import { ATTEMPT_POLL_MS, useEiplAttempt } from '@/composables/useEipl';

vi.mock('@/api/eipl', () => ({
  getEiplAttempt: vi.fn(),
  getEiplQuestion: vi.fn(),
  saveEiplQuestion: vi.fn(),
  deleteEiplQuestion: vi.fn(),
  getEiplQuestionForStudent: vi.fn(),
  submitExplanation: vi.fn(),
}));

const attempt = (state: string, code?: string): EiplAttempt => ({
  submission: 3,
  explanation: 'adds',
  state,
  generations: code ? [{ file_name: 'solution.py', code }] : [],
  error: '',
  llm_calls: 1,
  created_at: '2026-12-05T10:00:00Z',
});

beforeEach(() => {
  vi.useFakeTimers();
  vi.mocked(getEiplAttempt).mockReset();
  vi.mocked(getEiplQuestion).mockReset();
  vi.mocked(saveEiplQuestion).mockReset();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('useEiplAttempt', () => {
  it('asks again while the model writes, and stops once the code is there', async () => {
    vi.mocked(getEiplAttempt)
      .mockResolvedValueOnce(attempt('generating'))
      .mockResolvedValueOnce(attempt('generated', 'def add(a, b):\n    return a + b\n'));
    const scope = effectScope();
    const { attempt: state } = scope.run(() => useEiplAttempt(() => 3))!;
    await flushPromises();
    expect(state.data.value?.state).toBe('generating');
    await vi.advanceTimersByTimeAsync(ATTEMPT_POLL_MS);
    expect(state.data.value?.generations[0]?.code).toContain('return a + b');
    await vi.advanceTimersByTimeAsync(ATTEMPT_POLL_MS * 3);
    expect(getEiplAttempt).toHaveBeenCalledTimes(2);
    scope.stop();
  });
});

describe('EiplQuestionForm', () => {
  it('sends test cases parsed from JSON and shows a row that is not JSON without saving', async () => {
    vi.mocked(getEiplQuestion).mockRejectedValue(new ApiError(404, 'not_found', 'Not found.'));
    vi.mocked(saveEiplQuestion).mockImplementation(async (_id, input) => ({ ...input }) as unknown as EiplQuestion);
    const wrapper = mount(EiplQuestionForm, { props: { projectId: 5 } });
    await flushPromises();
    await wrapper.find('input').setValue('add');
    await wrapper.findAll('button').find((b) => b.text() === 'Add test case')!.trigger('click');
    const [args, expected] = wrapper.findAll('tbody input');
    await args!.setValue('[1, 2');
    await expected!.setValue('3');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(wrapper.text()).toContain('Not valid JSON.');
    expect(saveEiplQuestion).not.toHaveBeenCalled();

    await args!.setValue('[1, 2]');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(saveEiplQuestion).toHaveBeenCalledWith(5, expect.objectContaining({ function_name: 'add', test_cases: [{ args: [1, 2], expected: 3 }] }));
  });

  it('asks for the C signature once C is chosen, and the default file name and prompt follow the language', async () => {
    vi.mocked(getEiplQuestion).mockRejectedValue(new ApiError(404, 'not_found', 'Not found.'));
    vi.mocked(saveEiplQuestion).mockImplementation(async (_id, input) => ({ ...input }) as unknown as EiplQuestion);
    const wrapper = mount(EiplQuestionForm, { props: { projectId: 5 } });
    await flushPromises();
    const label = (text: string) => wrapper.findAll('label').find((l) => l.text().startsWith(text));
    expect(label('C signature')).toBeUndefined();
    await wrapper.find('input').setValue('add');
    await wrapper.find('select').setValue('c');
    const signature = wrapper.find(`#${label('C signature')!.attributes('for')}`);
    await signature.setValue('int add(int a, int b)');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    const sent = vi.mocked(saveEiplQuestion).mock.calls[0]![1];
    expect(sent).toMatchObject({ language: 'c', c_signature: 'int add(int a, int b)', file_name: 'solution.c' });
    expect(sent.prompt_template).toContain('Its signature is {signature}');

    await wrapper.find('select').setValue('python');
    expect(label('C signature')).toBeUndefined();
    expect((wrapper.findAll('input').find((i) => i.element.value.startsWith('solution'))!.element as HTMLInputElement).value).toBe('solution.py');
  });
});
