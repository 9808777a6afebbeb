import { flushPromises, mount } from '@vue/test-utils';
import { ref } from 'vue';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { getEiplLimits, saveEiplLimits } from '@/api/eipl';
import type { EiplLimits } from '@/api/types';
import EiplCourseLimits from '@/components/eipl/EiplCourseLimits.vue';

const me = ref<{ is_superuser: boolean } | null>(null);
vi.mock('@/api/eipl', () => ({ getEiplLimits: vi.fn(), saveEiplLimits: vi.fn() }));
vi.mock('@/composables/useSession', () => ({ useSession: () => ({ me }) }));

const LIMITS: EiplLimits = {
  course: 3,
  calls_limit: 1000,
  tokens_limit: 0,
  calls_own: false,
  tokens_own: false,
  site_calls_limit: 1000,
  site_tokens_limit: 0,
  budget: { day: '2026-12-05', calls_used: 4, calls_limit: 1000, tokens_used: 90, tokens_limit: 0 },
};

beforeEach(() => {
  vi.mocked(getEiplLimits).mockReset().mockResolvedValue(LIMITS);
  vi.mocked(saveEiplLimits).mockReset();
});

describe('EiplCourseLimits', () => {
  it('shows staff the limits and whose they are, without a form', async () => {
    me.value = { is_superuser: false };
    const wrapper = mount(EiplCourseLimits, { props: { courseId: 3 } });
    await flushPromises();
    expect(wrapper.text()).toContain("Calls: 1000 (the site's); tokens: no limit (the site's)");
    expect(wrapper.text()).toContain('Used today: 4 calls, 90 tokens');
    expect(wrapper.find('form').exists()).toBe(false);
  });

  it("lets a superuser give the course its own limits, an empty field meaning the site's", async () => {
    me.value = { is_superuser: true };
    vi.mocked(saveEiplLimits).mockResolvedValue({ ...LIMITS, calls_limit: 50, calls_own: true });
    const wrapper = mount(EiplCourseLimits, { props: { courseId: 3 } });
    await flushPromises();
    await wrapper.find('input[type="number"]').setValue('50');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(saveEiplLimits).toHaveBeenCalledWith(3, { daily_calls: 50, daily_tokens: null });
    expect(wrapper.text()).toContain("Calls: 50 (this course's own)");
  });
});
