/** The logged-in user and their roles per course: the app's one store, shared by every page. */
import { computed, ref } from 'vue';
import * as auth from '@/api/auth';
import { ApiError } from '@/api/http';
import type { Me, Role } from '@/api/types';

const me = ref<Me | null>(null);
const loaded = ref(false);
let pending: Promise<Me | null> | null = null;

async function load(): Promise<Me | null> {
  try {
    me.value = await auth.fetchMe();
  } catch (error) {
    if (!(error instanceof ApiError) || (error.status !== 401 && error.status !== 403)) throw error;
    me.value = null;
  } finally {
    loaded.value = true;
  }
  return me.value;
}

export function useSession() {
  function ensureLoaded(): Promise<Me | null> {
    if (loaded.value) return Promise.resolve(me.value);
    pending ??= load().finally(() => {
      pending = null;
    });
    return pending;
  }

  async function login(username: string, password: string): Promise<void> {
    me.value = await auth.login(username, password);
    loaded.value = true;
  }

  async function logout(): Promise<void> {
    await auth.logout();
    me.value = null;
  }

  function rolesIn(courseId: number): Role[] {
    if (me.value?.is_superuser) return ['admin', 'staff'];
    const course = me.value?.courses.find((c) => c.id === courseId);
    return (course?.roles ?? []) as Role[];
  }

  const isStaff = (courseId: number): boolean => rolesIn(courseId).some((r) => r === 'staff' || r === 'admin');
  const isAdmin = (courseId: number): boolean => rolesIn(courseId).includes('admin');

  return {
    me: computed(() => me.value),
    loaded: computed(() => loaded.value),
    ensureLoaded,
    reload: load,
    login,
    logout,
    rolesIn,
    isStaff,
    isAdmin,
  };
}
