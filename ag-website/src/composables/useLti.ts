/** State of the LTI pages: the registrations list with its form, and a course's LMS panel. */
import { computed, ref } from 'vue';
import * as lti from '@/api/lti';
import type { LtiPlatform, LtiPlatformInput, LtiRosterSync } from '@/api/types';
import { useAction, useAsync } from './useAsync';

export const emptyRegistration = (): Required<LtiPlatformInput> => ({
  name: '',
  issuer: '',
  client_id: '',
  deployment_ids: [],
  keyset_url: '',
  auth_login_url: '',
  auth_token_url: '',
  auth_audience: '',
});

export function useLtiRegistrations() {
  const tool = useAsync(lti.getToolUrls);
  const platforms = useAsync(lti.listPlatforms);
  const saving = useAction();
  const editing = ref<number | 'new' | null>(null);
  const form = ref<Required<LtiPlatformInput>>(emptyRegistration());
  const deployments = ref('');
  const saved = ref<string | null>(null);

  function startAdding(): void {
    editing.value = 'new';
    form.value = emptyRegistration();
    deployments.value = '';
    saving.error.value = null;
  }

  function startEditing(platform: LtiPlatform): void {
    editing.value = platform.id;
    const { id: _id, created_at: _c, last_modified: _m, ...fields } = platform;
    form.value = { ...fields, deployment_ids: [...platform.deployment_ids] };
    deployments.value = platform.deployment_ids.join('\n');
    saving.error.value = null;
  }

  async function save(): Promise<void> {
    const input = { ...form.value, deployment_ids: deployments.value.split(/[\s,]+/).filter(Boolean) };
    const target = editing.value;
    const done = await saving.run(() => (target === 'new' || target === null ? lti.createPlatform(input) : lti.updatePlatform(target, input)));
    if (!done) return;
    saved.value = `Saved ${done.name}.`;
    editing.value = null;
    await platforms.reload();
  }

  async function remove(platform: LtiPlatform): Promise<void> {
    const done = await saving.run(async () => {
      await lti.deletePlatform(platform.id);
      return true;
    });
    if (!done) return;
    saved.value = `Deleted ${platform.name}.`;
    await platforms.reload();
  }

  return { tool, platforms, saving, editing, form, deployments, saved, startAdding, startEditing, save, remove, cancel: () => (editing.value = null) };
}

export function useCourseLti(courseId: () => number) {
  const link = useAsync(() => lti.getCourseLink(courseId()));
  const grades = useAsync(() => lti.listGradeStatus(courseId()));
  const acting = useAction();
  const synced = ref<LtiRosterSync | null>(null);
  const queued = ref<string | null>(null);
  const projects = computed(() => {
    const seen = new Map<number, string>();
    for (const row of grades.data.value ?? []) seen.set(row.project, row.project_name);
    return [...seen].map(([id, name]) => ({ id, name }));
  });

  async function syncNow(): Promise<void> {
    synced.value = null;
    const result = await acting.run(() => lti.syncRoster(courseId()));
    await link.reload();
    if (result) synced.value = result;
  }

  async function sendNow(project: { id: number; name: string }): Promise<void> {
    queued.value = null;
    const done = await acting.run(async () => {
      await lti.sendGrades(courseId(), project.id);
      return true;
    });
    if (done) queued.value = `Sending the grades of ${project.name} to the LMS; reload the list to see each outcome.`;
  }

  return { link, grades, acting, synced, queued, projects, syncNow, sendNow };
}
