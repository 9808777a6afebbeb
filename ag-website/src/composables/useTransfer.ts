/**
 * Term rollover and tests as code: previews of what a copy carries over, copying a project to
 * a course the user administers, exporting and importing a project's configuration (a dry run
 * first, then the same file applied), and cloning a test case.
 */
import { computed, shallowRef } from 'vue';
import { copyProject } from '@/api/projects';
import type { Project } from '@/api/types';
import {
  cloneCase,
  configExportUrl,
  courseCopyPreview,
  importConfig,
  projectCopyPreview,
  type ConfigImportResult,
} from '@/api/transfer';
import { useAction, useAsync } from './useAsync';
import { useSession } from './useSession';

/** Copying one project: what it carries, and where it may go (courses the user administers). */
export function useProjectCopy(projectId: () => number) {
  const session = useSession();
  const preview = useAsync(() => projectCopyPreview(projectId()));
  const copying = useAction();
  const copied = shallowRef<Project | null>(null);
  const targets = computed(() =>
    (session.me.value?.courses ?? []).filter((course) => session.isAdmin(course.id)),
  );
  async function copy(targetCourse: number, name: string): Promise<Project | undefined> {
    copied.value = (await copying.run(() => copyProject(projectId(), targetCourse, name.trim() || undefined))) ?? null;
    return copied.value ?? undefined;
  }
  return { preview, copying, copied, targets, copy };
}

/** What copying a course to a new term carries over, project by project. */
export function useCourseCopyPreview(courseId: () => number) {
  const preview = useAsync(() => courseCopyPreview(courseId()));
  const totals = computed(() => {
    const projects = preview.data.value?.projects ?? [];
    const sum = (key: 'suites' | 'test_cases' | 'commands') => projects.reduce((n, p) => n + p[key], 0);
    return { projects: projects.length, suites: sum('suites'), test_cases: sum('test_cases'), commands: sum('commands') };
  });
  return { preview, totals };
}

/** Tests as code: export links, and an import checked by a dry run before it is applied. */
export function useConfigTransfer(projectId: () => number) {
  const importing = useAction();
  const result = shallowRef<ConfigImportResult | null>(null);
  async function run(file: File, options: { dryRun: boolean; deleteMissing: boolean }): Promise<boolean> {
    result.value = null;
    result.value = (await importing.run(() => importConfig(projectId(), file, options))) ?? null;
    return result.value !== null;
  }
  return {
    importing,
    result,
    exportUrl: (bundle: 'zip' | 'yaml') => configExportUrl(projectId(), bundle),
    dryRun: (file: File, deleteMissing: boolean) => run(file, { dryRun: true, deleteMissing }),
    apply: (file: File, deleteMissing: boolean) => run(file, { dryRun: false, deleteMissing }),
  };
}

/** Cloning a test case (with its commands) right after itself. */
export function useCaseClone() {
  const cloning = useAction();
  const clone = (caseId: number) => cloning.run(() => cloneCase(caseId));
  return { cloning, clone };
}
