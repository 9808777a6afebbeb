import { flushPromises } from '@vue/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { checkPasswordLink, createToken, forgotPassword, listTokens, revokeToken, searchUsers, setPassword, updateUser } from '@/api/accounts';
import { ApiError } from '@/api/http';
import type { AdminUser, ApiToken, NewApiToken } from '@/api/types';
import { useApiTokens, usePasswordLink, usePasswordReset, useUserAdmin } from '@/composables/useAccounts';

vi.mock('@/api/accounts', () => ({
  forgotPassword: vi.fn(),
  checkPasswordLink: vi.fn(),
  setPassword: vi.fn(),
  listTokens: vi.fn(),
  createToken: vi.fn(),
  revokeToken: vi.fn(),
  searchUsers: vi.fn(),
  updateUser: vi.fn(),
}));

beforeEach(() => {
  vi.clearAllMocks();
});

describe('password links', () => {
  it('shows the server’s answer to a reset request', async () => {
    vi.mocked(forgotPassword).mockResolvedValue({ message: 'If that address has an account, a link is on its way.' });
    const reset = usePasswordReset();
    await reset.request('alice@x.test');
    expect(forgotPassword).toHaveBeenCalledWith('alice@x.test');
    expect(reset.sent.value).toBe('If that address has an account, a link is on its way.');
  });

  it('checks the link first, and is done only when the server took the password', async () => {
    vi.mocked(checkPasswordLink).mockResolvedValue({ username: 'alice' });
    const link = usePasswordLink(() => 'MQ', () => 'abc');
    await flushPromises();
    expect(link.link.data.value?.username).toBe('alice');

    vi.mocked(setPassword).mockRejectedValueOnce(new ApiError(400, 'invalid', 'password: Too common.', { password: ['Too common.'] }));
    expect(await link.set('password')).toBe(false);
    expect(link.done.value).toBe(false);
    expect(link.action.fieldErrors('password')).toEqual(['Too common.']);
    vi.mocked(setPassword).mockResolvedValueOnce(undefined);
    expect(await link.set('a much better passphrase')).toBe(true);
    expect(setPassword).toHaveBeenLastCalledWith('MQ', 'abc', 'a much better passphrase');
  });
});

describe('useApiTokens', () => {
  it('shows a new key once, and hides it when that token is revoked', async () => {
    vi.mocked(listTokens).mockResolvedValue([]);
    const tokens = useApiTokens();
    vi.mocked(createToken).mockResolvedValue({ id: 4, name: 'export', key: 'k3y' } as NewApiToken);
    vi.mocked(listTokens).mockResolvedValue([{ id: 4, name: 'export' } as ApiToken]);
    await tokens.create('export', null);
    expect(tokens.created.value?.key).toBe('k3y');
    expect(tokens.tokens.data.value).toHaveLength(1);

    vi.mocked(revokeToken).mockResolvedValue(undefined);
    await tokens.revoke(4);
    expect(revokeToken).toHaveBeenCalledWith(4);
    expect(tokens.created.value).toBeNull();
  });
});

describe('useUserAdmin', () => {
  it('searches from the first page, turns pages, and shows the list again after a change', async () => {
    vi.mocked(searchUsers).mockResolvedValue({ count: 0, results: [] });
    const filter = { search: 'ali', active: true as boolean | null };
    const admin = useUserAdmin(() => filter);
    await admin.turnPage(1);
    await admin.find();
    expect(vi.mocked(searchUsers).mock.calls).toEqual([
      ['ali', true, 1],
      ['ali', true, 2],
      ['ali', true, 1],
    ]);
    vi.mocked(updateUser).mockResolvedValue({ id: 2, username: 'alice' } as AdminUser);
    expect((await admin.change({ id: 2 } as AdminUser, { is_active: false }))?.username).toBe('alice');
    expect(searchUsers).toHaveBeenCalledTimes(4);
  });
});
