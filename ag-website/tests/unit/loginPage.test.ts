import { flushPromises, mount } from '@vue/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { fetchAuthProviders } from '@/api/auth';
import type { AuthProviders } from '@/api/types';
import { providerHref } from '@/composables/useAuthProviders';
import LoginPage from '@/pages/LoginPage.vue';

vi.mock('@/api/auth', () => ({ fetchAuthProviders: vi.fn(), fetchMe: vi.fn(), login: vi.fn(), logout: vi.fn() }));

const TESTU = { id: 'testu', label: 'Test University', login_url: '/api/auth/oidc/testu/login/' };

async function mountAt(path: string, answer: AuthProviders) {
  vi.mocked(fetchAuthProviders).mockResolvedValue(answer);
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/login', name: 'login', component: LoginPage },
      { path: '/forgot-password', name: 'forgot-password', component: { template: '<p>forgot</p>' } },
      { path: '/:rest(.*)*', component: { template: '<p>elsewhere</p>' } },
    ],
  });
  await router.push(path);
  await router.isReady();
  const wrapper = mount(LoginPage, { global: { plugins: [router] } });
  await flushPromises();
  return wrapper;
}

beforeEach(() => {
  vi.mocked(fetchAuthProviders).mockReset();
});

describe('the login page', () => {
  it('shows a button per provider that comes back to the page asked for, beside the password form', async () => {
    const wrapper = await mountAt('/login?next=/courses/3', { password_login: true, providers: [TESTU] });
    const button = wrapper.get('a.provider');
    expect(button.text()).toBe('Sign in with Test University');
    expect(button.attributes('href')).toBe('/api/auth/oidc/testu/login/?next=%2Fcourses%2F3');
    expect(wrapper.find('input[type="password"]').exists()).toBe(true);
    expect(wrapper.text()).toContain('or with a password');
  });

  it('hides the password form and the reset link when the site has passwords off', async () => {
    const wrapper = await mountAt('/login', { password_login: false, providers: [TESTU] });
    expect(wrapper.find('input[type="password"]').exists()).toBe(false);
    expect(wrapper.text()).not.toContain('Forgot your password?');
    expect(wrapper.findAll('a.provider')).toHaveLength(1);
  });

  it('shows only the password form when no provider is set up', async () => {
    const wrapper = await mountAt('/login', { password_login: true, providers: [] });
    expect(wrapper.findAll('a.provider')).toHaveLength(0);
    expect(wrapper.find('input[type="password"]').exists()).toBe(true);
    expect(wrapper.text()).not.toContain('or with a password');
  });

  it('never sends the browser to another site after signing in', async () => {
    const wrapper = await mountAt('/login?next=//evil.example/x', { password_login: true, providers: [TESTU] });
    expect(wrapper.get('a.provider').attributes('href')).toBe('/api/auth/oidc/testu/login/?next=%2F');
    expect(providerHref(TESTU, '/a b')).toBe('/api/auth/oidc/testu/login/?next=%2Fa+b');
  });
});
