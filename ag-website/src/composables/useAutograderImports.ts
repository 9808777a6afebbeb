/**
 * A project's imported autograders, the upload form's action and uploading a new version of
 * one. While an import's image is being built (for the import or for a new version), the list
 * and that build's log are asked for again every few seconds, so the page shows the log
 * growing and the suite (or the new version) becoming ready.
 */
import { computed, onScopeDispose, shallowRef, watch } from 'vue';
import {
  createImport,
  listImports,
  uploadVersion,
  type AutograderImport,
  type ImportInput,
  type VersionInput,
} from '@/api/autograderImports';
import { getBuild, type ImageBuild } from '@/api/images';
import { listSandboxImages } from '@/api/testConfig';
import { useAction, useAsync } from './useAsync';

export const IMPORT_POLL_MS = 2000;

/** The import's first build, or the build of its latest version, has not finished. */
export function isBuilding(imported: AutograderImport): boolean {
  const latest = imported.versions?.[0]?.build_status;
  return imported.state === 'building' || latest === 'pending' || latest === 'building';
}

export function useAutograderImports(projectId: () => number) {
  const imports = useAsync(() => listImports(projectId()));
  const uploading = useAction();
  /** The images a PrairieLearn grader's suite may run on. */
  const images = useAsync(() => listSandboxImages(projectId()));
  /** Which import a new version is being uploaded for (its form shows the errors). */
  const versionUploading = useAction();
  const versionTarget = shallowRef<number | null>(null);
  const building = computed(() => (imports.data.value ?? []).find(isBuilding) ?? null);
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

  async function uploadNewVersion(importId: number, input: VersionInput): Promise<boolean> {
    versionTarget.value = importId;
    const updated = await versionUploading.run(() => uploadVersion(importId, input));
    if (!updated) return false;
    await refresh();
    return true;
  }

  return { imports, uploading, images, building, build, upload, refresh, versionUploading, versionTarget, uploadNewVersion };
}
