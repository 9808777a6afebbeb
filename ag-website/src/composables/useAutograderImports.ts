/**
 * A project's imported autograders and the upload form's action. While an import's image is
 * being built, the list and that build's log are asked for again every few seconds, so the
 * page shows the log growing and the suite appearing when the build is ready.
 */
import { computed, onScopeDispose, shallowRef, watch } from 'vue';
import { createImport, listImports, type ImportInput } from '@/api/autograderImports';
import { getBuild, type ImageBuild } from '@/api/images';
import { listSandboxImages } from '@/api/testConfig';
import { useAction, useAsync } from './useAsync';

export const IMPORT_POLL_MS = 2000;

export function useAutograderImports(projectId: () => number) {
  const imports = useAsync(() => listImports(projectId()));
  const uploading = useAction();
  /** The images a PrairieLearn grader's suite may run on. */
  const images = useAsync(() => listSandboxImages(projectId()));
  const building = computed(() => (imports.data.value ?? []).find((i) => i.state === 'building') ?? null);
  /** The log of the build in progress (or of the latest import's build). */
  const build = shallowRef<ImageBuild | null>(null);

  async function refresh(): Promise<void> {
    await imports.reload();
    const latest = building.value ?? (imports.data.value ?? [])[0] ?? null;
    build.value = latest?.image_build ? await getBuild(latest.image_build).catch(() => build.value) : null;
  }

  let timer: ReturnType<typeof setInterval> | null = null;
  const stop = (): void => {
    if (timer !== null) clearInterval(timer);
    timer = null;
  };
  watch(
    () => building.value?.id ?? null,
    (id) => {
      stop();
      if (id !== null) timer = setInterval(() => void refresh(), IMPORT_POLL_MS);
    },
  );
  onScopeDispose(stop);

  async function upload(input: ImportInput): Promise<boolean> {
    const created = await uploading.run(() => createImport(projectId(), input));
    if (!created) return false;
    await refresh();
    return true;
  }

  return { imports, uploading, images, building, build, upload, refresh };
}
