/**
 * Projects and their files: loading a project, and the edits staff make to its settings, its
 * expected student files and its instructor files. Each edit keeps its error for the form that
 * made it and reloads the list it changed; the server decides what is allowed.
 */
import {
  createExpectedFile,
  deleteExpectedFile,
  deleteInstructorFile,
  deleteProject,
  getProject,
  instructorFileText,
  instructorFileUrl,
  listExpectedFiles,
  listInstructorFiles,
  renameInstructorFile,
  replaceInstructorFile,
  updateExpectedFile,
  updateProject,
  uploadInstructorFile,
} from '@/api/projects';
import type { ExpectedFileInput, Project, ProjectInput } from '@/api/types';
import { useAction, useAsync } from './useAsync';

/** One project; `replace` shows a saved version without asking again. */
export function useProject(projectId: () => number) {
  const project = useAsync(() => getProject(projectId()));
  const replace = (saved: Project): void => {
    project.data.value = saved;
  };
  return { project, replace };
}

/** Saving or deleting a project's settings (admins). */
export function useProjectSettings(projectId: () => number) {
  const save = useAction();
  const removal = useAction();
  const update = (input: ProjectInput): Promise<Project | undefined> => save.run(() => updateProject(projectId(), input));
  async function remove(): Promise<boolean> {
    return (await removal.run(() => deleteProject(projectId()).then(() => true))) ?? false;
  }
  return { save, removal, update, remove };
}

/** The patterns a project expects students to submit. */
export function useExpectedFiles(projectId: () => number) {
  const files = useAsync(() => listExpectedFiles(projectId()));
  const creating = useAction();
  const editing = useAction();

  async function create(input: ExpectedFileInput): Promise<boolean> {
    const made = await creating.run(() => createExpectedFile(projectId(), input));
    if (made) await files.reload();
    return made !== undefined;
  }

  async function update(id: number, input: Partial<ExpectedFileInput>): Promise<boolean> {
    const done = await editing.run(() => updateExpectedFile(id, input));
    if (done) await files.reload();
    return done !== undefined;
  }

  async function remove(id: number): Promise<void> {
    await editing.run(() => deleteExpectedFile(id));
    await files.reload();
  }

  return { files, creating, editing, create, update, remove };
}

/** A project's instructor files (staff read, admins change). */
export function useInstructorFiles(projectId: () => number) {
  const files = useAsync(() => listInstructorFiles(projectId()));
  const uploading = useAction();
  const editing = useAction();

  /** Uploads one file after another, stopping at the first the server refuses. */
  async function upload(chosen: readonly File[]): Promise<void> {
    for (const file of chosen) {
      const done = await uploading.run(() => uploadInstructorFile(projectId(), file));
      if (!done) break;
    }
    await files.reload();
  }

  async function rename(id: number, name: string): Promise<boolean> {
    const done = await editing.run(() => renameInstructorFile(id, name));
    if (done) await files.reload();
    return done !== undefined;
  }

  async function replace(id: number, file: File): Promise<void> {
    await editing.run(() => replaceInstructorFile(id, file));
    await files.reload();
  }

  async function remove(id: number): Promise<void> {
    await editing.run(() => deleteInstructorFile(id));
    await files.reload();
  }

  const read = (id: number): Promise<string | undefined> => editing.run(() => instructorFileText(id));

  return { files, uploading, editing, upload, rename, replace, remove, read, downloadUrl: instructorFileUrl };
}
