/** Unexpected failures (a bug in a page, a rejected promise nobody handled) shown to the user
 * instead of a blank or half-drawn page. Expected API errors are shown next to their forms. */
import { ref } from 'vue';

const message = ref<string | null>(null);

export function reportUnexpected(error: unknown): void {
  const text = error instanceof Error ? error.message : String(error);
  message.value = `Something went wrong on this page (${text}). Reload the page; if it happens again, tell course staff.`;
  console.error(error);
}

export function useErrorBanner() {
  return { message, dismiss: () => (message.value = null) };
}
