import { flushPromises, mount } from '@vue/test-utils';
import { defineComponent, h } from 'vue';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '@/api/handgrading';
import type { HandgradingProgress, Rubric } from '@/api/types';
import RubricEditor from '@/components/handgrading/RubricEditor.vue';
import { movedIds, useHandgradingOverview } from '@/composables/useHandgrading';

vi.mock('@/api/handgrading', () => ({
  getProgress: vi.fn(),
  updateCriterion: vi.fn(),
  updateAnnotation: vi.fn(),
  reorderCriteria: vi.fn(),
  reorderAnnotations: vi.fn(),
}));

const RUBRIC = {
  id: 4,
  points_style: 'start_at_zero_and_add',
  max_points: 10,
  released: false,
  show_only_applied_to_students: false,
  handgraders_can_leave_comments: true,
  handgraders_can_adjust_points: false,
  handgraders_can_see_test_results: false,
  criteria: [
    { id: 11, short_description: 'Readable', points: 4 },
    { id: 12, short_description: 'Tested', points: 6 },
  ],
  annotations: [{ id: 21, short_description: 'Magic number', deduction: -1.5, max_deduction: -2 }],
} as unknown as Rubric;

/** The editor as the handgrading page uses it: with the page's overview composable. */
const Host = defineComponent(() => {
  const editor = useHandgradingOverview(() => 7);
  return () => h(RubricEditor, { rubric: editor.rubric.value, editor });
});

beforeEach(() => {
  vi.clearAllMocks();
  vi.mocked(api.getProgress).mockResolvedValue({ rubric: RUBRIC, groups: [] } as unknown as HandgradingProgress);
});

describe('movedIds', () => {
  it('swaps with the neighbour, and refuses to move past either end', () => {
    expect(movedIds([1, 2, 3], 2, -1)).toEqual([2, 1, 3]);
    expect(movedIds([1, 2, 3], 2, 1)).toEqual([1, 3, 2]);
    expect(movedIds([1, 2, 3], 1, -1)).toBeNull();
    expect(movedIds([1, 2, 3], 3, 1)).toBeNull();
    expect(movedIds([1, 2, 3], 9, 1)).toBeNull();
  });
});

describe('RubricEditor', () => {
  it('edits a criterion and an annotation in place and sends what was typed', async () => {
    vi.mocked(api.updateCriterion).mockResolvedValue(RUBRIC.criteria[0]!);
    vi.mocked(api.updateAnnotation).mockResolvedValue(RUBRIC.annotations[0]!);
    const wrapper = mount(Host);
    await flushPromises();

    await wrapper.get('[aria-label="Edit criterion Tested"]').trigger('click');
    const row = wrapper.findAll('[data-testid="criterion-row"]')[1]!;
    const [name, points] = row.findAll('input');
    expect(name!.element.value).toBe('Tested');
    await name!.setValue('Has tests');
    await points!.setValue('7.5');
    await row.findAll('button').find((b) => b.text() === 'Save')!.trigger('click');
    await flushPromises();
    expect(api.updateCriterion).toHaveBeenCalledWith(12, { short_description: 'Has tests', points: 7.5 });
    expect(wrapper.findAll('[data-testid="criterion-row"] input')).toHaveLength(0);

    await wrapper.get('[aria-label="Edit annotation Magic number"]').trigger('click');
    const arow = wrapper.get('[data-testid="annotation-row"]');
    const [, deduction, cap] = arow.findAll('input');
    expect(cap!.element.value).toBe('-2');
    await deduction!.setValue('-3');
    await cap!.setValue('');
    await arow.findAll('button').find((b) => b.text() === 'Save')!.trigger('click');
    await flushPromises();
    expect(api.updateAnnotation).toHaveBeenCalledWith(21, { short_description: 'Magic number', deduction: -3, max_deduction: null });
    wrapper.unmount();
  });

  it('moves a criterion down with the whole new order, and cannot move the first one up', async () => {
    vi.mocked(api.reorderCriteria).mockResolvedValue({ ids: [12, 11] });
    const wrapper = mount(Host);
    await flushPromises();
    expect(wrapper.get('[aria-label="Move criterion Readable up"]').attributes('disabled')).toBeDefined();
    expect(wrapper.get('[aria-label="Move criterion Tested down"]').attributes('disabled')).toBeDefined();
    await wrapper.get('[aria-label="Move criterion Readable down"]').trigger('click');
    await flushPromises();
    expect(api.reorderCriteria).toHaveBeenCalledWith(4, [12, 11]);
    expect(api.getProgress).toHaveBeenCalledTimes(2);
    wrapper.unmount();
  });
});
