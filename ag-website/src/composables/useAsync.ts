/** Loading, error and data state for one API read, with a reload. */
import { ref, shallowRef, type Ref, type ShallowRef } from 'vue';
import { ApiError } from '@/api/http';

export interface AsyncState<T> {
  data: ShallowRef<T | null>;
  loading: Ref<boolean>;
  error: ShallowRef<ApiError | null>;
  reload: () => Promise<void>;
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(0, 'client_error', error instanceof Error ? error.message : String(error));
}

export function useAsync<T>(loader: () => Promise<T>, options: { immediate?: boolean } = {}): AsyncState<T> {
  const data = shallowRef<T | null>(null);
  const loading = ref(false);
  const error = shallowRef<ApiError | null>(null);
  let generation = 0;

  async function reload(): Promise<void> {
    const mine = ++generation;
    loading.value = true;
    error.value = null;
    try {
      const value = await loader();
      if (mine === generation) data.value = value;
    } catch (caught) {
      if (mine === generation) error.value = toApiError(caught);
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  if (options.immediate !== false) void reload();
  return { data, loading, error, reload };
}

/** Runs one write at a time and keeps its error for the form that started it. */
export function useAction() {
  const busy = ref(false);
  const error = shallowRef<ApiError | null>(null);

  async function run<T>(action: () => Promise<T>): Promise<T | undefined> {
    busy.value = true;
    error.value = null;
    try {
      return await action();
    } catch (caught) {
      error.value = toApiError(caught);
      return undefined;
    } finally {
      busy.value = false;
    }
  }

  const fieldErrors = (name: string): string[] => error.value?.field(name) ?? [];
  return { busy, error, run, fieldErrors };
}
