/** Autograders written for Gradescope or PrairieLearn, imported into a project. */
import { get, postForm } from './http';
import type { ImageStatus } from './images';

export type AutograderKind = 'gradescope' | 'prairielearn';
/**
 * building: the image is being built (the suite follows); ready: the suite exists;
 * suite_deleted: staff deleted the suite, so no new version can be uploaded.
 */
export type ImportState = 'building' | 'ready' | 'failed' | 'suite_deleted';

/** One upload of an import's autograder: version 1 is the import itself. */
export interface ImportVersion {
  number: number;
  files: string[];
  command: string;
  time_limit_s: number;
  /** The image build it started (Gradescope); null for PrairieLearn, applied at once. */
  build: number | null;
  build_status: ImageStatus | null;
  created_by: string | null;
  created_at: string;
}

export interface AutograderImport {
  id: number;
  project: number;
  kind: AutograderKind;
  state: ImportState;
  image: number | null;
  image_status: ImageStatus | null;
  image_build: number | null;
  suite: number | null;
  suite_name: string;
  command: string;
  time_limit_s: number;
  files: string[];
  error: string;
  created_at: string;
  /** The latest version's number. */
  version: number;
  /** Newest first. */
  versions: ImportVersion[];
}

export interface VersionInput {
  file: File;
  /** null: the time limit stays as it is. */
  time_limit_s: number | null;
  /** PrairieLearn only; null: the command stays as it is. */
  command: string | null;
}

export interface ImportInput {
  kind: AutograderKind;
  file: File;
  suite_name: string;
  time_limit_s: number;
  /** PrairieLearn only. */
  command: string;
  sandbox_image: string;
}

export const listImports = (projectId: number): Promise<AutograderImport[]> =>
  get<AutograderImport[]>(`projects/${projectId}/autograder_imports/`);

export function createImport(projectId: number, input: ImportInput): Promise<AutograderImport> {
  const form = new FormData();
  form.append('file', input.file);
  form.append('suite_name', input.suite_name);
  form.append('time_limit_s', String(input.time_limit_s));
  if (input.kind === 'prairielearn') {
    form.append('command', input.command);
    form.append('sandbox_image', input.sandbox_image);
  }
  return postForm<AutograderImport>(`projects/${projectId}/autograder_imports/${input.kind}/`, form);
}

/** A new version of the import's autograder onto the same suite. */
export function uploadVersion(importId: number, input: VersionInput): Promise<AutograderImport> {
  const form = new FormData();
  form.append('file', input.file);
  if (input.time_limit_s !== null) form.append('time_limit_s', String(input.time_limit_s));
  if (input.command !== null) form.append('command', input.command);
  return postForm<AutograderImport>(`autograder_imports/${importId}/versions/`, form);
}
