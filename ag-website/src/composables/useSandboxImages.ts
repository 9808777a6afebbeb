/**
 * A course's sandbox images on the Dockerfile editor page: the list, the image being edited,
 * saving it, building it, and the build's log (asked for again every second until it ends).
 */
import { onScopeDispose, ref } from 'vue';
import {
  cancelBuild,
  createCourseImage,
  getBuild,
  listCourseImages,
  listRuntimes,
  startBuild,
  updateImage,
  type ImageBuild,
  type SandboxImage,
  type SandboxRuntime,
} from '@/api/images';
import { useAction, useAsync } from './useAsync';

export type { ImageBuild, SandboxImage } from '@/api/images';

export const BUILD_POLL_MS = 1000;

export interface ImageDraft {
  id: number | null;
  display_name: string;
  dockerfile: string;
  runtime: SandboxRuntime;
}

export function useSandboxImages(courseId: () => number) {
  const images = useAsync(() => listCourseImages(courseId()));
  const runtimes = useAsync(() => listRuntimes());
  const saving = useAction();
  const building = useAction();
  const draft = ref<ImageDraft | null>(null);
  const build = ref<ImageBuild | null>(null);

  let timer: ReturnType<typeof setTimeout> | null = null;
  const stop = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  onScopeDispose(stop);

  async function follow(buildId: number): Promise<void> {
    stop();
    try {
      build.value = await getBuild(buildId);
    } catch {
      // a failed poll is retried on the next tick
    }
    if (build.value && build.value.id === buildId && build.value.finished) {
      await images.reload();
      return;
    }
    timer = setTimeout(() => void follow(buildId), BUILD_POLL_MS);
  }

  function edit(image: SandboxImage | null, dockerfile = ''): void {
    stop();
    build.value = null;
    draft.value = image
      ? { id: image.id, display_name: image.display_name, dockerfile: image.dockerfile, runtime: image.runtime }
      : { id: null, display_name: '', dockerfile, runtime: 'runc' };
    if (image?.latest_build) void follow(image.latest_build);
  }

  async function save(): Promise<SandboxImage | undefined> {
    const d = draft.value;
    if (!d) return undefined;
    const input = { display_name: d.display_name, dockerfile: d.dockerfile, runtime: d.runtime };
    const saved = await saving.run(() => (d.id === null ? createCourseImage(courseId(), input) : updateImage(d.id, input)));
    if (saved) {
      d.id = saved.id;
      await images.reload();
    }
    return saved;
  }

  async function saveAndBuild(): Promise<void> {
    const saved = await save();
    if (!saved) return;
    const started = await building.run(() => startBuild(saved.id));
    if (started) {
      build.value = started;
      void follow(started.id);
    }
  }

  async function cancel(): Promise<void> {
    const current = build.value;
    if (!current) return;
    const updated = await building.run(() => cancelBuild(current.id));
    if (updated) build.value = updated;
  }

  return { images, runtimes, saving, building, draft, build, edit, save, saveAndBuild, cancel };
}
