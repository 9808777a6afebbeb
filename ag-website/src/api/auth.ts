import { get, post } from './http';
import type { AuthProviders, Me } from './types';

export const fetchMe = (): Promise<Me> => get<Me>('users/me/');
export const login = (username: string, password: string): Promise<Me> =>
  post<Me>('auth/login/', { username, password });
export const logout = (): Promise<void> => post<void>('auth/logout/');
/** The login page's choices: single sign-on providers and whether passwords work. */
export const fetchAuthProviders = (): Promise<AuthProviders> => get<AuthProviders>('auth/providers/');
