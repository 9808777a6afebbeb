/** Sandbox images of a course (and the site's), their builds and logs. */
import { get, patch, post } from './http';

export type ImageStatus = 'pending' | 'building' | 'ready' | 'failed' | 'cancelled';
export type SandboxRuntime = 'runc' | 'runsc';

export interface SandboxImage {
  id: number;
  course: number | null;
  display_name: string;
  reference: string;
  dockerfile: string;
  build_files: Record<string, string>;
  runtime: SandboxRuntime;
  tag: string;
  digest: string;
  status: ImageStatus;
  built_in: boolean;
  usable: boolean;
  latest_build: number | null;
  created_at: string;
  updated_at: string;
}

export interface ImageBuild {
  id: number;
  image: number;
  status: ImageStatus;
  dockerfile: string;
  log: string;
  error: string;
  tag: string;
  digest: string;
  cancel_requested: boolean;
  created_by: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  finished: boolean;
}

export interface ImageInput {
  display_name: string;
  dockerfile: string;
  runtime: SandboxRuntime;
}

export const listCourseImages = (courseId: number): Promise<SandboxImage[]> =>
  get<SandboxImage[]>(`courses/${courseId}/sandbox_images/`);
export const createCourseImage = (courseId: number, input: ImageInput): Promise<SandboxImage> =>
  post<SandboxImage>(`courses/${courseId}/sandbox_images/`, input);
export const updateImage = (id: number, input: Partial<ImageInput>): Promise<SandboxImage> =>
  patch<SandboxImage>(`sandbox_images/${id}/`, input);
export const startBuild = (id: number): Promise<ImageBuild> => post<ImageBuild>(`sandbox_images/${id}/builds/`);
export const getBuild = (id: number): Promise<ImageBuild> => get<ImageBuild>(`image_builds/${id}/`);
export const cancelBuild = (id: number): Promise<ImageBuild> => post<ImageBuild>(`image_builds/${id}/cancel/`);
export const listRuntimes = (): Promise<{ runtimes: SandboxRuntime[] }> =>
  get<{ runtimes: SandboxRuntime[] }>('sandbox_images/runtimes/');
export const listBuilds = (id: number): Promise<ImageBuild[]> => get<ImageBuild[]>(`sandbox_images/${id}/builds/`);
