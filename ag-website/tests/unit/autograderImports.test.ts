import { flushPromises } from '@vue/test-utils';
import { effectScope } from 'vue';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createImport, listImports } from '@/api/autograderImports';
import { getBuild } from '@/api/images';
import type { AutograderImport } from '@/api/types';
import { IMPORT_POLL_MS, useAutograderImports } from '@/composables/useAutograderImports';

vi.mock('@/api/autograderImports', () => ({ listImports: vi.fn(), createImport: vi.fn() }));
vi.mock('@/api/images', () => ({ getBuild: vi.fn() }));
vi.mock('@/api/testConfig', () => ({ listSandboxImages: vi.fn().mockResolvedValue({ default_image: 'd', images: ['d'] }) }));

const imported = (state: AutograderImport['state']) =>
  ({ id: 1, kind: 'gradescope', state, image_build: 9, suite: state === 'ready' ? 3 : null }) as AutograderImport;
const build = (log: string, status = 'building') => ({ id: 9, log, status }) as Awaited<ReturnType<typeof getBuild>>;

beforeEach(() => {
  vi.useFakeTimers();
  vi.clearAllMocks();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('useAutograderImports', () => {
  it("polls the imports and the build's log while an image builds, and stops when the suite is ready", async () => {
    vi.mocked(listImports).mockResolvedValueOnce([]).mockResolvedValueOnce([imported('building')]).mockResolvedValue([imported('ready')]);
    vi.mocked(createImport).mockResolvedValue(imported('building'));
    vi.mocked(getBuild).mockResolvedValueOnce(build('Step 1/8')).mockResolvedValue(build('Step 1/8\nThe image is ready', 'ready'));
    const scope = effectScope();
    const state = scope.run(() => useAutograderImports(() => 7))!;
    await flushPromises();
    expect(state.building.value).toBeNull();

    const file = new File(['zip'], 'ag.zip');
    const input = { kind: 'gradescope', file, suite_name: 'S', time_limit_s: 60, command: '', sandbox_image: '' } as const;
    expect(await state.upload(input)).toBe(true);
    expect(createImport).toHaveBeenCalledWith(7, input);
    expect(state.building.value?.id).toBe(1);
    expect(state.build.value?.log).toBe('Step 1/8');

    await vi.advanceTimersByTimeAsync(IMPORT_POLL_MS);
    expect(state.building.value).toBeNull();
    expect(state.build.value?.log).toContain('The image is ready');
    const calls = vi.mocked(listImports).mock.calls.length;
    await vi.advanceTimersByTimeAsync(IMPORT_POLL_MS * 5);
    expect(vi.mocked(listImports).mock.calls.length).toBe(calls);
    scope.stop();
  });
});
