import { onBeforeUnmount, ref, type Ref } from 'vue';

/** The current time, updated every `intervalMs` while the component lives. */
export function useNow(intervalMs = 1000): Ref<Date> {
  const now = ref(new Date());
  const timer = window.setInterval(() => {
    now.value = new Date();
  }, intervalMs);
  onBeforeUnmount(() => window.clearInterval(timer));
  return now;
}
