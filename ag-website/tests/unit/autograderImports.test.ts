import { flushPromises } from '@vue/test-utils';
import { effectScope } from 'vue';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createImport, listImports, uploadVersion } from '@/api/autograderImports';
import { getBuild } from '@/api/images';
import type { AutograderImport } from '@/api/types';
import { IMPORT_POLL_MS, isBuilding, useAutograderImports } from '@/composables/useAutograderImports';

vi.mock('@/api/autograderImports', () => ({ listImports: vi.fn(), createImport: vi.fn(), uploadVersion: vi.fn() }));
vi.mock('@/api/images', () => ({ getBuild: vi.fn() }));
vi.mock('@/api/testConfig', () => ({ listSandboxImages: vi.fn().mockResolvedValue({ default_image: 'd', images: ['d'] }) }));

const imported = (state: AutograderImport['state']) =>
  ({ id: 1, kind: 'gradescope', state, image_build: 9, suite: state === 'ready' ? 3 : null }) as AutograderImport;
/** A ready import whose version 2 has its own build in the given state. */
const version2 = (status: 'pending' | 'building' | 'ready' | 'failed') =>
  ({
    ...imported('ready'),
    image_build: 10,
    version: 2,
    versions: [
      { number: 2, build: 10, build_status: status },
      { number: 1, build: 9, build_status: 'ready' },
    ],
  }) as AutograderImport;
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

  it("polls while a new version's image builds, and stops when it is built or failed", async () => {
    vi.mocked(listImports)
      .mockResolvedValueOnce([imported('ready')])
      .mockResolvedValueOnce([version2('pending')])
      .mockResolvedValue([version2('failed')]);
    vi.mocked(uploadVersion).mockResolvedValue(version2('pending'));
    vi.mocked(getBuild).mockResolvedValueOnce(build('Step 1/8')).mockResolvedValue(build('exit 7', 'failed'));
    const scope = effectScope();
    const state = scope.run(() => useAutograderImports(() => 7))!;
    await flushPromises();
    expect(state.building.value).toBeNull();

    const input = { file: new File(['zip'], 'v2.zip'), time_limit_s: null, command: null };
    expect(await state.uploadNewVersion(1, input)).toBe(true);
    expect(uploadVersion).toHaveBeenCalledWith(1, input);
    expect(state.building.value?.id).toBe(1);
    expect(getBuild).toHaveBeenLastCalledWith(10);

    await vi.advanceTimersByTimeAsync(IMPORT_POLL_MS);
    expect(state.building.value).toBeNull();
    expect(state.build.value?.status).toBe('failed');
    const calls = vi.mocked(listImports).mock.calls.length;
    await vi.advanceTimersByTimeAsync(IMPORT_POLL_MS * 5);
    expect(vi.mocked(listImports).mock.calls.length).toBe(calls);
    scope.stop();
  });

  it('keeps the error of a refused version for that import', async () => {
    vi.mocked(listImports).mockResolvedValue([imported('ready')]);
    vi.mocked(uploadVersion).mockRejectedValue(new Error('suite deleted'));
    const scope = effectScope();
    const state = scope.run(() => useAutograderImports(() => 7))!;
    await flushPromises();
    expect(await state.uploadNewVersion(1, { file: new File([''], 'v.zip'), time_limit_s: 5, command: null })).toBe(false);
    expect(state.versionTarget.value).toBe(1);
    expect(state.versionUploading.error.value?.message).toBe('suite deleted');
    scope.stop();
  });

  it('counts an import as building while its latest version builds', () => {
    expect(isBuilding(imported('building'))).toBe(true);
    expect(isBuilding(version2('building'))).toBe(true);
    expect(isBuilding(version2('ready'))).toBe(false);
    expect(isBuilding(imported('ready'))).toBe(false);
  });
});
