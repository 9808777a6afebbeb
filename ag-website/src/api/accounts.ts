/** Accounts: password links (forgot, check, set), my API tokens, and the superuser's users. */
import { get, post, del, patch, type Page } from './http';
import type { AdminUser, ApiToken, NewApiToken, UserUpdate } from './types';

export const forgotPassword = (email: string): Promise<{ message: string }> =>
  post<{ message: string }>('auth/password/forgot/', { email });
export const checkPasswordLink = (uid: string, token: string): Promise<{ username: string }> =>
  post<{ username: string }>('auth/password/check/', { uid, token });
export const setPassword = (uid: string, token: string, password: string): Promise<void> =>
  post<void>('auth/password/set/', { uid, token, password });

export const listTokens = async (): Promise<ApiToken[]> =>
  (await get<Page<ApiToken>>('users/me/tokens/', { page_size: 100 })).results;
export const createToken = (name: string, expiresAt: string | null): Promise<NewApiToken> =>
  post<NewApiToken>('users/me/tokens/', { name, expires_at: expiresAt });
export const revokeToken = (id: number): Promise<void> => del(`users/me/tokens/${id}/`);

export const searchUsers = (search: string, active: boolean | null, page = 1): Promise<Page<AdminUser>> =>
  get<Page<AdminUser>>('users/', { search, active, page, page_size: 50 });
export const updateUser = (id: number, change: UserUpdate): Promise<AdminUser> => patch<AdminUser>(`users/${id}/`, change);
