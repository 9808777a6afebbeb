import { fetchAuthProviders } from '@/api/auth';
import type { AuthProvider } from '@/api/types';
import { useAsync } from './useAsync';

/** Where a provider's button goes: the server starts the sign-in there and, once the provider
 * vouches for the person, sends the browser back to `next` (a path on this site). */
export function providerHref(provider: AuthProvider, next: string): string {
  return `${provider.login_url}?${new URLSearchParams({ next })}`;
}

/** The single sign-on buttons and whether the password form works, as the server says. */
export function useAuthProviders() {
  return useAsync(fetchAuthProviders, { immediate: true });
}
