/**
 * The browser title names the page (the router sets it on every navigation) and, once a page
 * has loaded what it is about, that too: `usePageTitle(() => project.data.value?.name)`.
 */
import { watchEffect } from 'vue';
import { useRoute } from 'vue-router';
import { pageTitle } from '@/lib/pageTitle';

export function usePageTitle(subject: () => string | null | undefined): void {
  const route = useRoute();
  watchEffect(() => {
    document.title = pageTitle(typeof route.name === 'string' ? route.name : null, subject() ?? null);
  });
}
