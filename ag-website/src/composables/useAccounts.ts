/**
 * Accounts: asking for a password link, checking one and setting the password with it, my API
 * tokens, and the superuser's list of users. The server decides who may do what; each change
 * keeps its error for the form that made it.
 */
import { ref, shallowRef } from 'vue';
import { checkPasswordLink, createToken, forgotPassword, listTokens, revokeToken, searchUsers, setPassword, updateUser } from '@/api/accounts';
import type { AdminUser, NewApiToken, UserUpdate } from '@/api/types';
import { useAction, useAsync } from './useAsync';

/** "Forgot your password?": the server's answer is the same whether or not the address is known. */
export function usePasswordReset() {
  const action = useAction();
  const sent = ref<string | null>(null);
  async function request(email: string): Promise<void> {
    const answer = await action.run(() => forgotPassword(email));
    if (answer) sent.value = answer.message;
  }
  return { action, sent, request };
}

/** A password link from an email: whose it is (or why it no longer works), then the new password. */
export function usePasswordLink(uid: () => string, token: () => string) {
  const link = useAsync(() => checkPasswordLink(uid(), token()));
  const action = useAction();
  const done = ref(false);
  async function set(password: string): Promise<boolean> {
    await action.run(() => setPassword(uid(), token(), password));
    done.value = !action.error.value;
    return done.value;
  }
  return { link, action, done, set };
}

/** My API tokens. A new token's key is shown once, right after it is made. */
export function useApiTokens() {
  const tokens = useAsync(listTokens);
  const creating = useAction();
  const revoking = useAction();
  const created = shallowRef<NewApiToken | null>(null);

  async function create(name: string, expiresAt: string | null): Promise<NewApiToken | undefined> {
    const token = await creating.run(() => createToken(name, expiresAt));
    if (!token) return undefined;
    created.value = token;
    await tokens.reload();
    return token;
  }

  async function revoke(id: number): Promise<void> {
    await revoking.run(() => revokeToken(id));
    if (created.value?.id === id) created.value = null;
    await tokens.reload();
  }

  return { tokens, creating, revoking, created, create, revoke };
}

/** Every user, for superusers: a search (by name or address, active or not) a page at a time. */
export function useUserAdmin(filter: () => { search: string; active: boolean | null }) {
  const page = ref(1);
  const users = useAsync(() => searchUsers(filter().search, filter().active, page.value));
  const saving = useAction();

  async function find(): Promise<void> {
    page.value = 1;
    await users.reload();
  }

  async function turnPage(step: number): Promise<void> {
    page.value += step;
    await users.reload();
  }

  async function change(user: AdminUser, update: UserUpdate): Promise<AdminUser | undefined> {
    const saved = await saving.run(() => updateUser(user.id, update));
    if (saved) await users.reload();
    return saved;
  }

  return { page, users, saving, find, turnPage, change };
}
