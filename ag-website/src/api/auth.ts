import { get, post } from './http';
import type { Me } from './types';

export const fetchMe = (): Promise<Me> => get<Me>('users/me/');
export const login = (username: string, password: string): Promise<Me> =>
  post<Me>('auth/login/', { username, password });
export const logout = (): Promise<void> => post<void>('auth/logout/');
